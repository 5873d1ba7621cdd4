import StockModel

/// Folds the events of one session into the after-show reconciliation: where every unit of every SKU went.
///
/// Each SKU keeps a ``SKULedger`` fed exactly as the live model feeds it, so sold, reserved, available
/// and oversold agree with the live numbers to the unit. Next to it the fold keeps what the ledger does
/// not: the opening stock, inventory movements after the opening, paid units per buyer and the payment
/// time of open orders. Feed it the events the model applied (duplicates already dropped), in the
/// model's processing order; tasks may follow one another, since a SKU belongs to one task.
///
/// Definitions:
/// - **Opening stock** is the SKU's stock just before its first order event, i.e. after every inventory
///   record that precedes that order. Inventory records after it are movements: `receive`, `adjust` and
///   `damage` count as received, adjusted and damaged units, and a `set` counts as a recount whose
///   difference is the new stock minus the stock it replaced. A SKU that never sees an order opens with
///   all its inventory records (opening = closing stock); one whose first record is an order opens at 0,
///   so a `set` that arrives after that order shows as a recount.
/// - So, for every SKU, `closing stock = opening + received + adjusted − damaged + recount difference`;
///   ``report(physicalCounts:)`` checks it and lists a SKU where it fails as an anomaly (it guards the fold).
/// - **Bulk buyer**: a user whose paid orders of one SKU add up to ≥ ``Configuration/bulkBuyerUnits``
///   units (paid units, before any refund: what the user tried to take off the shelf).
/// - **Quick refund**: an order refunded at most ``Configuration/quickRefundMinutes`` after its payment
///   (event time); a refund stamped before its payment (a late record) counts too.
public struct Reconciliation: Sendable {
    /// The thresholds that make a SKU a slow mover and a buyer or an order an anomaly.
    public struct Configuration: Codable, Sendable, Equatable {
        /// A user with at least this many paid units of one SKU is listed as a bulk buyer:
        /// five is past what a household buys in one show and where resellers start. Default: 5.
        public var bulkBuyerUnits: Int64
        /// A refund at most this many minutes after the same order's payment is listed as a quick refund:
        /// ten minutes is too soon for delivery, so it points at impulse buys, price errors or abuse. Default: 10.
        public var quickRefundMinutes: Double
        /// A SKU with units still available and a sell-through below this is a slow mover:
        /// it sold less than a tenth of what it could. Default: 0.10.
        public var slowMoverSellThrough: Double

        /// Creates a configuration; every threshold has its documented default.
        public init(bulkBuyerUnits: Int64 = 5, quickRefundMinutes: Double = 10, slowMoverSellThrough: Double = 0.10) {
            self.bulkBuyerUnits = bulkBuyerUnits
            self.quickRefundMinutes = quickRefundMinutes
            self.slowMoverSellThrough = slowMoverSellThrough
        }
    }

    /// The thresholds in use.
    public let configuration: Configuration
    private var folds: [String: SKUFold] = [:]

    /// Creates an empty reconciliation.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
    }

    /// Folds one applied event; carts and interactions move no stock, so they are passed over.
    public mutating func record(_ event: StockEvent) {
        switch event {
        case .order(let order):
            folds[order.sku, default: SKUFold(sku: order.sku)].apply(order, quickRefundMilliseconds: quickRefundMilliseconds)
        case .inventory(let inventory):
            folds[inventory.sku, default: SKUFold(sku: inventory.sku)].apply(inventory)
        case .cart, .interaction:
            break
        }
    }

    /// ``Configuration/quickRefundMinutes`` in milliseconds, clamped so that no setting traps.
    private var quickRefundMilliseconds: Int64 {
        let milliseconds = (configuration.quickRefundMinutes * 60_000).rounded(.towardZero)
        guard milliseconds.isFinite, milliseconds < 9.0e18 else { return milliseconds > 0 ? .max : .min }
        return Int64(max(milliseconds, -9.0e18))
    }

    /// The report of everything recorded so far, rows sorted by SKU.
    /// - Parameter physicalCounts: a physical count to compare with; a counted SKU the session never saw
    ///   gets a row of zeros, so its whole count shows as a difference.
    public func report(physicalCounts: PhysicalCount? = nil) -> ReconciliationReport {
        var rows: [ReconciliationReport.SKURow] = []
        var anomalies: [ReconciliationReport.Anomaly] = []
        var skus = Set(folds.keys)
        if let physicalCounts { skus.formUnion(physicalCounts.countedUnits.keys) }
        for sku in skus.sorted() {
            let fold = folds[sku] ?? SKUFold(sku: sku)
            var row = fold.row()
            if let physicalCounts {
                row.compare(countedUnits: physicalCounts.countedUnits[sku])
                if row.countedUnits == nil { anomalies.append(.notCounted(row)) }
            }
            if !row.identityHolds { anomalies.append(.identityMismatch(row)) }
            anomalies += fold.anomalies(configuration: configuration)
            rows.append(row)
        }
        return ReconciliationReport(
            configuration: configuration, hasPhysicalCount: physicalCounts != nil, rows: rows, anomalies: anomalies)
    }
}

