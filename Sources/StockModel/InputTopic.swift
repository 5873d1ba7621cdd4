/// The role of an input topic; the Kafka topic name is configured elsewhere.
public enum InputTopic: String, Sendable, CaseIterable {
    /// Order status changes.
    case orders
    /// Cart adds and removals.
    case carts
    /// Comments, questions, likes, shares and clicks in the live room.
    case interactions
    /// Stock counts and movements.
    case inventory
}
