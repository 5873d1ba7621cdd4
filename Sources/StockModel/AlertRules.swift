/// The forecast-driven alert conditions and hysteresis of one tier or SKU (policy fields in brackets).
///
/// Defaults, and why (README "Alerts and forecasts" has the whole table):
/// - horizons 15 / 30 / 60 min for traffic / profit / longtail: how far ahead a tier is planned;
/// - ETA < 60 min → warning, < 15 min → critical: an hour is enough to restock or re-script the host,
///   15 minutes is "act now";
/// - `available < 1.5 × forecast` → warning: cover the horizon's demand with a 50% safety factor;
/// - 5-min rate ≥ 2 × 30-min rate, with ≥ 10 units in the 5-min window → notice;
/// - the forecast conditions (ETA, forecast, acceleration) need ≥ 10 units sold in the last 30 min:
///   below that a rate is a handful of orders (±30% Poisson noise at 10) and a slow SKU is left to
///   the static share levels, which give it minutes to hours of warning at its pace;
/// - margin 25% and cooldown 300 s: a condition clears only 25% beyond its threshold and must stay
///   clear for five minutes of event time, which bounds transitions per SKU per hour (README).
public struct AlertRules: Sendable, Equatable {
    /// Forecast horizon in minutes [`horizon_min`]. Default: 15 traffic, 30 profit, 60 longtail.
    public var horizonMinutes: Int
    /// ETA below this many minutes → warning [`eta_levels.warning`]. Default: 60.
    public var etaWarningMinutes: Double
    /// ETA below this many minutes → critical [`eta_levels.critical`]. Default: 15.
    public var etaCriticalMinutes: Double
    /// `available < k × forecast demand` → warning [`forecast_k`]. Default: 1.5.
    public var forecastK: Double
    /// 5-min rate ≥ factor × 30-min rate → notice [`acceleration.factor`]. Default: 2.
    public var accelerationFactor: Double
    /// Units the 5-min window must hold for acceleration to count [`acceleration.min_units`]. Default: 10.
    public var accelerationMinimumUnits: Double
    /// Units sold in the last 30 min before ETA, forecast and acceleration count [`min_volume_units`]. Default: 10.
    public var minimumVolumeUnits: Int64
    /// `available ≤ floor` → warning, when set [`unit_floor`]. Default: none.
    public var unitFloor: Int64?
    /// How far past its threshold a condition must clear, relative to the threshold [`margin`]. Default: 0.25.
    public var margin: Double
    /// How long (event time) the level must stay cleared before de-escalating [`cooldown_seconds`]. Default: 300.
    public var cooldownSeconds: Int64
    /// Cart→order conversion before the SKU's own data [`conversion_prior`]. Default: 0.5 traffic, 0.3 profit, 0.2 longtail.
    public var conversionPrior: Double
    /// Freeze while a critical ETA holds, not only at the buffer [`freeze.on_critical_eta`]. Default: false.
    public var freezeOnCriticalETA: Bool
    /// Send `lower_exposure` at this level and `restore_exposure` below it [`actions.lower_exposure`]. Default: off.
    public var lowerExposureLevel: AlertLevel?
    /// Send `low_stock_banner` once per episode at this level [`actions.low_stock_banner`]. Default: off.
    public var lowStockBannerLevel: AlertLevel?

    /// Creates rules; the defaults are the profit tier's.
    public init(
        horizonMinutes: Int = 30, etaWarningMinutes: Double = 60, etaCriticalMinutes: Double = 15,
        forecastK: Double = 1.5, accelerationFactor: Double = 2, accelerationMinimumUnits: Double = 10,
        minimumVolumeUnits: Int64 = 10, unitFloor: Int64? = nil, margin: Double = 0.25, cooldownSeconds: Int64 = 300,
        conversionPrior: Double = 0.3, freezeOnCriticalETA: Bool = false, lowerExposureLevel: AlertLevel? = nil,
        lowStockBannerLevel: AlertLevel? = nil
    ) {
        self.horizonMinutes = horizonMinutes
        self.etaWarningMinutes = etaWarningMinutes
        self.etaCriticalMinutes = etaCriticalMinutes
        self.forecastK = forecastK
        self.accelerationFactor = accelerationFactor
        self.accelerationMinimumUnits = accelerationMinimumUnits
        self.minimumVolumeUnits = minimumVolumeUnits
        self.unitFloor = unitFloor
        self.margin = margin
        self.cooldownSeconds = cooldownSeconds
        self.conversionPrior = conversionPrior
        self.freezeOnCriticalETA = freezeOnCriticalETA
        self.lowerExposureLevel = lowerExposureLevel
        self.lowStockBannerLevel = lowStockBannerLevel
    }

    /// The built-in rules of `tier`: only the horizon and the conversion prior differ by tier.
    public static func builtIn(for tier: Tier) -> AlertRules {
        switch tier {
        case .traffic: AlertRules(horizonMinutes: 15, conversionPrior: 0.5)
        case .profit: AlertRules(horizonMinutes: 30, conversionPrior: 0.3)
        case .longtail: AlertRules(horizonMinutes: 60, conversionPrior: 0.2)
        }
    }
}
