/// A partially given policy from the policy file; its fields merge over a tier's (or the built-in) values.
struct PolicyOverride: Sendable, Equatable {
    var tier: Tier?
    var notice: Double?
    var warning: Double?
    var critical: Double?
    var bufferUnits: Int64?
    var bufferShare: Double?
    var unfreezeMarginUnits: Int64?

    /// `base` with every given field replaced.
    func merged(over base: TierPolicy) -> TierPolicy {
        var policy = base
        if let notice { policy.shareLevels.notice = notice }
        if let warning { policy.shareLevels.warning = warning }
        if let critical { policy.shareLevels.critical = critical }
        if let bufferUnits { policy.freeze.bufferUnits = bufferUnits }
        if let bufferShare { policy.freeze.bufferShare = bufferShare }
        if let unfreezeMarginUnits { policy.freeze.unfreezeMarginUnits = unfreezeMarginUnits }
        return policy
    }
}
