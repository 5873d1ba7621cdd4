/// The kind of a viewer interaction in a live room.
public enum InteractionKind: String, Sendable, CaseIterable {
    /// A chat comment.
    case comment
    /// A question about the product.
    case question
    /// A like.
    case like
    /// A share of the room or product.
    case share
    /// A click on the product card.
    case click
}
