import Foundation
import StockModel

/// The after-show reconciliation of one session: per SKU where the units went, with totals, 动销率,
/// slow movers and anomalies worth a look.
///
/// Built by ``Reconciliation/report(physicalCounts:)``; every figure is the live ledger's. Written as
/// JSON (this value), as a terminal table (``textTable()``) or as CSV (``csv()``). Rows are sorted by
/// SKU, so the same events give the same bytes.
public struct ReconciliationReport: Codable, Sendable, Equatable {
    /// The thresholds the slow movers and anomalies were found with.
    public var configuration: Reconciliation.Configuration
    /// True when a physical count was compared; then every row has ``SKURow/expectedOnHandUnits``.
    public var hasPhysicalCount: Bool
    /// One row per SKU, sorted by SKU.
    public var rows: [SKURow]
    /// The column sums as a row (sku `TOTAL`, no name or tier); its sell-through is that of the summed
    /// sold and available units, and its count columns cover the counted SKUs only, so that the total
    /// difference is the total counted minus the total expected of those SKUs.
    public var totals: SKURow
    /// SKUs whose pool held stock at some point of the session (``SKURow/peakStock`` > 0).
    public var stockedSKUs: Int
    /// Stocked SKUs that sold at least one unit, net of returns.
    public var movingSKUs: Int
    /// 动销率: ``movingSKUs`` ÷ ``stockedSKUs``; nil when no SKU was stocked.
    public var movingSKUShare: Double?
    /// SKUs with units still available and a sell-through below the configured one, slowest first.
    public var slowMovers: [SlowMover]
    /// What deserves a second look, sorted by SKU, then kind, then user or order.
    public var anomalies: [Anomaly]

    /// One SKU's movements over the session, in units.
    public struct SKURow: Codable, Sendable, Equatable {
        public var sku: String
        /// The last product name seen on an inventory record.
        public var name: String?
        /// The last tier seen on an inventory record.
        public var tier: Tier?
        /// Distinct orders seen.
        public var orders: Int
        /// Stock just before the SKU's first order event (see ``Reconciliation`` for the definition).
        public var openingStock: Int64
        /// Units received (`receive`) after the opening.
        public var receivedUnits: Int64
        /// Net units of `adjust` records after the opening (signed).
        public var adjustedUnits: Int64
        /// Units written off by `damage` records after the opening.
        public var damagedUnits: Int64
        /// What `set` records (recounts) after the opening changed: new stock minus replaced stock, summed.
        public var recountUnits: Int64
        /// Units ever paid for, before returns.
        public var paidUnits: Int64
        /// Units paid for and not returned: sold, net of refunds and cancellations after payment.
        public var soldUnits: Int64
        /// Units released or returned by cancellations.
        public var cancelledUnits: Int64
        /// Units released or returned by refunds.
        public var refundedUnits: Int64
        /// Units held by created, unpaid orders at the close.
        public var reservedUnits: Int64
        /// Sellable units in the pool at the close, before orders (the ledger's `stock`).
        public var closingStock: Int64
        /// `closing stock − sold − reserved`; negative when oversold.
        public var closingAvailable: Int64
        /// `max(0, −closing available)`.
        public var oversoldUnits: Int64
        /// `sold ÷ (sold + available)`; 0 when that is not positive.
        public var sellThrough: Double
        /// The most units the pool held after any inventory record.
        public var peakStock: Int64
        /// Units found by the physical count; nil without a count or when the file does not list the SKU.
        public var countedUnits: Int64?
        /// Units that should be on the shelf: `closing stock − sold`. Paid units have left the shelf;
        /// reserved ones have not. Nil without a physical count.
        public var expectedOnHandUnits: Int64?
        /// `counted − expected on hand`: positive is a surplus, negative is shrinkage. Nil when not counted.
        public var countDifferenceUnits: Int64?

        /// `opening + received + adjusted − damaged + recount difference`, which must equal ``closingStock``.
        public var expectedClosingStock: Int64 {
            openingStock &+ receivedUnits &+ adjustedUnits &- damagedUnits &+ recountUnits
        }

        /// The stock identity holds: every change of the pool is accounted for by a column.
        public var identityHolds: Bool { expectedClosingStock == closingStock }

        /// Fills the count columns from `countedUnits`, the SKU's line of the physical count, if any.
        mutating func compare(countedUnits: Int64?) {
            let expected = closingStock &- soldUnits
            self.countedUnits = countedUnits
            expectedOnHandUnits = expected
            countDifferenceUnits = countedUnits.map { $0 &- expected }
        }
    }

