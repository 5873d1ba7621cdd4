import Foundation
import StockModel
import Testing

@testable import StockSentry

@Suite struct ReconciliationTests {
    static let start: Int64 = 1_795_422_600_000  // 2026-11-23T08:30:00Z

    static func time(_ seconds: Int64) -> EventTime {
        EventTime(millisecondsSinceEpoch: start + seconds * 1000)
    }

    static func inventory(
        _ sku: String, _ kind: InventoryKind, _ quantity: Int64, at seconds: Int64, tier: Tier? = nil, name: String? = nil
    ) -> StockEvent {
        .inventory(
            InventoryEvent(
                eventID: "i-\(sku)-\(seconds)", sku: sku, kind: kind, quantity: quantity, time: time(seconds), tier: tier,
                name: name))
    }

    static func order(
        _ sku: String, _ orderID: String, _ status: OrderStatus, quantity: Int64 = 1, at seconds: Int64, user: String? = nil
    ) -> StockEvent {
        .order(
            OrderEvent(
                eventID: "o-\(orderID)-\(seconds)", orderID: orderID, sku: sku, quantity: quantity, status: status,
                time: time(seconds), userID: user))
    }

    /// The hand-computed session, per SKU in its own order (only the order within a SKU matters).
    static let sessionBySKU: [[StockEvent]] = [
        [
            inventory("SKU-A", .set, 10, at: 0, tier: .traffic, name: "保温杯"),  // stock 10
            order("SKU-A", "O1", .created, quantity: 2, at: 60, user: "U1"),  // first order: opening 10; reserved 2
            inventory("SKU-A", .receive, 5, at: 120),  // received 5, stock 15 (peak)
            order("SKU-A", "O1", .paid, quantity: 2, at: 180),  // sold 2, reserved 0
            order("SKU-A", "O1", .paid, quantity: 2, at: 190),  // repeat: ignored
            order("SKU-A", "O2", .created, quantity: 3, at: 200, user: "U2"),  // reserved 3
            order("SKU-A", "O2", .cancelled, quantity: 3, at: 260),  // cancelled 3, reserved 0
            order("SKU-A", "O3", .paid, quantity: 1, at: 300, user: "U3"),  // sold 3
            order("SKU-A", "O3", .refunded, quantity: 1, at: 1_500),  // 20 min after payment: sold 2, refunded 1
            inventory("SKU-A", .damage, 1, at: 1_600),  // damaged 1, stock 14
            order("SKU-A", "O4", .created, quantity: 1, at: 1_700, user: "U4"),  // reserved 1
            inventory("SKU-A", .set, 12, at: 1_800),  // recount 12 − 14 = −2, stock 12
        ],
        [
            inventory("SKU-B", .set, 20, at: 0, tier: .longtail, name: "雨伞"),  // no orders: opening = closing = 20
            .interaction(InteractionEvent(eventID: "x1", sku: "SKU-B", kind: .comment, time: time(30))),
            .cart(CartEvent(eventID: "c1", sku: "SKU-B", action: .add, quantity: 1, time: time(40))),
        ],
        [
            inventory("SKU-C", .set, 8, at: 0, tier: .profit, name: "面膜"),
            order("SKU-C", "O5", .created, quantity: 6, at: 600, user: "U9"),  // opening 8; reserved 6
            order("SKU-C", "O5", .paid, quantity: 6, at: 660),  // sold 6 (user U9 from the created status)
            order("SKU-C", "O6", .paid, quantity: 1, at: 700, user: "U5"),  // sold 7
            order("SKU-C", "O6", .refunded, quantity: 1, at: 820),  // 2 min after payment: sold 6, refunded 1
            inventory("SKU-C", .adjust, 2, at: 900),  // adjusted +2, stock 10 (peak)
        ],
    ]

    /// The same events in the model's processing order: by event time, ties by SKU.
    static var session: [StockEvent] {
        sessionBySKU.joined().sorted { ($0.time, $0.sku) < ($1.time, $1.sku) }
    }

    static func reconcile(_ events: [StockEvent], configuration: Reconciliation.Configuration = .init())
        -> Reconciliation
    {
        var reconciliation = Reconciliation(configuration: configuration)
        for event in events { reconciliation.record(event) }
        return reconciliation
    }

