/// Decides when a task writes its next snapshot: every `everyEvents` events or every `everyInterval`,
/// whichever comes first. A value type that reads no clock: the caller passes the time elapsed.
public struct SnapshotSchedule: Hashable, Sendable {
    /// Snapshot after this many events have been applied since the last snapshot.
    ///
    /// Default: 10,000.
    public var everyEvents: Int = 10_000 {
        didSet { precondition(everyEvents > 0, "everyEvents must be positive") }
    }

    /// Snapshot once this much time has passed since the last snapshot (and some event was applied).
    ///
    /// Default: 60 seconds.
    public var everyInterval: Duration = .seconds(60) {
        didSet { precondition(everyInterval > .zero, "everyInterval must be positive") }
    }

    /// Creates a schedule with the defaults.
    public init() {}

    /// Creates a schedule.
    /// - Parameters:
    ///   - everyEvents: Events between snapshots.
    ///   - everyInterval: Time between snapshots.
    public init(everyEvents: Int, everyInterval: Duration) {
        precondition(everyEvents > 0 && everyInterval > .zero, "snapshot schedule bounds must be positive")
        self.everyEvents = everyEvents
        self.everyInterval = everyInterval
    }

    /// Whether to write a snapshot now.
    /// - Parameters:
    ///   - eventsSinceLast: Events applied since the last snapshot (or since recovery).
    ///   - elapsed: Time since the last snapshot, measured by the caller's clock.
    /// - Returns: True when something changed and either bound is reached.
    public func shouldSnapshot(eventsSinceLast: Int, elapsed: Duration) -> Bool {
        eventsSinceLast > 0 && (eventsSinceLast >= everyEvents || elapsed >= everyInterval)
    }
}
