/// What a cart event did.
public enum CartAction: String, Sendable, CaseIterable {
    /// Units were added to a cart.
    case add
    /// Units were removed from a cart.
    case remove
}
