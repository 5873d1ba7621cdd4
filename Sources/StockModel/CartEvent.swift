/// A cart add or removal, from the `carts` topic; a leading signal of orders.
public struct CartEvent: Sendable, Equatable {
    /// Unique per event; used to drop duplicates.
    public var eventID: String
    /// The SKU.
    public var sku: String
    /// Add or remove.
    public var action: CartAction
    /// Units (`qty` on the wire), ≥ 1.
    public var quantity: Int64
    /// Event time.
    public var time: EventTime
    /// The live room, if known.
    public var roomID: String?
    /// The viewer, if known.
    public var userID: String?

    /// Creates a cart event.
    public init(
        eventID: String, sku: String, action: CartAction, quantity: Int64, time: EventTime,
        roomID: String? = nil, userID: String? = nil
    ) {
        self.eventID = eventID
        self.sku = sku
        self.action = action
        self.quantity = quantity
        self.time = time
        self.roomID = roomID
        self.userID = userID
    }
}
