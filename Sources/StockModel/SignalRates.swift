/// One signal of one SKU (paid units, created units, net cart adds or mentions) over the 1, 5, 15 and
/// 30 minute windows: four decayed counts and one update time, 48 bytes whatever the traffic.
///
/// Every update reaches all four windows, so they always share their update time: it is stored once
/// and each window is read as a ``RateWindow`` built on demand. The arithmetic is ``RateWindow``'s own.
public struct SignalRates: Sendable, Equatable {
    private static let oneMinuteMilliseconds: Int64 = 60_000
    private static let fiveMinutesMilliseconds: Int64 = 5 * 60_000
    private static let fifteenMinutesMilliseconds: Int64 = 15 * 60_000
    private static let thirtyMinutesMilliseconds: Int64 = 30 * 60_000

    var oneMinuteCount = 0.0
    var fiveMinuteCount = 0.0
    var fifteenMinuteCount = 0.0
    var thirtyMinuteCount = 0.0
    var updatedAtMilliseconds: Int64 = 0
    /// False until the first update; the windows then have no update time.
    var isUpdated = false

    /// Creates empty windows.
    public init() {}

    /// τ = 1 minute.
    public var oneMinute: RateWindow { window(minutes: 1, count: oneMinuteCount) }
    /// τ = 5 minutes.
    public var fiveMinutes: RateWindow { window(minutes: 5, count: fiveMinuteCount) }
    /// τ = 15 minutes.
    public var fifteenMinutes: RateWindow { window(minutes: 15, count: fifteenMinuteCount) }
    /// τ = 30 minutes.
    public var thirtyMinutes: RateWindow { window(minutes: 30, count: thirtyMinuteCount) }

    /// The shared update time; nil before the first update.
    var updatedAt: EventTime? { isUpdated ? EventTime(millisecondsSinceEpoch: updatedAtMilliseconds) : nil }

    private func window(minutes: Int, count: Double) -> RateWindow {
        RateWindow(minutes: minutes, decayedCount: count, updatedAt: updatedAt)
    }

    /// Adds `amount` at `time` to every window, exactly as ``RateWindow/add(_:at:)`` does to each.
    public mutating func add(_ amount: Double, at time: EventTime) {
        guard isUpdated else {
            oneMinuteCount = amount
            fiveMinuteCount = amount
            fifteenMinuteCount = amount
            thirtyMinuteCount = amount
            updatedAtMilliseconds = time.millisecondsSinceEpoch
            isUpdated = true
            return
        }
        let milliseconds = time.millisecondsSinceEpoch
        if milliseconds >= updatedAtMilliseconds {
            let gap = milliseconds - updatedAtMilliseconds
            oneMinuteCount = oneMinuteCount * RateWindow.decay(overMilliseconds: gap, Self.oneMinuteMilliseconds) + amount
            fiveMinuteCount = fiveMinuteCount * RateWindow.decay(overMilliseconds: gap, Self.fiveMinutesMilliseconds) + amount
            fifteenMinuteCount = fifteenMinuteCount * RateWindow.decay(overMilliseconds: gap, Self.fifteenMinutesMilliseconds)
                + amount
            thirtyMinuteCount = thirtyMinuteCount * RateWindow.decay(overMilliseconds: gap, Self.thirtyMinutesMilliseconds)
                + amount
            updatedAtMilliseconds = milliseconds
        } else {
            let lateness = updatedAtMilliseconds - milliseconds
            oneMinuteCount += amount * RateWindow.decay(overMilliseconds: lateness, Self.oneMinuteMilliseconds)
            fiveMinuteCount += amount * RateWindow.decay(overMilliseconds: lateness, Self.fiveMinutesMilliseconds)
            fifteenMinuteCount += amount * RateWindow.decay(overMilliseconds: lateness, Self.fifteenMinutesMilliseconds)
            thirtyMinuteCount += amount * RateWindow.decay(overMilliseconds: lateness, Self.thirtyMinutesMilliseconds)
        }
    }
}
