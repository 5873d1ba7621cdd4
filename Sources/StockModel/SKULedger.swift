/// The stock of one SKU in one central pool for all rooms and channels: stock, sold and reserved units.
///
/// Orders are tracked per `order_id` so each order moves through its statuses once: a repeated or
/// out-of-order status is ignored, not double-counted. An order's quantity is fixed by the first status
/// seen for it; later statuses move that quantity, whatever `qty` they carry.
public struct SKULedger: Sendable, Equatable {
    /// Where one order stands, as far as this ledger has seen.
    public struct OrderState: Sendable, Equatable {
        /// The furthest status applied.
        public var status: OrderStatus
        /// Units, fixed by the first status seen.
        public var quantity: Int64
    }

    /// The SKU.
    public let sku: String
    /// Sellable units in the pool (after inventory records), before orders.
    public internal(set) var stock: Int64 = 0
    /// Units paid for and not returned.
    public internal(set) var sold: Int64 = 0
    /// Units held by created, unpaid orders.
    public internal(set) var reserved: Int64 = 0
    /// True once any inventory record was applied; alerts wait for it.
    public internal(set) var hasStock = false
    /// The last tier seen on an inventory record.
    public internal(set) var tier: Tier?
    /// The last product name seen on an inventory record.
    public internal(set) var name: String?

    /// Units added by `receive` records.
    public internal(set) var receivedUnits: Int64 = 0
    /// Units removed by `damage` records.
    public internal(set) var damagedUnits: Int64 = 0
    /// Net units added by `adjust` records (signed).
    public internal(set) var adjustedUnits: Int64 = 0
    /// Units released or returned by cancellations.
    public internal(set) var cancelledUnits: Int64 = 0
    /// Units released or returned by refunds.
    public internal(set) var refundedUnits: Int64 = 0
    /// Units ever reserved by created orders.
    public internal(set) var reservedUnitsTotal: Int64 = 0
    /// Units ever sold by paid orders.
    public internal(set) var paidUnitsTotal: Int64 = 0
    /// Order statuses ignored because they were repeated or out of order.
    public internal(set) var ignoredOrderStatuses = 0
    /// Each order's state by `order_id`; kept so later statuses of the same order are applied once.
    public internal(set) var orders = Orders()

    /// Creates an empty ledger: no stock seen yet.
    public init(sku: String) {
        self.sku = sku
    }

    /// Units that can still be sold: `stock − sold − reserved`.
    public var available: Int64 { stock &- sold &- reserved }

    /// `sold ÷ (sold + available)`; 0 when the denominator ≤ 0.
    public var sellThrough: Double {
        let denominator = sold &+ available
        guard denominator > 0 else { return 0 }
        return Double(sold) / Double(denominator)
    }

    /// Units sold or reserved beyond stock: `max(0, −available)`; the number StockSentry exists to keep at zero.
    public var oversold: Int64 { max(0, 0 &- available) }

    /// Applies an inventory record: `set` replaces stock, `receive` and `adjust` add, `damage` removes.
    public mutating func apply(_ event: InventoryEvent) {
        switch event.kind {
        case .set:
            stock = event.quantity
        case .receive:
            restock(quantity: event.quantity)
        case .adjust:
            stock = Self.saturatingAdd(stock, event.quantity)
            adjustedUnits = Self.saturatingAdd(adjustedUnits, event.quantity)
        case .damage:
            stock = Self.saturatingSubtract(stock, event.quantity)
            damagedUnits = Self.saturatingAdd(damagedUnits, event.quantity)
        }
        hasStock = true
        if let eventTier = event.tier { tier = eventTier }
        if let eventName = event.name { name = eventName }
    }

    /// Adds restocked units.
    public mutating func restock(quantity: Int64) {
        stock = Self.saturatingAdd(stock, quantity)
        receivedUnits = Self.saturatingAdd(receivedUnits, quantity)
    }

    /// Applies an order status if it moves the order forward.
    /// - Returns: true when units moved or the order's state changed; false for a repeated or out-of-order status.
    @discardableResult
    public mutating func apply(_ event: OrderEvent) -> Bool {
        let previous = orders[event.orderID]
        if let previous, event.status.rank <= previous.status.rank {
            ignoredOrderStatuses += 1
            return false
        }
        let quantity = previous?.quantity ?? event.quantity
        switch (previous?.status, event.status) {
        case (nil, .created):
            reserve(quantity: quantity)
        case (nil, .paid):
            sell(quantity: quantity, fromReservation: false)
        case (.created?, .paid):
            sell(quantity: quantity, fromReservation: true)
        case (.created?, .cancelled):
            release(quantity: quantity)
            cancelledUnits = Self.saturatingAdd(cancelledUnits, quantity)
        case (.created?, .refunded):
            release(quantity: quantity)
            refundedUnits = Self.saturatingAdd(refundedUnits, quantity)
        case (.paid?, .cancelled):
            returnSold(quantity: quantity)
            cancelledUnits = Self.saturatingAdd(cancelledUnits, quantity)
        case (.paid?, .refunded):
            returnSold(quantity: quantity)
            refundedUnits = Self.saturatingAdd(refundedUnits, quantity)
        default:
            // nil → cancelled/refunded: the order is terminal before any units moved; only its state is kept.
            break
        }
        orders.set(OrderState(status: event.status, quantity: quantity), for: event.orderID)
        return true
    }

    /// Holds units for a created order.
    mutating func reserve(quantity: Int64) {
        reserved = Self.saturatingAdd(reserved, quantity)
        reservedUnitsTotal = Self.saturatingAdd(reservedUnitsTotal, quantity)
    }

    /// Sells units, turning a reservation into a sale when there was one.
    mutating func sell(quantity: Int64, fromReservation: Bool) {
        if fromReservation { reserved = Self.saturatingSubtract(reserved, quantity) }
        sold = Self.saturatingAdd(sold, quantity)
        paidUnitsTotal = Self.saturatingAdd(paidUnitsTotal, quantity)
    }

    /// Releases a reservation.
    mutating func release(quantity: Int64) {
        reserved = Self.saturatingSubtract(reserved, quantity)
    }

    /// Returns sold units to the pool.
    mutating func returnSold(quantity: Int64) {
        sold = Self.saturatingSubtract(sold, quantity)
    }

    /// Adds without trapping: counts are bounded by the decoder, so saturation is a guard, never a result.
    static func saturatingAdd(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        guard overflow else { return sum }
        return rhs > 0 ? .max : .min
    }

    /// Subtracts without trapping, even for `Int64.min`, which has no negation.
    static func saturatingSubtract(_ lhs: Int64, _ rhs: Int64) -> Int64 {
        let (difference, overflow) = lhs.subtractingReportingOverflow(rhs)
        guard overflow else { return difference }
        return rhs < 0 ? .max : .min
    }
}
