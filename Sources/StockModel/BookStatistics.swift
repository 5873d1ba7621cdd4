/// Counters of one `StockBook`, for metrics and reports.
public struct BookStatistics: Sendable, Equatable {
    /// Events folded into the state.
    public var eventsApplied: Int
    /// Events dropped as duplicates.
    public var duplicatesDropped: Int
    /// Raised and escalated transitions, counted at their new level.
    public var alertsByLevel: [AlertLevel: Int]
    /// Freeze commands issued.
    public var freezes: Int
    /// Unfreeze commands issued.
    public var unfreezes: Int
    /// Units oversold now, summed over all SKUs.
    public var oversoldUnits: Int64
    /// Events older than the watermark when they arrived; applied all the same.
    public var lateEvents: Int = 0

    /// Creates statistics.
    public init(
        eventsApplied: Int = 0, duplicatesDropped: Int = 0, alertsByLevel: [AlertLevel: Int] = [:], freezes: Int = 0,
        unfreezes: Int = 0, oversoldUnits: Int64 = 0
    ) {
        self.eventsApplied = eventsApplied
        self.duplicatesDropped = duplicatesDropped
        self.alertsByLevel = alertsByLevel
        self.freezes = freezes
        self.unfreezes = unfreezes
        self.oversoldUnits = oversoldUnits
    }
}