    /// A SKU that barely sold while units were on offer.
    public struct SlowMover: Codable, Sendable, Equatable {
        public var sku: String
        public var name: String?
        public var soldUnits: Int64
        public var closingAvailable: Int64
        public var sellThrough: Double
    }

    /// Something in the session worth a look, with the numbers that make it one.
    public struct Anomaly: Codable, Sendable, Equatable {
        /// What kind of finding.
        public enum Kind: String, Codable, Sendable, CaseIterable {
            /// One user paid for many units of one SKU: a reseller, or a price or limit error.
            case bulkBuyer = "bulk_buyer"
            /// An order was refunded minutes after its payment.
            case quickRefund = "quick_refund"
            /// A physical count was given but does not list the SKU.
            case notCounted = "not_counted"
            /// The stock identity failed: a bug in the fold, never expected.
            case identityMismatch = "identity_mismatch"
        }

        public var kind: Kind
        public var sku: String
        /// The buyer, when known.
        public var userID: String?
        /// The order, for order-level findings.
        public var orderID: String?
        /// The finding in words, with its numbers and threshold.
        public var detail: String

        static func bulkBuyer(sku: String, userID: String, units: Int64, orders: Int, threshold: Int64) -> Anomaly {
            Anomaly(
                kind: .bulkBuyer, sku: sku, userID: userID, orderID: nil,
                detail: "user \(userID) paid for \(units) units of \(sku) in \(orders) order\(orders == 1 ? "" : "s")"
                    + " (threshold \(threshold) units)")
        }

        static func quickRefund(
            sku: String, orderID: String, userID: String?, units: Int64, elapsedMilliseconds: Int64,
            thresholdMinutes: Double
        ) -> Anomaly {
            let minutes = ReconciliationReport.decimal(Double(elapsedMilliseconds) / 60_000, places: 1)
            let threshold = ReconciliationReport.decimal(thresholdMinutes, places: 1)
            return Anomaly(
                kind: .quickRefund, sku: sku, userID: userID, orderID: orderID,
                detail: "order \(orderID) (\(units) unit\(units == 1 ? "" : "s")\(userID.map { ", user \($0)" } ?? ""))"
                    + " refunded \(minutes) min after payment (threshold \(threshold) min)")
        }

        static func notCounted(_ row: SKURow) -> Anomaly {
            Anomaly(
                kind: .notCounted, sku: row.sku, userID: nil, orderID: nil,
                detail: "\(row.sku) is not in the count file; \(row.expectedOnHandUnits ?? 0) units expected on hand")
        }

        static func identityMismatch(_ row: SKURow) -> Anomaly {
            Anomaly(
                kind: .identityMismatch, sku: row.sku, userID: nil, orderID: nil,
                detail: "closing stock \(row.closingStock) ≠ opening \(row.openingStock) + received \(row.receivedUnits)"
                    + " + adjusted \(row.adjustedUnits) − damaged \(row.damagedUnits) + recount \(row.recountUnits)"
                    + " = \(row.expectedClosingStock); the reconciliation fold lost a movement, please report it")
        }
    }

    /// Builds the report from sorted rows and the anomalies found while folding; derives totals,
    /// 动销率 and slow movers.
    init(configuration: Reconciliation.Configuration, hasPhysicalCount: Bool, rows: [SKURow], anomalies: [Anomaly]) {
        self.configuration = configuration
        self.hasPhysicalCount = hasPhysicalCount
        self.rows = rows
        self.totals = Self.totals(of: rows, hasPhysicalCount: hasPhysicalCount)
        let stocked = rows.filter { $0.peakStock > 0 }
        stockedSKUs = stocked.count
        movingSKUs = stocked.filter { $0.soldUnits > 0 }.count
        movingSKUShare = stocked.isEmpty ? nil : Double(movingSKUs) / Double(stockedSKUs)
        slowMovers = rows
            .filter { $0.closingAvailable > 0 && $0.sellThrough < configuration.slowMoverSellThrough }
            .sorted { ($0.sellThrough, $0.sku) < ($1.sellThrough, $1.sku) }
            .map {
                SlowMover(
                    sku: $0.sku, name: $0.name, soldUnits: $0.soldUnits, closingAvailable: $0.closingAvailable,
                    sellThrough: $0.sellThrough)
            }
        let kinds = Anomaly.Kind.allCases
        self.anomalies = anomalies.sorted {
            ($0.sku, kinds.firstIndex(of: $0.kind) ?? 0, $0.userID ?? "", $0.orderID ?? "")
                < ($1.sku, kinds.firstIndex(of: $1.kind) ?? 0, $1.userID ?? "", $1.orderID ?? "")
        }
    }

