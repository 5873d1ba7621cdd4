/// The status an order reports; an order moves forward through these once.
public enum OrderStatus: String, Sendable, CaseIterable {
    /// The order was placed: its units are reserved.
    case created
    /// The order was paid: its units are sold.
    case paid
    /// The order was cancelled: a reservation is released, or sold units return.
    case cancelled
    /// The order was refunded: its units return.
    case refunded

    /// Position in the order's life: created 1, paid 2, cancelled and refunded 3 (terminal).
    ///
    /// A status applies only when its rank is higher than the order's current one.
    public var rank: Int {
        switch self {
        case .created: 1
        case .paid: 2
        case .cancelled, .refunded: 3
        }
    }
}
