/// The forecasting state of one SKU: its signals' rates, the exact 30-minute sales count, the learned
/// conversions and the forecast being scored. O(1) memory per SKU.
///
/// The forecast over horizon H (minutes):
/// - **sales trend**: level `l = r5 + 5 × s` and slope `s = (r5 − r30) ÷ 25` per minute (the 5- and
///   30-minute windows' mean ages are 25 minutes apart, and `r5` lags by 5); the rate is projected
///   linearly with the trend damped by half, never below 0: `sales = H × (l + max(0, l + s × H ÷ 2)) ÷ 2`;
/// - **leading signals**: `lead = 0.75 × c_cart × cart5 + 0.25 × c_mention × mention5` (all the weight
///   on one signal when the other had nothing in 30 minutes), where each conversion is learned per SKU
///   as `(prior × 20 + paid) ÷ (20 + signal)` over *completed* forecast horizons (paid units and signal
///   units counted between a forecast's issue and its horizon's end, older horizons halved each time;
///   20 units of prior weight; at most 1). Learning only from completed horizons gives carts time to
///   convert, so a surge of fresh carts does not talk its own conversion down. In steady state each
///   term predicts the sales rate, so the blend does not double-count; a cart surge raises it before
///   orders follow;
/// - **demand** = `max(sales, lead × H)`: whichever says more will sell.
///
/// The created-units rates are kept for inspection but not used: paid units follow them within
/// minutes and are what the ledger's `sold` and the forecast score count.
///
/// `eta = available ÷ l` (nil when `l` < 0.01 units/min). Each forecast is scored at the first event or
/// evaluation at or after its horizon's end against the paid units in between (exact, since paid units
/// only arrive with events); then the next one is issued, while the SKU has sold in the last 30 minutes
/// and after its first 5 minutes of history.
public struct Forecaster: Sendable, Equatable {
    /// A forecast waiting for its horizon's end.
    struct PendingForecast: Sendable, Equatable {
        var issuedAt: EventTime
        var horizonMinutes: Int
        var predictedUnits: Double
        var paidUnitsAtIssue: Int64
        var cartUnitsAtIssue: Int64
        var mentionsAtIssue: Int64
    }

    /// Weight of the conversion prior, in units.
    static let priorWeightUnits = 20.0
    /// No forecast is scored before a SKU has this much history (the 5-minute window's time constant):
    /// a rate from the first few orders says little about the next half hour.
    static let warmUpMilliseconds: Int64 = 5 * 60_000
    /// Below this many units per minute nothing sells, and there is no ETA.
    static let minimumSellingRate = 0.01
    /// The mention→order conversion prior (units per mention), as a share of the cart→order prior.
    static let mentionPriorFactor = 0.5

    /// When the SKU was first seen; rates are bias-corrected from here.
    public internal(set) var observedSince: EventTime
    /// Paid units.
    public internal(set) var paid = SignalRates()
    /// Units of created orders.
    public internal(set) var created = SignalRates()
    /// Cart adds minus removes.
    public internal(set) var cartAdds = SignalRates()
    /// Comments and questions.
    public internal(set) var mentions = SignalRates()
    /// Paid units per minute over the last 30 minutes, exactly.
    public internal(set) var soldByMinute = TrailingMinuteCounts()
    /// All paid units ever counted.
    public internal(set) var paidUnitsTotal: Int64 = 0
    /// Net cart adds ever counted.
    public internal(set) var cartUnitsTotal: Int64 = 0
    /// Mentions ever counted.
    public internal(set) var mentionsTotal: Int64 = 0
    /// Learned numerators and denominators (decayed by half per completed horizon).
    var learnedPaidUnits = 0.0
    var learnedCartUnits = 0.0
    var learnedMentions = 0.0
    var pending: PendingForecast?
    /// This SKU's forecast error so far.
    public internal(set) var accuracy = ForecastAccuracy()

    /// Creates the state of a SKU first seen at `time`.
    public init(observedSince time: EventTime) {
        self.observedSince = time
    }

