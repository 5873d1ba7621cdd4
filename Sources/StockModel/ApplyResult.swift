/// What `StockBook.apply` did with an event.
public enum ApplyResult: Sendable, Equatable {
    /// The event was folded into the state.
    case applied
    /// The event's ID was seen within the duplicate window; it was dropped.
    case duplicate
}
