/// An exponentially decayed counter of one signal with time constant τ: O(1) memory, exact time gaps.
///
/// On each update the count decays by `e^(−Δt/τ)` for the exact event-time gap Δt since the last
/// update, then the new amount is added. For a steady flow of `r` units per minute the count tends to
/// `r × τ`, so `count ÷ τ` is the rate over "about the last τ minutes" (each unit weighs `e^(−age/τ)`;
/// the mean age of what it counts is τ).
///
/// - Start-up: until the signal has been observed for several τ, a plain `count ÷ τ` underestimates
///   the rate. ``ratePerMinute(at:observedSince:)`` divides by the covered span
///   `τ × (1 − e^(−age/τ))` instead (age at least one minute), the usual bias correction, so a steady
///   SKU shows the same rate in every window from its first minute, and a short window is not mistaken
///   for an acceleration.
/// - Late events (older than the last update) are added with the weight they would have had:
///   `amount × e^(−lateness/τ)`; the last update time does not move back. So a late unit counts as
///   much as if it had arrived on time, and a very late one (several τ) hardly counts.
public struct RateWindow: Sendable, Equatable {
    /// τ in milliseconds.
    public let timeConstantMilliseconds: Int64
    /// The decayed count as of ``updatedAt``.
    public internal(set) var decayedCount: Double = 0
    /// Event time of the last update; nil before the first.
    public internal(set) var updatedAt: EventTime?

    /// Creates an empty window with time constant `minutes` (τ).
    public init(minutes: Int) {
        precondition(minutes > 0, "a rate window needs a positive time constant")
        self.timeConstantMilliseconds = Int64(minutes) * 60_000
    }

    /// A window of time constant `minutes` with the given state, as ``SignalRates`` stores it.
    init(minutes: Int, decayedCount: Double, updatedAt: EventTime?) {
        self.init(minutes: minutes)
        self.decayedCount = decayedCount
        self.updatedAt = updatedAt
    }

    /// The factor a count decays by over `milliseconds` (≥ 0).
    func decay(overMilliseconds milliseconds: Int64) -> Double {
        Self.decay(overMilliseconds: milliseconds, timeConstantMilliseconds)
    }

    /// The factor a count with time constant `timeConstantMilliseconds` decays by over `milliseconds`.
    static func decay(overMilliseconds milliseconds: Int64, _ timeConstantMilliseconds: Int64) -> Double {
        guard milliseconds > 0 else { return 1 }
        return DecayMath.exponential(-Double(milliseconds) / Double(timeConstantMilliseconds))
    }

    /// Adds `amount` (may be negative, e.g. a cart removal) observed at `time`.
    public mutating func add(_ amount: Double, at time: EventTime) {
        guard let updatedAt else {
            decayedCount = amount
            self.updatedAt = time
            return
        }
        if time >= updatedAt {
            decayedCount = decayedCount * decay(overMilliseconds: time.millisecondsSinceEpoch - updatedAt.millisecondsSinceEpoch)
                + amount
            self.updatedAt = time
        } else {
            decayedCount += amount * decay(overMilliseconds: updatedAt.millisecondsSinceEpoch - time.millisecondsSinceEpoch)
        }
    }

    /// The decayed count as of `time`; the count at the last update when `time` is earlier.
    public func count(at time: EventTime) -> Double {
        guard let updatedAt else { return 0 }
        return decayedCount * decay(overMilliseconds: time.millisecondsSinceEpoch - updatedAt.millisecondsSinceEpoch)
    }

    /// Units per minute at `time`: the decayed count divided by the span it covers,
    /// `τ × (1 − e^(−age/τ))` with `age = time − observedSince`, at least one minute.
    public func ratePerMinute(at time: EventTime, observedSince: EventTime) -> Double {
        let ageMilliseconds = max(60_000, time.millisecondsSinceEpoch - observedSince.millisecondsSinceEpoch)
        let coveredMinutes = Double(timeConstantMilliseconds) / 60_000 * (1 - decay(overMilliseconds: ageMilliseconds))
        return count(at: time) / coveredMinutes
    }
}
