/// The alert, forecast and freeze rules that apply to one tier or one SKU.
public struct TierPolicy: Sendable, Equatable {
    /// Remaining-share alert thresholds.
    public var shareLevels: ShareLevels
    /// Freeze buffer and unfreeze margin.
    public var freeze: FreezePolicy
    /// Forecast conditions, hysteresis and actions.
    public var alerts: AlertRules

    /// Creates a policy; the defaults are the built-in 20/10/5 % levels with no buffer and the profit tier's rules.
    public init(shareLevels: ShareLevels = ShareLevels(), freeze: FreezePolicy = FreezePolicy(), alerts: AlertRules = AlertRules()) {
        self.shareLevels = shareLevels
        self.freeze = freeze
        self.alerts = alerts
    }

    /// The built-in policy of `tier`: 20/10/5 %, buffer 0, and the tier's ``AlertRules/builtIn(for:)``.
    public static func builtIn(for tier: Tier) -> TierPolicy {
        TierPolicy(alerts: .builtIn(for: tier))
    }
}