    /// Counts paid units at `time`.
    public mutating func recordPaid(_ units: Int64, at time: EventTime) {
        guard units > 0 else { return }
        paid.add(Double(units), at: time)
        soldByMinute.add(units, at: time)
        paidUnitsTotal = SKULedger.saturatingAdd(paidUnitsTotal, units)
    }

    /// Counts units of newly created orders at `time`.
    public mutating func recordCreated(_ units: Int64, at time: EventTime) {
        guard units > 0 else { return }
        created.add(Double(units), at: time)
    }

    /// Counts a cart add (positive) or removal (negative) at `time`.
    public mutating func recordCart(_ units: Int64, at time: EventTime) {
        cartAdds.add(Double(units), at: time)
        cartUnitsTotal = cartUnitsTotal &+ units
    }

    /// Counts one comment or question at `time`.
    public mutating func recordMention(at time: EventTime) {
        mentions.add(1, at: time)
        mentionsTotal = mentionsTotal &+ 1
    }

    /// The forecast at `time` for a SKU with `available` units under `rules`.
    public func forecast(at time: EventTime, available: Int64, rules: AlertRules) -> Forecast {
        let unitsLast30 = soldByMinute.total(at: time)
        // The same arithmetic as `RateWindow.ratePerMinute(at:observedSince:)` and `count(at:)` per window,
        // but each decay factor is computed once: the bias correction's factors are shared by all
        // signals, and a signal's 5-minute count serves both its rate and `fiveMinuteUnits`.
        var decays = WindowDecays()
        let ageMilliseconds = max(60_000, time.millisecondsSinceEpoch - observedSince.millisecondsSinceEpoch)
        let ageDecay = decays.factors(overMilliseconds: ageMilliseconds)
        let fiveMinutesCovered = Double(WindowDecays.fiveMinutesMilliseconds) / 60_000 * (1 - ageDecay.fiveMinutes)
        let thirtyMinutesCovered = Double(WindowDecays.thirtyMinutesMilliseconds) / 60_000 * (1 - ageDecay.thirtyMinutes)
        let paidCounts = decays.counts(of: paid, at: time)
        let rate5 = paidCounts.fiveMinutes / fiveMinutesCovered
        let rate30 = paidCounts.thirtyMinutes / thirtyMinutesCovered
        let slope = (rate5 - rate30) / 25
        let level = max(0, rate5 + 5 * slope)
        let horizon = Double(rules.horizonMinutes)
        let salesDemand = horizon * (level + max(0, level + slope * horizon / 2)) / 2

        let prior = min(1, max(0, rules.conversionPrior))
        let cartConversion = min(
            1, (prior * Self.priorWeightUnits + learnedPaidUnits) / (Self.priorWeightUnits + learnedCartUnits))
        let mentionPrior = prior * Self.mentionPriorFactor
        let mentionConversion = min(
            1, (mentionPrior * Self.priorWeightUnits + learnedPaidUnits) / (Self.priorWeightUnits + learnedMentions))
        let cartCounts = decays.counts(of: cartAdds, at: time)
        let mentionCounts = decays.counts(of: mentions, at: time)
        let cartRate = max(0, cartCounts.fiveMinutes / fiveMinutesCovered)
        let mentionRate = max(0, mentionCounts.fiveMinutes / fiveMinutesCovered)
        let hasCarts = cartCounts.thirtyMinutes > 0.5
        let hasMentions = mentionCounts.thirtyMinutes > 0.5
        let cartWeight = hasCarts ? (hasMentions ? 0.75 : 1) : 0
        let mentionWeight = hasMentions ? 1 - cartWeight : 0
        let leadingRate = cartWeight * cartConversion * cartRate + mentionWeight * mentionConversion * mentionRate

        let eta: Double? = level < Self.minimumSellingRate ? nil : Double(max(0, available)) / level
        return Forecast(
            ratePerMinute: Double(unitsLast30) / Double(TrailingMinuteCounts.minutes),
            unitsLast30Minutes: unitsLast30, salesRate: level, fiveMinuteRate: rate5, thirtyMinuteRate: rate30,
            fiveMinuteUnits: max(0, paidCounts.fiveMinutes), leadingRate: leadingRate,
            cartConversion: cartConversion, demand: max(salesDemand, leadingRate * horizon),
            horizonMinutes: rules.horizonMinutes, etaMinutes: eta)
    }

