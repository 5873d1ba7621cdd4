/// How a SKU's alert level changed; only transitions are published.
public enum AlertTransition: String, Sendable, CaseIterable {
    /// No alert → a level; starts an episode and its `alert_id`.
    case raised
    /// A higher level.
    case escalated
    /// A lower level, still alerting.
    case deescalated
    /// Back to no alert; ends the episode.
    case resolved
}