    private static func totals(of rows: [SKURow], hasPhysicalCount: Bool) -> SKURow {
        func sum(_ value: (SKURow) -> Int64) -> Int64 { rows.reduce(0) { $0 &+ value($1) } }
        let counted = rows.filter { $0.countedUnits != nil }
        var totals = SKURow(
            sku: "TOTAL", name: nil, tier: nil, orders: rows.reduce(0) { $0 + $1.orders },
            openingStock: sum(\.openingStock), receivedUnits: sum(\.receivedUnits), adjustedUnits: sum(\.adjustedUnits),
            damagedUnits: sum(\.damagedUnits), recountUnits: sum(\.recountUnits), paidUnits: sum(\.paidUnits),
            soldUnits: sum(\.soldUnits), cancelledUnits: sum(\.cancelledUnits), refundedUnits: sum(\.refundedUnits),
            reservedUnits: sum(\.reservedUnits), closingStock: sum(\.closingStock),
            closingAvailable: sum(\.closingAvailable), oversoldUnits: sum(\.oversoldUnits), sellThrough: 0,
            peakStock: sum(\.peakStock))
        let denominator = totals.soldUnits &+ totals.closingAvailable
        totals.sellThrough = denominator > 0 ? Double(totals.soldUnits) / Double(denominator) : 0
        if hasPhysicalCount {
            totals.countedUnits = counted.reduce(0) { $0 &+ ($1.countedUnits ?? 0) }
            totals.expectedOnHandUnits = counted.reduce(0) { $0 &+ ($1.expectedOnHandUnits ?? 0) }
            totals.countDifferenceUnits = counted.reduce(0) { $0 &+ ($1.countDifferenceUnits ?? 0) }
        }
        return totals
    }
}

extension ReconciliationReport {
    /// One column of the renderings: its CSV and table headers and how a row shows in it.
    private struct Column {
        var csvHeader: String
        var tableHeader: String
        /// Left-aligned in the table (text), else right-aligned (numbers).
        var isText: Bool
        var value: (SKURow) -> String
    }

    private static func optional(_ value: Int64?) -> String { value.map(String.init) ?? "" }

    /// The columns of ``textTable()`` or, `forCSV`, of ``csv()``, which adds the name and the peak stock
    /// and writes sell-through as a fraction.
    private func columns(forCSV: Bool) -> [Column] {
        var columns = [
            Column(csvHeader: "sku", tableHeader: "SKU", isText: true) { $0.sku },
            Column(csvHeader: "tier", tableHeader: "tier", isText: true) { $0.tier?.rawValue ?? "" },
            Column(csvHeader: "orders", tableHeader: "orders", isText: false) { String($0.orders) },
            Column(csvHeader: "opening_stock", tableHeader: "open", isText: false) { String($0.openingStock) },
            Column(csvHeader: "received_units", tableHeader: "recv", isText: false) { String($0.receivedUnits) },
            Column(csvHeader: "adjusted_units", tableHeader: "adj", isText: false) { String($0.adjustedUnits) },
            Column(csvHeader: "damaged_units", tableHeader: "dmg", isText: false) { String($0.damagedUnits) },
            Column(csvHeader: "recount_units", tableHeader: "recount", isText: false) { String($0.recountUnits) },
            Column(csvHeader: "paid_units", tableHeader: "paid", isText: false) { String($0.paidUnits) },
            Column(csvHeader: "sold_units", tableHeader: "sold", isText: false) { String($0.soldUnits) },
            Column(csvHeader: "cancelled_units", tableHeader: "cancel", isText: false) { String($0.cancelledUnits) },
            Column(csvHeader: "refunded_units", tableHeader: "refund", isText: false) { String($0.refundedUnits) },
            Column(csvHeader: "reserved_units", tableHeader: "resv", isText: false) { String($0.reservedUnits) },
            Column(csvHeader: "closing_stock", tableHeader: "close", isText: false) { String($0.closingStock) },
            Column(csvHeader: "closing_available", tableHeader: "avail", isText: false) { String($0.closingAvailable) },
            Column(csvHeader: "oversold_units", tableHeader: "over", isText: false) { String($0.oversoldUnits) },
        ]
        if forCSV {
            columns.insert(Column(csvHeader: "name", tableHeader: "name", isText: true) { $0.name ?? "" }, at: 1)
            columns += [
                Column(csvHeader: "sell_through", tableHeader: "sell", isText: false) {
                    Self.decimal($0.sellThrough, places: 4)
                },
                Column(csvHeader: "peak_stock", tableHeader: "peak", isText: false) { String($0.peakStock) },
            ]
        } else {
            columns.append(Column(csvHeader: "sell_through", tableHeader: "sell", isText: false) { Self.percent($0.sellThrough) })
        }
        guard hasPhysicalCount else { return columns }
        columns += [
            Column(csvHeader: "counted_units", tableHeader: "counted", isText: false) { Self.optional($0.countedUnits) },
            Column(csvHeader: "expected_on_hand_units", tableHeader: "expect", isText: false) {
                Self.optional($0.expectedOnHandUnits)
            },
            Column(csvHeader: "count_difference_units", tableHeader: "diff", isText: false) {
                Self.optional($0.countDifferenceUnits)
            },
        ]
        return columns
    }