    /// SKU-A 9 (one short), SKU-B 20 (exact), SKU-Z 3 (never seen); SKU-C is missing.
    static let counts = PhysicalCount(countedUnits: ["SKU-A": 9, "SKU-B": 20, "SKU-Z": 3])

    @Test("every number of the hand-computed session, with a physical count")
    func handComputedSession() {
        let report = Self.reconcile(Self.session).report(physicalCounts: Self.counts)
        typealias Row = ReconciliationReport.SKURow
        let expected = [
            // 10 + 5 + 0 − 1 − 2 = 12 closing; available 12 − 2 − 1 = 9; sell-through 2 ÷ (2 + 9);
            // expected on hand 12 − 2 = 10, counted 9: −1.
            Row(
                sku: "SKU-A", name: "保温杯", tier: .traffic, orders: 4, openingStock: 10, receivedUnits: 5,
                adjustedUnits: 0, damagedUnits: 1, recountUnits: -2, paidUnits: 3, soldUnits: 2, cancelledUnits: 3,
                refundedUnits: 1, reservedUnits: 1, closingStock: 12, closingAvailable: 9, oversoldUnits: 0,
                sellThrough: 2.0 / 11.0, peakStock: 15, countedUnits: 9, expectedOnHandUnits: 10, countDifferenceUnits: -1),
            // Never ordered: every record is opening; expected on hand 20 − 0 = 20, counted 20: 0.
            Row(
                sku: "SKU-B", name: "雨伞", tier: .longtail, orders: 0, openingStock: 20, receivedUnits: 0,
                adjustedUnits: 0, damagedUnits: 0, recountUnits: 0, paidUnits: 0, soldUnits: 0, cancelledUnits: 0,
                refundedUnits: 0, reservedUnits: 0, closingStock: 20, closingAvailable: 20, oversoldUnits: 0,
                sellThrough: 0, peakStock: 20, countedUnits: 20, expectedOnHandUnits: 20, countDifferenceUnits: 0),
            // 8 + 2 = 10 closing; paid 6 + 1, refunded 1: sold 6; available 10 − 6 = 4; 6 ÷ 10; not counted.
            Row(
                sku: "SKU-C", name: "面膜", tier: .profit, orders: 2, openingStock: 8, receivedUnits: 0,
                adjustedUnits: 2, damagedUnits: 0, recountUnits: 0, paidUnits: 7, soldUnits: 6, cancelledUnits: 0,
                refundedUnits: 1, reservedUnits: 0, closingStock: 10, closingAvailable: 4, oversoldUnits: 0,
                sellThrough: 0.6, peakStock: 10, countedUnits: nil, expectedOnHandUnits: 4, countDifferenceUnits: nil),
            // Only in the count file: zeros, so all 3 counted units are a difference.
            Row(
                sku: "SKU-Z", name: nil, tier: nil, orders: 0, openingStock: 0, receivedUnits: 0,
                adjustedUnits: 0, damagedUnits: 0, recountUnits: 0, paidUnits: 0, soldUnits: 0, cancelledUnits: 0,
                refundedUnits: 0, reservedUnits: 0, closingStock: 0, closingAvailable: 0, oversoldUnits: 0,
                sellThrough: 0, peakStock: 0, countedUnits: 3, expectedOnHandUnits: 0, countDifferenceUnits: 3),
        ]
        #expect(report.rows == expected)
        #expect(report.rows.allSatisfy { $0.identityHolds })
        // Sums; 38 + 5 + 2 − 1 − 2 = 42; sell-through 8 ÷ (8 + 33); counts over A, B, Z: 32 − 30 = 2.
        #expect(
            report.totals
                == Row(
                    sku: "TOTAL", name: nil, tier: nil, orders: 6, openingStock: 38, receivedUnits: 5, adjustedUnits: 2,
                    damagedUnits: 1, recountUnits: -2, paidUnits: 10, soldUnits: 8, cancelledUnits: 3, refundedUnits: 2,
                    reservedUnits: 1, closingStock: 42, closingAvailable: 33, oversoldUnits: 0, sellThrough: 8.0 / 41.0,
                    peakStock: 45, countedUnits: 32, expectedOnHandUnits: 30, countDifferenceUnits: 2))
        // 动销率: A and C sold of A, B, C stocked (Z never had stock).
        #expect(report.stockedSKUs == 3)
        #expect(report.movingSKUs == 2)
        #expect(report.movingSKUShare == 2.0 / 3.0)
        // B: 20 available, sell-through 0 < 10%; A's 18.2% and C's 60% are not slow.
        #expect(
            report.slowMovers
                == [.init(sku: "SKU-B", name: "雨伞", soldUnits: 0, closingAvailable: 20, sellThrough: 0)])
        #expect(
            report.anomalies == [
                .init(
                    kind: .bulkBuyer, sku: "SKU-C", userID: "U9", orderID: nil,
                    detail: "user U9 paid for 6 units of SKU-C in 1 order (threshold 5 units)"),
                .init(
                    kind: .quickRefund, sku: "SKU-C", userID: "U5", orderID: "O6",
                    detail: "order O6 (1 unit, user U5) refunded 2.0 min after payment (threshold 10.0 min)"),
                .init(
                    kind: .notCounted, sku: "SKU-C", userID: nil, orderID: nil,
                    detail: "SKU-C is not in the count file; 4 units expected on hand"),
            ])
    }

    @Test("without a physical count the count columns stay empty and nothing is flagged as not counted")
    func withoutPhysicalCount() {
        let report = Self.reconcile(Self.session).report()
        #expect(!report.hasPhysicalCount)
        #expect(report.rows.map(\.sku) == ["SKU-A", "SKU-B", "SKU-C"])
        #expect(report.rows.allSatisfy { $0.countedUnits == nil && $0.expectedOnHandUnits == nil })
        #expect(report.totals.countDifferenceUnits == nil)
        #expect(report.anomalies.map(\.kind) == [.bulkBuyer, .quickRefund])
        #expect(!report.csv().contains("counted"))
    }

    @Test("the reconciliation agrees with the live ledger fed the same events")
    func agreesWithLedger() {
        var ledgers: [String: SKULedger] = [:]
        for event in Self.session {
            switch event {
            case .order(let order): ledgers[order.sku, default: SKULedger(sku: order.sku)].apply(order)
            case .inventory(let inventory): ledgers[inventory.sku, default: SKULedger(sku: inventory.sku)].apply(inventory)
            case .cart, .interaction: break
            }
        }
        for row in Self.reconcile(Self.session).report().rows {
            let ledger = ledgers[row.sku]
            #expect(row.soldUnits == ledger?.sold)
            #expect(row.reservedUnits == ledger?.reserved)
            #expect(row.closingStock == ledger?.stock)
            #expect(row.closingAvailable == ledger?.available)
            #expect(row.sellThrough == ledger?.sellThrough)
        }
    }

    @Test("a refund is quick up to and including the threshold", arguments: [(599, true), (600, true), (601, false)])
    func quickRefundBoundary(seconds: Int64, isQuick: Bool) {
        let report = Self.reconcile([
            Self.inventory("SKU-Q", .set, 5, at: 0),
            Self.order("SKU-Q", "Q1", .paid, at: 10, user: "U1"),
            Self.order("SKU-Q", "Q1", .refunded, at: 10 + seconds),
        ]).report()
        #expect(report.anomalies.contains { $0.kind == .quickRefund } == isQuick)
    }

    @Test("a cancellation, or a refund of an unpaid order, is not a quick refund")
    func onlyRefundsAfterPayment() {
        let report = Self.reconcile([
            Self.inventory("SKU-Q", .set, 5, at: 0),
            Self.order("SKU-Q", "Q1", .paid, at: 10),
            Self.order("SKU-Q", "Q1", .cancelled, at: 20),
            Self.order("SKU-Q", "Q2", .created, at: 30),
            Self.order("SKU-Q", "Q2", .refunded, at: 40),
        ]).report()
        #expect(report.anomalies.isEmpty)
        #expect(report.rows.first?.cancelledUnits == 1)
        #expect(report.rows.first?.refundedUnits == 1)
    }

    @Test("bulk buyers count paid units over all of a user's orders of one SKU, at the configured threshold")
    func bulkBuyerThreshold() {
        let events = [
            Self.inventory("SKU-Q", .set, 50, at: 0),
            Self.order("SKU-Q", "Q1", .paid, quantity: 2, at: 10, user: "U1"),
            Self.order("SKU-Q", "Q2", .paid, quantity: 2, at: 20, user: "U1"),
            Self.order("SKU-Q", "Q3", .created, quantity: 9, at: 30, user: "U1"),  // reserved, not paid
            Self.order("SKU-Q", "Q4", .paid, quantity: 3, at: 40, user: "U2"),
        ]
        #expect(Self.reconcile(events).report().anomalies.isEmpty)  // 4 and 3 units < 5
        let lower = Self.reconcile(events, configuration: .init(bulkBuyerUnits: 3)).report()
        #expect(lower.anomalies.map(\.userID) == ["U1", "U2"])
        #expect(lower.anomalies.first?.detail == "user U1 paid for 4 units of SKU-Q in 2 orders (threshold 3 units)")
    }

    @Test("a SKU whose first record is an order opens at 0, and its late set shows as a recount")
    func orderBeforeStock() {
        let row = Self.reconcile([
            Self.order("SKU-L", "L1", .paid, quantity: 3, at: 0),
            Self.inventory("SKU-L", .set, 10, at: 5),
        ]).report().rows[0]
        #expect(row.openingStock == 0)
        #expect(row.recountUnits == 10)
        #expect(row.closingStock == 10)
        #expect(row.identityHolds)
    }

    @Test("a broken stock identity is reported with its arithmetic")
    func identityMismatch() {
        var row = Self.reconcile(Self.session).report().rows[0]
        row.closingStock = 13
        #expect(!row.identityHolds)
        #expect(
            ReconciliationReport.Anomaly.identityMismatch(row).detail
                == "closing stock 13 ≠ opening 10 + received 5 + adjusted 0 − damaged 1 + recount -2 = 12;"
                + " the reconciliation fold lost a movement, please report it")
    }

    @Test("the CSV has one row per SKU with every column")
    func csv() {
        let csv = Self.reconcile(Self.session).report(physicalCounts: Self.counts).csv()
        #expect(
            csv == """
                sku,name,tier,orders,opening_stock,received_units,adjusted_units,damaged_units,recount_units,paid_units,\
                sold_units,cancelled_units,refunded_units,reserved_units,closing_stock,closing_available,oversold_units,\
                sell_through,peak_stock,counted_units,expected_on_hand_units,count_difference_units
                SKU-A,保温杯,traffic,4,10,5,0,1,-2,3,2,3,1,1,12,9,0,0.1818,15,9,10,-1
                SKU-B,雨伞,longtail,0,20,0,0,0,0,0,0,0,0,0,20,20,0,0.0000,20,20,20,0
                SKU-C,面膜,profit,2,8,0,2,0,0,7,6,0,1,0,10,4,0,0.6000,10,,4,
                SKU-Z,,,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0.0000,0,3,0,3

                """)
    }

    @Test("the text table lines up its columns and ends with 动销率, slow movers and anomalies")
    func textTable() {
        let text = Self.reconcile(Self.session).report(physicalCounts: Self.counts).textTable()
        #expect(
            text == """
                Reconciliation of 4 SKUs
                SKU    tier      orders  open  recv  adj  dmg  recount  paid  sold  cancel  refund  resv  close  avail  over   sell  counted  expect  diff
                ------------------------------------------------------------------------------------------------------------------------------------------
                SKU-A  traffic        4    10     5    0    1       -2     3     2       3       1     1     12      9     0  18.2%        9      10    -1
                SKU-B  longtail       0    20     0    0    0        0     0     0       0       0     0     20     20     0   0.0%       20      20     0
                SKU-C  profit         2     8     0    2    0        0     7     6       0       1     0     10      4     0  60.0%                4
                SKU-Z                 0     0     0    0    0        0     0     0       0       0     0      0      0     0   0.0%        3       0     3
                ------------------------------------------------------------------------------------------------------------------------------------------
                TOTAL                 6    38     5    2    1       -2    10     8       3       2     1     42     33     0  19.5%       32      30     2

                动销率 (SKUs that sold ≥ 1 unit ÷ SKUs with stock): 2 / 3 = 66.7%
                Slow movers (units available, sell-through < 10.0%):
                  SKU-B  sell-through 0.0%, sold 0, available 20
                Anomalies: 3
                  bulk_buyer    SKU-C  user U9 paid for 6 units of SKU-C in 1 order (threshold 5 units)
                  quick_refund  SKU-C  order O6 (1 unit, user U5) refunded 2.0 min after payment (threshold 10.0 min)
                  not_counted   SKU-C  SKU-C is not in the count file; 4 units expected on hand

                """)
    }

    @Test("the same events give the same bytes, whatever the interleaving of SKUs")
    func deterministic() throws {
        let first = Self.reconcile(Self.session).report(physicalCounts: Self.counts)
        let bySKU = Self.reconcile(Array(Self.sessionBySKU.joined())).report(physicalCounts: Self.counts)
        #expect(first == bySKU)
        #expect(first.textTable() == bySKU.textTable())
        #expect(first.csv() == bySKU.csv())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(first)
        #expect(json == (try encoder.encode(bySKU)))
        #expect(try JSONDecoder().decode(ReconciliationReport.self, from: json) == first)
    }

    // MARK: - Count files

    @Test("a count file with a BOM, CRLF, comments, blank lines, spaces and trivial quotes loads")
    func parsesCountFile() throws {
        let text = "\u{FEFF}# counted after the show\r\n\r\n count , sku \r\n3, SKU-A\r\n\"0\",\"SKU-B\"\r\n# end\r\n"
        #expect(try PhysicalCount(csv: text, file: "counts.csv") == PhysicalCount(countedUnits: ["SKU-A": 3, "SKU-B": 0]))
    }

    @Test(
        "a bad count file names the file, the line and the fix",
        arguments: [
            (
                "sku,counted\nSKU-A,3\n\nSKU-B,x\n",
                #"count file counts.csv:4: counted must be a whole number ≥ 0, got "x"; write the units found on the shelf, e.g. 12"#
            ),
            (
                "sku,counted\nSKU-A,-1\n",
                #"count file counts.csv:2: counted must be a whole number ≥ 0, got "-1"; write the units found on the shelf, e.g. 12"#
            ),
            (
                "sku,counted\nSKU-A,3\nSKU-B,4\nSKU-A,5\n",
                #"count file counts.csv:4: SKU "SKU-A" is counted again (first on line 2); keep one line per SKU with the total"#
            ),
            (
                "SKU-A,3\nSKU-B,4\n",
                #"count file counts.csv:1: the header must be `sku,counted` (or `sku,count`), got "SKU-A,3"; add that header as the first line"#
            ),
            (
                "# nothing counted\n\n",
                "count file counts.csv: no header; the first line must be `sku,counted` (or `sku,count`)"
            ),
            (
                "sku,counted\nSKU-A,3,4\n",
                #"count file counts.csv:2: expected 2 fields (sku and counted), got 3 in "SKU-A,3,4"; write one SKU and its count per line"#
            ),
            (
                "sku,counted\n,3\n",
                "count file counts.csv:2: the sku is empty; write the SKU the units were counted for"
            ),
            (
                "sku,counted\n\"SKU \"\"A\"\"\",3\n",
                #"count file counts.csv:2: quoted fields holding commas or quotes are not supported, got "SKU ""A"""; write the field without quotes"#
            ),
        ])
    func countFileErrors(text: String, message: String) {
        #expect {
            try PhysicalCount(csv: text, file: "counts.csv")
        } throws: { error in
            let error = error as? StockSentryError
            return error?.code == .configuration && error?.message == message
        }
    }

    @Test("a count file is loaded from disk, and a missing one is named")
    func loadsFromDisk() throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("counts-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).csv").path
        try "sku,count\nSKU-A,7\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try PhysicalCount.load(path: path) == PhysicalCount(countedUnits: ["SKU-A": 7]))
        #expect {
            try PhysicalCount.load(path: path + ".missing")
        } throws: { error in
            (error as? StockSentryError)?.message
                == "count file \(path).missing: cannot be read; check the path and its permissions"
        }
    }
}
