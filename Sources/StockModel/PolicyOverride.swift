/// A partially given policy from the policy file; its fields merge over a tier's (or the built-in) values.
struct PolicyOverride: Sendable, Equatable {
    var tier: Tier?
    var notice: Double?
    var warning: Double?
    var critical: Double?
    var bufferUnits: Int64?
    var bufferShare: Double?
    var unfreezeMarginUnits: Int64?
    var freezeOnCriticalETA: Bool?
    var horizonMinutes: Int?
    var etaWarningMinutes: Double?
    var etaCriticalMinutes: Double?
    var forecastK: Double?
    var accelerationFactor: Double?
    var accelerationMinimumUnits: Double?
    var minimumVolumeUnits: Int64?
    var unitFloor: Int64?
    var conversionPrior: Double?
    var margin: Double?
    var cooldownSeconds: Int64?
    /// `.some(nil)` switches an action off.
    var lowerExposureLevel: AlertLevel??
    var lowStockBannerLevel: AlertLevel??

    /// `base` with every given field replaced.
    func merged(over base: TierPolicy) -> TierPolicy {
        var policy = base
        if let notice { policy.shareLevels.notice = notice }
        if let warning { policy.shareLevels.warning = warning }
        if let critical { policy.shareLevels.critical = critical }
        if let bufferUnits { policy.freeze.bufferUnits = bufferUnits }
        if let bufferShare { policy.freeze.bufferShare = bufferShare }
        if let unfreezeMarginUnits { policy.freeze.unfreezeMarginUnits = unfreezeMarginUnits }
        if let freezeOnCriticalETA { policy.alerts.freezeOnCriticalETA = freezeOnCriticalETA }
        if let horizonMinutes { policy.alerts.horizonMinutes = horizonMinutes }
        if let etaWarningMinutes { policy.alerts.etaWarningMinutes = etaWarningMinutes }
        if let etaCriticalMinutes { policy.alerts.etaCriticalMinutes = etaCriticalMinutes }
        if let forecastK { policy.alerts.forecastK = forecastK }
        if let accelerationFactor { policy.alerts.accelerationFactor = accelerationFactor }
        if let accelerationMinimumUnits { policy.alerts.accelerationMinimumUnits = accelerationMinimumUnits }
        if let minimumVolumeUnits { policy.alerts.minimumVolumeUnits = minimumVolumeUnits }
        if let unitFloor { policy.alerts.unitFloor = unitFloor }
        if let conversionPrior { policy.alerts.conversionPrior = conversionPrior }
        if let margin { policy.alerts.margin = margin }
        if let cooldownSeconds { policy.alerts.cooldownSeconds = cooldownSeconds }
        if let lowerExposureLevel { policy.alerts.lowerExposureLevel = lowerExposureLevel }
        if let lowStockBannerLevel { policy.alerts.lowStockBannerLevel = lowStockBannerLevel }
        return policy
    }
}
