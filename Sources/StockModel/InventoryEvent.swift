/// A stock count or movement, from the `inventory` topic.
public struct InventoryEvent: Sendable, Equatable {
    /// Unique per event; used to drop duplicates.
    public var eventID: String
    /// The SKU.
    public var sku: String
    /// Set, receive, adjust or damage.
    public var kind: InventoryKind
    /// Units (`qty` on the wire); its allowed range depends on `kind`.
    public var quantity: Int64
    /// Event time.
    public var time: EventTime
    /// The SKU's tier, when the inventory system knows it.
    public var tier: Tier?
    /// The product name, for reports.
    public var name: String?

    /// Creates an inventory event.
    public init(
        eventID: String, sku: String, kind: InventoryKind, quantity: Int64, time: EventTime,
        tier: Tier? = nil, name: String? = nil
    ) {
        self.eventID = eventID
        self.sku = sku
        self.kind = kind
        self.quantity = quantity
        self.time = time
        self.tier = tier
        self.name = name
    }
}
