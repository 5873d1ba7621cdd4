/// Any accepted input event.
public enum StockEvent: Sendable, Equatable {
    /// An order status.
    case order(OrderEvent)
    /// A cart add or removal.
    case cart(CartEvent)
    /// A viewer interaction.
    case interaction(InteractionEvent)
    /// A stock count or movement.
    case inventory(InventoryEvent)

    /// The event's unique ID.
    public var eventID: String {
        switch self {
        case .order(let event): event.eventID
        case .cart(let event): event.eventID
        case .interaction(let event): event.eventID
        case .inventory(let event): event.eventID
        }
    }

    /// The SKU the event is about.
    public var sku: String {
        switch self {
        case .order(let event): event.sku
        case .cart(let event): event.sku
        case .interaction(let event): event.sku
        case .inventory(let event): event.sku
        }
    }

    /// The event's time.
    public var time: EventTime {
        switch self {
        case .order(let event): event.time
        case .cart(let event): event.time
        case .interaction(let event): event.time
        case .inventory(let event): event.time
        }
    }

    /// The input topic role the event comes from.
    public var topic: InputTopic {
        switch self {
        case .order: .orders
        case .cart: .carts
        case .interaction: .interactions
        case .inventory: .inventory
        }
    }
}
