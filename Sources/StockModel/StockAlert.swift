/// One published alert transition for a SKU, for the `stock-alerts` topic.
///
/// For `resolved`, `level` and `previousLevel` are both the last level held, since levels have no "none".
public struct StockAlert: Sendable, Equatable {
    /// One ID per episode, from raised to resolved; derived from the raising event.
    public var alertID: String
    /// Unique per transition; derived from the causing event, level and transition.
    public var transitionID: String
    /// The SKU.
    public var sku: String
    /// The tier whose policy applied.
    public var tier: Tier
    /// The level after the transition (the last level held, for `resolved`).
    public var level: AlertLevel
    /// The level before the transition; nil for `raised`.
    public var previousLevel: AlertLevel?
    /// Raised, escalated, deescalated or resolved.
    public var transition: AlertTransition
    /// Every condition that holds (or, for `resolved`, why it cleared), with its numbers.
    public var reasons: [String]
    /// `stock − sold − reserved` at the causing event.
    public var available: Int64
    /// Units sold.
    public var sold: Int64
    /// Units reserved.
    public var reserved: Int64
    /// Units of stock.
    public var stock: Int64
    /// `max(0, −available)`.
    public var oversold: Int64
    /// Recent sales rate in units per minute; nil until forecasts exist.
    public var ratePerMinute: Double?
    /// Predicted demand over the horizon; nil until forecasts exist.
    public var forecastDemand: Double?
    /// The forecast horizon in minutes; nil until forecasts exist.
    public var horizonMinutes: Int?
    /// Minutes until sell-out at the current rate; nil when there are no sales.
    public var etaMinutes: Double?
    /// `sold ÷ (sold + available)`.
    public var sellThrough: Double
    /// Event time of the causing event.
    public var time: EventTime
    /// `event_id` of the causing event.
    public var causedBy: String

    /// Creates an alert transition.
    public init(
        alertID: String, transitionID: String, sku: String, tier: Tier, level: AlertLevel, previousLevel: AlertLevel?,
        transition: AlertTransition, reasons: [String], available: Int64, sold: Int64, reserved: Int64, stock: Int64,
        oversold: Int64, ratePerMinute: Double? = nil, forecastDemand: Double? = nil, horizonMinutes: Int? = nil,
        etaMinutes: Double? = nil, sellThrough: Double, time: EventTime, causedBy: String
    ) {
        self.alertID = alertID
        self.transitionID = transitionID
        self.sku = sku
        self.tier = tier
        self.level = level
        self.previousLevel = previousLevel
        self.transition = transition
        self.reasons = reasons
        self.available = available
        self.sold = sold
        self.reserved = reserved
        self.stock = stock
        self.oversold = oversold
        self.ratePerMinute = ratePerMinute
        self.forecastDemand = forecastDemand
        self.horizonMinutes = horizonMinutes
        self.etaMinutes = etaMinutes
        self.sellThrough = sellThrough
        self.time = time
        self.causedBy = causedBy
    }

    /// Appends the alert as one compact JSON object with the wire field names in a fixed order.
    ///
    /// `sell_through` is rounded to 4 decimals, `rate_per_min`, `forecast_demand` and `eta_min` to 2,
    /// so the same alert always encodes to the same bytes.
    public func encodeJSON(into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
        JSONWriter.appendKey("alert_id", first: true, to: &bytes)
        JSONWriter.appendString(alertID, to: &bytes)
        JSONWriter.appendKey("transition_id", to: &bytes)
        JSONWriter.appendString(transitionID, to: &bytes)
        JSONWriter.appendKey("sku", to: &bytes)
        JSONWriter.appendString(sku, to: &bytes)
        JSONWriter.appendKey("tier", to: &bytes)
        JSONWriter.appendString(tier.rawValue, to: &bytes)
        JSONWriter.appendKey("level", to: &bytes)
        JSONWriter.appendString(level.rawValue, to: &bytes)
        JSONWriter.appendKey("previous_level", to: &bytes)
        JSONWriter.appendOptionalString(previousLevel?.rawValue, to: &bytes)
        JSONWriter.appendKey("transition", to: &bytes)
        JSONWriter.appendString(transition.rawValue, to: &bytes)
        JSONWriter.appendKey("reasons", to: &bytes)
        bytes.append(UInt8(ascii: "["))
        for (index, reason) in reasons.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(reason, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        JSONWriter.appendKey("available", to: &bytes)
        JSONWriter.appendInteger(available, to: &bytes)
        JSONWriter.appendKey("sold", to: &bytes)
        JSONWriter.appendInteger(sold, to: &bytes)
        JSONWriter.appendKey("reserved", to: &bytes)
        JSONWriter.appendInteger(reserved, to: &bytes)
        JSONWriter.appendKey("stock", to: &bytes)
        JSONWriter.appendInteger(stock, to: &bytes)
        JSONWriter.appendKey("oversold", to: &bytes)
        JSONWriter.appendInteger(oversold, to: &bytes)
        JSONWriter.appendKey("rate_per_min", to: &bytes)
        JSONWriter.appendOptionalDecimal(ratePerMinute, decimals: 2, to: &bytes)
        JSONWriter.appendKey("forecast_demand", to: &bytes)
        JSONWriter.appendOptionalDecimal(forecastDemand, decimals: 2, to: &bytes)
        JSONWriter.appendKey("horizon_min", to: &bytes)
        if let horizonMinutes { JSONWriter.appendInteger(horizonMinutes, to: &bytes) } else { JSONWriter.appendNull(to: &bytes) }
        JSONWriter.appendKey("eta_min", to: &bytes)
        JSONWriter.appendOptionalDecimal(etaMinutes, decimals: 2, to: &bytes)
        JSONWriter.appendKey("sell_through", to: &bytes)
        JSONWriter.appendDecimal(sellThrough, decimals: 4, to: &bytes)
        JSONWriter.appendKey("ts", to: &bytes)
        JSONWriter.appendInteger(time.millisecondsSinceEpoch, to: &bytes)
        JSONWriter.appendKey("caused_by", to: &bytes)
        JSONWriter.appendString(causedBy, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }
}