    /// Scores the pending forecast if its horizon ended by `time`, then issues the next one when the
    /// SKU sold in the last 30 minutes. Call before counting the event at `time`.
    /// - Returns: the scored forecast's predicted and actual units, for the tier's score.
    public mutating func scoreAndIssue(at time: EventTime, available: Int64, rules: AlertRules)
        -> (predicted: Double, actual: Int64)?
    {
        var scored: (predicted: Double, actual: Int64)?
        if let pending {
            let end = pending.issuedAt.millisecondsSinceEpoch + Int64(pending.horizonMinutes) * 60_000
            guard time.millisecondsSinceEpoch >= end else { return nil }
            let actual = paidUnitsTotal - pending.paidUnitsAtIssue
            accuracy.record(predicted: pending.predictedUnits, actual: actual)
            learnedPaidUnits = learnedPaidUnits / 2 + Double(max(0, actual))
            learnedCartUnits = learnedCartUnits / 2 + Double(max(0, cartUnitsTotal &- pending.cartUnitsAtIssue))
            learnedMentions = learnedMentions / 2 + Double(max(0, mentionsTotal &- pending.mentionsAtIssue))
            scored = (pending.predictedUnits, actual)
            self.pending = nil
        }
        let observedMilliseconds = time.millisecondsSinceEpoch - observedSince.millisecondsSinceEpoch
        if soldByMinute.total(at: time) > 0 && observedMilliseconds >= Self.warmUpMilliseconds {
            let issued = forecast(at: time, available: available, rules: rules)
            pending = PendingForecast(
                issuedAt: time, horizonMinutes: issued.horizonMinutes, predictedUnits: issued.demand,
                paidUnitsAtIssue: paidUnitsTotal, cartUnitsAtIssue: cartUnitsTotal, mentionsAtIssue: mentionsTotal)
        }
        return scored
    }
}

/// The 5- and 30-minute decay factors of the last time gap asked for, so signals and the bias
/// correction that share a gap share one pair of `DecayMath.exponential` calls. Each factor is
/// exactly `RateWindow.decay(overMilliseconds:_:)`, so results are bit for bit those of the windows.
struct WindowDecays {
    static let fiveMinutesMilliseconds: Int64 = 5 * 60_000
    static let thirtyMinutesMilliseconds: Int64 = 30 * 60_000

    private var lastGapMilliseconds: Int64?
    private var lastFactors = (fiveMinutes: 1.0, thirtyMinutes: 1.0)

    /// The factors over `milliseconds`.
    mutating func factors(overMilliseconds milliseconds: Int64) -> (fiveMinutes: Double, thirtyMinutes: Double) {
        if milliseconds <= 0 { return (1, 1) }
        if lastGapMilliseconds == milliseconds { return lastFactors }
        lastGapMilliseconds = milliseconds
        lastFactors = (
            RateWindow.decay(overMilliseconds: milliseconds, Self.fiveMinutesMilliseconds),
            RateWindow.decay(overMilliseconds: milliseconds, Self.thirtyMinutesMilliseconds)
        )
        return lastFactors
    }

    /// `signal.fiveMinutes.count(at: time)` and `signal.thirtyMinutes.count(at: time)`.
    mutating func counts(of signal: SignalRates, at time: EventTime) -> (fiveMinutes: Double, thirtyMinutes: Double) {
        guard signal.isUpdated else { return (0, 0) }
        let factors = factors(overMilliseconds: time.millisecondsSinceEpoch - signal.updatedAtMilliseconds)
        return (signal.fiveMinuteCount * factors.fiveMinutes, signal.thirtyMinuteCount * factors.thirtyMinutes)
    }
}