extension Reconciliation {
    /// One SKU's ledger plus what the reconciliation needs beyond it.
    struct SKUFold: Sendable {
        /// A user's paid units of the SKU.
        struct Purchases: Sendable {
            var units: Int64 = 0
            var orders = 0
        }

        /// An order refunded soon after its payment.
        struct QuickRefund: Sendable {
            var orderID: String
            var userID: String?
            var units: Int64
            var elapsedMilliseconds: Int64
        }

        var ledger: SKULedger
        /// Stock just before the first order event; nil until one arrives.
        var openingStock: Int64?
        var receivedUnits: Int64 = 0
        var adjustedUnits: Int64 = 0
        var damagedUnits: Int64 = 0
        var recountUnits: Int64 = 0
        /// The most units the pool held after any inventory record.
        var peakStock: Int64 = 0
        /// Paid units per `user_id`.
        var purchases: [String: Purchases] = [:]
        /// The first `user_id` seen per order, for statuses that do not repeat it.
        var orderUsers: [String: String] = [:]
        /// Payment time of paid orders that are not yet terminal.
        var paidAt: [String: EventTime] = [:]
        var quickRefunds: [QuickRefund] = []

        init(sku: String) {
            ledger = SKULedger(sku: sku)
        }

        mutating func apply(_ event: InventoryEvent) {
            let stockBefore = ledger.stock
            ledger.apply(event)
            peakStock = max(peakStock, ledger.stock)
            guard openingStock != nil else { return }
            switch event.kind {
            case .set: recountUnits &+= ledger.stock &- stockBefore
            case .receive: receivedUnits &+= event.quantity
            case .adjust: adjustedUnits &+= event.quantity
            case .damage: damagedUnits &+= event.quantity
            }
        }

        mutating func apply(_ event: OrderEvent, quickRefundMilliseconds: Int64) {
            if openingStock == nil { openingStock = ledger.stock }
            if let userID = event.userID, orderUsers[event.orderID] == nil { orderUsers[event.orderID] = userID }
            let previous = ledger.orders[event.orderID]?.status
            guard ledger.apply(event), let quantity = ledger.orders[event.orderID]?.quantity else { return }
            let userID = orderUsers[event.orderID]
            switch event.status {
            case .created:
                break
            case .paid:
                paidAt[event.orderID] = event.time
                if let userID {
                    purchases[userID, default: Purchases()].units &+= quantity
                    purchases[userID, default: Purchases()].orders += 1
                }
            case .cancelled, .refunded:
                let paymentTime = paidAt.removeValue(forKey: event.orderID)
                guard event.status == .refunded, previous == .paid, let paymentTime else { return }
                let elapsed = event.time.millisecondsSinceEpoch &- paymentTime.millisecondsSinceEpoch
                if elapsed <= quickRefundMilliseconds {
                    quickRefunds.append(
                        QuickRefund(orderID: event.orderID, userID: userID, units: quantity, elapsedMilliseconds: elapsed))
                }
            }
        }

        /// The SKU's row, without a physical count.
        func row() -> ReconciliationReport.SKURow {
            ReconciliationReport.SKURow(
                sku: ledger.sku, name: ledger.name, tier: ledger.tier, orders: ledger.orders.count,
                openingStock: openingStock ?? ledger.stock, receivedUnits: receivedUnits, adjustedUnits: adjustedUnits,
                damagedUnits: damagedUnits, recountUnits: recountUnits, paidUnits: ledger.paidUnitsTotal,
                soldUnits: ledger.sold, cancelledUnits: ledger.cancelledUnits, refundedUnits: ledger.refundedUnits,
                reservedUnits: ledger.reserved, closingStock: ledger.stock, closingAvailable: ledger.available,
                oversoldUnits: ledger.oversold, sellThrough: ledger.sellThrough, peakStock: peakStock)
        }

        /// Bulk buyers (by user) and quick refunds (by order) of this SKU.
        func anomalies(configuration: Configuration) -> [ReconciliationReport.Anomaly] {
            let buyers = purchases.filter { $0.value.units >= configuration.bulkBuyerUnits }.sorted { $0.key < $1.key }
            let bulk = buyers.map { user, purchases in
                ReconciliationReport.Anomaly.bulkBuyer(
                    sku: ledger.sku, userID: user, units: purchases.units, orders: purchases.orders,
                    threshold: configuration.bulkBuyerUnits)
            }
            let refunds = quickRefunds.sorted { $0.orderID < $1.orderID }.map { refund in
                ReconciliationReport.Anomaly.quickRefund(
                    sku: ledger.sku, orderID: refund.orderID, userID: refund.userID, units: refund.units,
                    elapsedMilliseconds: refund.elapsedMilliseconds, thresholdMinutes: configuration.quickRefundMinutes)
            }
            return bulk + refunds
        }
    }
}
