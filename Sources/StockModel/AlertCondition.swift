/// One alert condition evaluated for a SKU: the level it maps to, whether it holds, and whether it
/// still holds within the de-escalation margin.
public struct AlertCondition: Sendable, Equatable {
    /// Which rule.
    public enum Kind: String, Sendable {
        case share, eta, forecast, acceleration, unitFloor = "unit_floor"
    }

    /// Which rule.
    public var kind: Kind
    /// The level the condition maps to.
    public var level: AlertLevel
    /// The condition holds at its threshold.
    public var holds: Bool
    /// The condition holds at its threshold relaxed by the margin (true whenever `holds`).
    public var holdsWithinMargin: Bool
    /// The condition with its numbers, e.g. `eta 12.4 min < 15`.
    public var reason: String
    /// The same, against the relaxed threshold, e.g. `eta 16.2 min < 18.8 (15 + margin 25%)`.
    public var marginReason: String
    /// Why it does not hold, e.g. `eta 80.2 min ≥ 60`.
    public var clearedReason: String
}
