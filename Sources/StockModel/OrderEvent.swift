/// One status of one order, from the `orders` topic.
public struct OrderEvent: Sendable, Equatable {
    /// Unique per event; used to drop duplicates.
    public var eventID: String
    /// The order this status belongs to.
    public var orderID: String
    /// The SKU ordered.
    public var sku: String
    /// Units ordered (`qty` on the wire), ≥ 1.
    public var quantity: Int64
    /// The status reported.
    public var status: OrderStatus
    /// Event time.
    public var time: EventTime
    /// The live room the order came from, if known.
    public var roomID: String?
    /// The buyer, if known.
    public var userID: String?
    /// The sales channel, if known.
    public var channel: String?
    /// Unit price, if known; ≥ 0.
    public var price: Double?

    /// Creates an order event.
    public init(
        eventID: String, orderID: String, sku: String, quantity: Int64, status: OrderStatus, time: EventTime,
        roomID: String? = nil, userID: String? = nil, channel: String? = nil, price: Double? = nil
    ) {
        self.eventID = eventID
        self.orderID = orderID
        self.sku = sku
        self.quantity = quantity
        self.status = status
        self.time = time
        self.roomID = roomID
        self.userID = userID
        self.channel = channel
        self.price = price
    }
}
