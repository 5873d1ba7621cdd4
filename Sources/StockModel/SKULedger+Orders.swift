extension SKULedger {
    /// The orders of one ledger by `order_id`: the first order inline, a dictionary only from the second on.
    ///
    /// A SKU in a live room mostly sees one order at a time, and a one-entry dictionary costs a heap
    /// allocation of ~144 bytes; inline, the first order costs 25 bytes next to the ledger. The first
    /// order stays inline for the ledger's life, so which entry is inline depends on arrival order;
    /// equality, ``count`` and ``sortedByID`` do not.
    public struct Orders: Sendable, Equatable {
        /// The first order's ID; nil while there is no order.
        private var firstID: String?
        /// Every order after the first; nil until the second order.
        private var others: [String: OrderState]?
        private var firstQuantity: Int64 = 0
        private var firstStatus: OrderStatus = .created

        /// No orders.
        public init() {}

        /// How many orders are tracked.
        public var count: Int {
            guard firstID != nil else { return 0 }
            return 1 + (others?.count ?? 0)
        }

        /// True when no order is tracked.
        public var isEmpty: Bool { firstID == nil }

        /// The state of order `orderID`; nil when it was never seen.
        public subscript(orderID: String) -> OrderState? {
            guard let firstID else { return nil }
            if firstID == orderID { return OrderState(status: firstStatus, quantity: firstQuantity) }
            return others?[orderID]
        }

        /// Sets the state of order `orderID`, adding the order when it is new.
        mutating func set(_ state: OrderState, for orderID: String) {
            guard let firstID else {
                self.firstID = orderID
                firstStatus = state.status
                firstQuantity = state.quantity
                return
            }
            if firstID == orderID {
                firstStatus = state.status
                firstQuantity = state.quantity
            } else if others != nil {
                others?[orderID] = state
            } else {
                others = [orderID: state]
            }
        }

        /// Every order, sorted by ID.
        public func sortedByID() -> [(orderID: String, state: OrderState)] {
            guard let firstID else { return [] }
            var entries = [(orderID: firstID, state: OrderState(status: firstStatus, quantity: firstQuantity))]
            if let others {
                entries.reserveCapacity(1 + others.count)
                for (orderID, state) in others { entries.append((orderID, state)) }
            }
            entries.sort { $0.orderID < $1.orderID }
            return entries
        }

        /// Equal when the same order IDs have the same states, wherever each is stored.
        public static func == (lhs: Orders, rhs: Orders) -> Bool {
            guard lhs.count == rhs.count else { return false }
            return lhs.sortedByID().allSatisfy { rhs[$0.orderID] == $0.state }
        }
    }
}
