/// What the forecaster says about one SKU at one instant.
public struct Forecast: Sendable, Equatable {
    /// Units sold in the last 30 minutes ÷ 30, as operators compute it (`rate_per_min`).
    public var ratePerMinute: Double
    /// Units sold in the last 30 minutes (the current minute and the 29 before it).
    public var unitsLast30Minutes: Int64
    /// The sales level now, units/min: the 5-min rate corrected for its lag by the trend.
    public var salesRate: Double
    /// The 5-minute paid-units rate, units/min.
    public var fiveMinuteRate: Double
    /// The 30-minute paid-units rate, units/min.
    public var thirtyMinuteRate: Double
    /// Paid units the 5-minute window holds (its decayed count).
    public var fiveMinuteUnits: Double
    /// The order rate the leading signals (cart adds, mentions) imply, units/min.
    public var leadingRate: Double
    /// The learned cart→order conversion.
    public var cartConversion: Double
    /// Predicted units over the horizon (`forecast_demand`).
    public var demand: Double
    /// The horizon in minutes.
    public var horizonMinutes: Int
    /// `available ÷ salesRate` in minutes; nil when nothing sells (rate below 0.01 units/min).
    public var etaMinutes: Double?
}
