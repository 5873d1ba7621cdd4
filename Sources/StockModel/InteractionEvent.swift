/// A viewer interaction about a SKU, from the `interactions` topic; a leading signal of demand.
public struct InteractionEvent: Sendable, Equatable {
    /// Unique per event; used to drop duplicates.
    public var eventID: String
    /// The SKU.
    public var sku: String
    /// What the viewer did.
    public var kind: InteractionKind
    /// Event time.
    public var time: EventTime
    /// The live room, if known.
    public var roomID: String?
    /// The comment or question text, if any.
    public var text: String?

    /// Creates an interaction event.
    public init(
        eventID: String, sku: String, kind: InteractionKind, time: EventTime,
        roomID: String? = nil, text: String? = nil
    ) {
        self.eventID = eventID
        self.sku = sku
        self.kind = kind
        self.time = time
        self.roomID = roomID
        self.text = text
    }
}
