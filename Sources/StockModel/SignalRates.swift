/// One signal of one SKU (paid units, created units, net cart adds or mentions) over the 1, 5, 15 and
/// 30 minute windows: four ``RateWindow``s, 4 × 24 bytes whatever the traffic.
public struct SignalRates: Sendable, Equatable {
    /// τ = 1 minute.
    public internal(set) var oneMinute = RateWindow(minutes: 1)
    /// τ = 5 minutes.
    public internal(set) var fiveMinutes = RateWindow(minutes: 5)
    /// τ = 15 minutes.
    public internal(set) var fifteenMinutes = RateWindow(minutes: 15)
    /// τ = 30 minutes.
    public internal(set) var thirtyMinutes = RateWindow(minutes: 30)

    /// Creates empty windows.
    public init() {}

    /// Adds `amount` at `time` to every window.
    public mutating func add(_ amount: Double, at time: EventTime) {
        oneMinute.add(amount, at: time)
        fiveMinutes.add(amount, at: time)
        fifteenMinutes.add(amount, at: time)
        thirtyMinutes.add(amount, at: time)
    }
}