    /// A fixed-width table for a terminal: one line per SKU and a totals line, then 动销率, slow movers
    /// and anomalies. Names are left out (wide characters would break the alignment); ``csv()`` has them.
    public func textTable() -> String {
        let columns = columns(forCSV: false)
        let cells = ([nil] + rows.map(Optional.some) + [totals]).map { row in
            columns.map { column in row.map(column.value) ?? column.tableHeader }
        }
        let widths = columns.indices.map { index in cells.map { $0[index].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            let padded = zip(columns, zip(cells, widths)).map { column, cell in
                let padding = String(repeating: " ", count: cell.1 - cell.0.count)
                return column.isText ? cell.0 + padding : padding + cell.0
            }
            return Self.trimmingTrailingSpaces(padded.joined(separator: "  "))
        }
        let rule = String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var lines = ["Reconciliation of \(rows.count) SKU\(rows.count == 1 ? "" : "s")"]
        lines.append(line(cells[0]))
        lines.append(rule)
        lines += cells.dropFirst().dropLast().map(line)
        lines.append(rule)
        lines.append(line(cells[cells.count - 1]))
        lines.append("")
        let share = movingSKUShare.map(Self.percent) ?? "n/a"
        lines.append("动销率 (SKUs that sold ≥ 1 unit ÷ SKUs with stock): \(movingSKUs) / \(stockedSKUs) = \(share)")
        let threshold = Self.percent(configuration.slowMoverSellThrough)
        lines.append("Slow movers (units available, sell-through < \(threshold)): \(slowMovers.isEmpty ? "none" : "")")
        lines += slowMovers.map {
            "  \($0.sku)  sell-through \(Self.percent($0.sellThrough)), sold \($0.soldUnits), available \($0.closingAvailable)"
        }
        lines.append("Anomalies: \(anomalies.isEmpty ? "none" : String(anomalies.count))")
        let kindWidth = anomalies.map(\.kind.rawValue.count).max() ?? 0
        lines += anomalies.map {
            "  \($0.kind.rawValue)\(String(repeating: " ", count: kindWidth - $0.kind.rawValue.count))  \($0.sku)  \($0.detail)"
        }
        return lines.map(Self.trimmingTrailingSpaces).joined(separator: "\n") + "\n"
    }

    /// CSV with a header and one row per SKU (no totals), RFC 4180 quoting; sell-through as a fraction
    /// with four decimals, and the count columns only when a physical count was compared.
    public func csv() -> String {
        let columns = columns(forCSV: true)
        var lines = [columns.map(\.csvHeader).joined(separator: ",")]
        lines += rows.map { row in columns.map { Self.csvField($0.value(row)) }.joined(separator: ",") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }

    private static func csvField(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacing("\"", with: "\"\"") + "\""
    }

    /// `share` as a percentage with one decimal, e.g. `66.7%`.
    static func percent(_ share: Double) -> String { decimal(share * 100, places: 1) + "%" }

    /// `value` with `places` decimals in the POSIX locale, so the text is the same on every machine.
    static func decimal(_ value: Double, places: Int) -> String {
        String(format: "%.\(places)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}
