/// All SKU ledgers of one task, with their forecasts, alert and command state: the deterministic fold
/// of the task's events.
///
/// `apply` is the whole state machine: it drops duplicates, updates the SKU's ledger and signals,
/// evaluates the alert conditions (static share levels, ETA, forecast, acceleration, unit floor) with
/// hysteresis, and returns the transitions as values for the caller to publish. `advanceWatermark`
/// re-evaluates SKUs that got no events, so time alone can de-escalate them. Neither reads a clock;
/// every time comes from the events, so the same events in the same order give byte-identical outputs.
public struct StockBook: Sendable {
    /// How often (event time) the watermark re-evaluates SKUs with something open: every 10 s.
    public static let watermarkEvaluationMilliseconds: Int64 = 10_000

    /// The policies used to evaluate alerts and freezes; may be replaced between events.
    public var policy: PolicySet
    /// Where each SKU's state is in ``skuStates``.
    var skuIndex = SKUIndex()
    /// Every SKU's state, in order of first sight: one contiguous block, no per-SKU allocation.
    var skuStates: [SKUState] = []
    var accuracyByTier: [Tier: ForecastAccuracy] = [:]
    /// SKUs with an open alert, freeze, lowered exposure or running cooldown (``SKUState/Parts/watched``).
    var watchedSKUs: Set<String> = []
    var duplicateFilter: DuplicateFilter
    var counters = BookStatistics()
    /// The highest event time applied or advanced to.
    public internal(set) var streamTime: EventTime?
    /// The last watermark slot (watermark ÷ evaluation interval) evaluated.
    var evaluatedWatermarkSlot: Int64?

    /// Creates an empty book.
    /// - Parameters:
    ///   - policy: the alert and freeze policies.
    ///   - duplicateWindow: how many distinct recent event IDs are remembered to drop duplicates. Default: 200 000.
    public init(policy: PolicySet, duplicateWindow: Int = 200_000) {
        self.policy = policy
        self.duplicateFilter = DuplicateFilter(capacity: duplicateWindow)
    }

    /// The watermark: stream time − allowed lateness; nil before the first event.
    public var watermark: EventTime? {
        streamTime.map {
            EventTime(millisecondsSinceEpoch: $0.millisecondsSinceEpoch &- policy.allowedLatenessSeconds &* 1000)
        }
    }

    /// Folds one event; appends the alert/command transitions it causes, in causal order, to `outputs`.
    ///
    /// Order and inventory events update the SKU's ledger (created on first sight, even without inventory, so
    /// orders can make it oversold); every event but likes, shares and clicks updates the SKU's signals.
    /// Alerts and commands are evaluated once the SKU has stock. An event older than the watermark is
    /// late: it is applied all the same (ledger, rates with the weight of its age, see ``RateWindow``)
    /// and counted in ``BookStatistics/lateEvents``.
    /// - Returns: `.duplicate` when the event ID was seen within the duplicate window; nothing changed then.
    public mutating func apply(_ event: StockEvent, outputs: inout [StockOutput]) -> ApplyResult {
        guard duplicateFilter.insert(event.eventID) else {
            counters.duplicatesDropped += 1
            return .duplicate
        }
        counters.eventsApplied += 1
        if let watermark, event.time < watermark { counters.lateEvents += 1 }
        if streamTime.map({ event.time > $0 }) ?? true { streamTime = event.time }
        let time = event.time
        let index = stateIndex(creating: event.sku)
        if !skuStates[index].parts.contains(.forecaster) {
            skuStates[index].forecaster = Forecaster(observedSince: time)
            skuStates[index].parts.insert(.forecaster)
        }
        scoreForecast(index, at: time)
        switch event {
        case .order(let order):
            skuStates[index].parts.insert(.ledger)
            let paidBefore = skuStates[index].ledger.paidUnitsTotal
            let reservedBefore = skuStates[index].ledger.reservedUnitsTotal
            skuStates[index].ledger.apply(order)
            let paidAfter = skuStates[index].ledger.paidUnitsTotal
            let reservedAfter = skuStates[index].ledger.reservedUnitsTotal
            skuStates[index].forecaster.recordPaid(paidAfter - paidBefore, at: time)
            skuStates[index].forecaster.recordCreated(reservedAfter - reservedBefore, at: time)
        case .inventory(let inventory):
            skuStates[index].parts.insert(.ledger)
            skuStates[index].ledger.apply(inventory)
        case .cart(let cart):
            skuStates[index].forecaster.recordCart(cart.action == .add ? cart.quantity : 0 &- cart.quantity, at: time)
        case .interaction(let interaction):
            guard interaction.kind == .comment || interaction.kind == .question else { return .applied }
            skuStates[index].forecaster.recordMention(at: time)
        }
        evaluate(index, eventID: event.eventID, time: time, outputs: &outputs)
        return .applied
    }

    /// The index of `sku`'s state, appending an empty one on first sight.
    mutating func stateIndex(creating sku: String) -> Int {
        if let index = skuIndex.position(of: sku) { return index }
        skuStates.append(SKUState(sku: sku))
        return skuIndex.append(sku)
    }

    /// `sku`'s state when the book has seen the SKU.
    private func state(_ sku: String) -> SKUState? {
        skuIndex.position(of: sku).map { skuStates[$0] }
    }

    /// Advances event time for SKUs that got no events: with `streamTime` the highest event time the
    /// task has processed, the watermark is `streamTime − allowed lateness`. Each time the watermark
    /// enters a new 10-second slot, every SKU with an open alert, freeze, lowered exposure or running
    /// cooldown that was not evaluated since is re-evaluated at the slot's start, so stopped sales
    /// de-escalate and decaying rates do not stick. Cost: nothing between slots; per slot, the open SKUs.
    ///
    /// Outputs it causes carry `caused_by` `watermark-<slot start ms>` and that instant as `ts`.
    /// - Parameters:
    ///   - streamTime: the highest event time processed so far (e.g. the merger's stream time).
    ///   - outputs: where transitions are appended, SKUs in order.
    public mutating func advanceWatermark(to streamTime: EventTime, outputs: inout [StockOutput]) {
        if self.streamTime.map({ streamTime > $0 }) ?? true { self.streamTime = streamTime }
        guard let watermark else { return }
        let interval = Self.watermarkEvaluationMilliseconds
        let milliseconds = watermark.millisecondsSinceEpoch
        let slot = milliseconds >= 0 ? milliseconds / interval : (milliseconds + 1) / interval - 1
        guard evaluatedWatermarkSlot.map({ slot > $0 }) ?? true else { return }
        evaluatedWatermarkSlot = slot
        let time = EventTime(millisecondsSinceEpoch: slot &* interval)
        let cause = "watermark-\(time.millisecondsSinceEpoch)"
        for sku in watchedSKUs.sorted() {
            guard let index = skuIndex.position(of: sku) else { continue }
            let state = skuStates[index]
            if state.parts.contains(.alertState), let evaluatedAt = state.alertState.evaluatedAt, evaluatedAt >= time {
                continue
            }
            scoreForecast(index, at: time)
            evaluate(index, eventID: cause, time: time, outputs: &outputs)
        }
    }

    /// The ledger of `sku`, or nil when no order or inventory event was seen for it.
    public func ledger(for sku: String) -> SKULedger? {
        guard let state = state(sku), state.parts.contains(.ledger) else { return nil }
        return state.ledger
    }

    /// The alert and freeze state of `sku`, or nil before its first evaluation.
    public func alertState(for sku: String) -> AlertState? {
        guard let state = state(sku), state.parts.contains(.alertState) else { return nil }
        return state.alertState
    }

    /// The forecasting state of `sku` (rates, conversions, its forecast error), or nil before its first event.
    public func forecaster(for sku: String) -> Forecaster? {
        guard let state = state(sku), state.parts.contains(.forecaster) else { return nil }
        return state.forecaster
    }

    /// The forecast for `sku` as of its latest evaluation time, or nil without stock.
    public func forecast(for sku: String) -> Forecast? {
        guard let ledger = ledger(for: sku), ledger.hasStock, let forecaster = forecaster(for: sku) else { return nil }
        let time = alertState(for: sku)?.evaluatedAt ?? streamTime ?? forecaster.observedSince
        return forecaster.forecast(at: time, available: ledger.available, rules: policy.policy(for: sku, tier: ledger.tier).policy.alerts)
    }

    /// Forecast error per SKU (MAE in units, MAPE) over the forecasts scored so far.
    public func forecastAccuracy(for sku: String) -> ForecastAccuracy? { forecaster(for: sku)?.accuracy }

    /// Forecast error per tier over every SKU's scored forecasts.
    public var forecastAccuracyByTier: [Tier: ForecastAccuracy] { accuracyByTier }

    /// All ledgers, sorted by SKU.
    public var ledgers: [SKULedger] {
        skuStates.filter { $0.parts.contains(.ledger) }.map(\.ledger).sorted { $0.sku < $1.sku }
    }

    /// Events applied behind the watermark so far; O(1), unlike ``statistics``, which sums over the SKUs.
    public var lateEventCount: Int { counters.lateEvents }

    /// The book's counters; `oversoldUnits` is summed over the SKUs now.
    public var statistics: BookStatistics {
        var statistics = counters
        statistics.oversoldUnits = skuStates.reduce(0) {
            $1.parts.contains(.ledger) ? SKULedger.saturatingAdd($0, $1.ledger.oversold) : $0
        }
        return statistics
    }

    /// Scores the SKU's pending forecast when its horizon has ended and issues the next one.
    private mutating func scoreForecast(_ index: Int, at time: EventTime) {
        let parts = skuStates[index].parts
        guard parts.contains(.forecaster) else { return }
        let hasLedger = parts.contains(.ledger)
        let available = hasLedger ? skuStates[index].ledger.available : 0
        // A copy of the set (a few references) lends its policy while the book changes.
        let policy = self.policy
        policy.withPolicy(for: skuStates[index].sku, tier: hasLedger ? skuStates[index].ledger.tier : nil) { tier, tierPolicy in
            if let scored = skuStates[index].forecaster.scoreAndIssue(at: time, available: available, rules: tierPolicy.alerts) {
                accuracyByTier[tier, default: ForecastAccuracy()].record(predicted: scored.predicted, actual: scored.actual)
            }
        }
    }

    /// Evaluates every alert condition and command rule of `sku` at `time`.
    private mutating func evaluate(_ index: Int, eventID: String, time eventTime: EventTime, outputs: inout [StockOutput]) {
        let parts = skuStates[index].parts
        guard parts.contains(.ledger), skuStates[index].ledger.hasStock, parts.contains(.forecaster) else { return }
        let policy = self.policy
        policy.withPolicy(for: skuStates[index].sku, tier: skuStates[index].ledger.tier) { tier, tierPolicy in
            evaluate(index, eventID: eventID, time: eventTime, tier: tier, tierPolicy: tierPolicy, outputs: &outputs)
        }
    }

    private mutating func evaluate(
        _ index: Int, eventID: String, time eventTime: EventTime, tier: Tier, tierPolicy: TierPolicy, outputs: inout [StockOutput]
    ) {
        let ledger = skuStates[index].ledger
        let sku = ledger.sku
        let rules = tierPolicy.alerts
        var state = skuStates[index].parts.contains(.alertState) ? skuStates[index].alertState : AlertState()
        // A late event is evaluated at the SKU's latest time, so rates and cooldowns never run backwards.
        let time = max(eventTime, state.evaluatedAt ?? eventTime)
        state.evaluatedAt = time
        // Through the buffer, so the ~600-byte forecaster is read in place rather than copied out of the array.
        let forecast = skuStates.withUnsafeBufferPointer {
            $0[index].forecaster.forecast(at: time, available: ledger.available, rules: rules)
        }
        let conditions = AlertEngine.conditions(
            ledger: ledger, forecast: forecast, levels: tierPolicy.shareLevels, rules: rules)

        if let decision = AlertEngine.step(state: &state, conditions: conditions, time: time, rules: rules) {
            if decision.transition == .raised {
                state.alertID = FNV1a.identifier(prefix: "al-", [sku, eventID])
                state.isBannerShown = false
            }
            var reasons = decision.reasons
            if ledger.oversold > 0 { reasons.append("oversold by \(ledger.oversold) units") }
            let alertID = state.alertID ?? FNV1a.identifier(prefix: "al-", [sku, eventID])
            outputs.append(
                .alert(
                    StockAlert(
                        alertID: alertID,
                        transitionID: FNV1a.identifier(
                            prefix: "tr-", [sku, eventID, decision.level.rawValue, decision.transition.rawValue]),
                        sku: sku, tier: tier, level: decision.level, previousLevel: decision.previousLevel,
                        transition: decision.transition, reasons: reasons, available: ledger.available,
                        sold: ledger.sold, reserved: ledger.reserved, stock: ledger.stock, oversold: ledger.oversold,
                        ratePerMinute: forecast.ratePerMinute, forecastDemand: forecast.demand,
                        horizonMinutes: forecast.horizonMinutes, etaMinutes: forecast.etaMinutes,
                        sellThrough: ledger.sellThrough, time: eventTime, causedBy: eventID)))
            if decision.transition == .raised || decision.transition == .escalated {
                counters.alertsByLevel[decision.level, default: 0] += 1
            }
            if decision.transition == .resolved { state.alertID = nil }
        }
        evaluateCommands(
            sku: sku, tier: tier, tierPolicy: tierPolicy, ledger: ledger, conditions: conditions, state: &state,
            eventID: eventID, time: eventTime, outputs: &outputs)
        skuStates[index].alertState = state
        skuStates[index].parts.insert(.alertState)
        if state.needsWatermarkEvaluation != skuStates[index].parts.contains(.watched) {
            if state.needsWatermarkEvaluation {
                skuStates[index].parts.insert(.watched)
                watchedSKUs.insert(sku)
            } else {
                skuStates[index].parts.remove(.watched)
                watchedSKUs.remove(sku)
            }
        }
    }

    /// Freeze/unfreeze, exposure and banner commands; they follow the alert level's hysteresis.
    ///
    /// - `freeze` when `available ≤ buffer`, or (with `freeze.on_critical_eta`) while a critical ETA holds;
    ///   `unfreeze` when `available > buffer + unfreeze margin` and, with `on_critical_eta`, the level has
    ///   left critical (so only after the critical condition cleared by the margin for the cooldown).
    /// - `lower_exposure` when the level reaches `actions.lower_exposure`, `restore_exposure` when it falls below.
    /// - `low_stock_banner` once per episode when the level reaches `actions.low_stock_banner`.
    private mutating func evaluateCommands(
        sku: String, tier: Tier, tierPolicy: TierPolicy, ledger: SKULedger, conditions: [AlertCondition],
        state: inout AlertState, eventID: String, time: EventTime, outputs: inout [StockOutput]
    ) {
        let rules = tierPolicy.alerts
        let freeze = tierPolicy.freeze
        let buffer = freeze.buffer(stock: ledger.stock)
        let available = ledger.available
        func command(_ action: CommandAction, _ reason: String) {
            outputs.append(
                .command(
                    StockCommand(
                        commandID: FNV1a.identifier(prefix: "cm-", [sku, eventID, action.rawValue]),
                        sku: sku, tier: tier, action: action, reason: reason, available: available, buffer: buffer,
                        time: time, causedBy: eventID)))
        }
        let criticalETA = rules.freezeOnCriticalETA
            ? conditions.first { $0.kind == .eta && $0.level == .critical && $0.holds } : nil
        if !state.isFrozen && (available <= buffer || criticalETA != nil) {
            state.isFrozen = true
            counters.freezes += 1
            command(.freeze, available <= buffer ? "available \(available) ≤ buffer \(buffer)" : criticalETA?.reason ?? "")
        } else if state.isFrozen && available > SKULedger.saturatingAdd(buffer, freeze.unfreezeMarginUnits)
            && !(rules.freezeOnCriticalETA && state.level == .critical)
        {
            state.isFrozen = false
            counters.unfreezes += 1
            command(
                .unfreeze,
                "available \(available) > buffer \(buffer) + margin \(freeze.unfreezeMarginUnits)"
                    + (rules.freezeOnCriticalETA ? "; level \(state.level?.rawValue ?? "none") below critical" : ""))
        }
        if let exposureLevel = rules.lowerExposureLevel {
            let reached = state.level.map { $0 >= exposureLevel } ?? false
            if reached && !state.isExposureLowered {
                state.isExposureLowered = true
                command(.lowerExposure, "level \(state.level?.rawValue ?? "") ≥ \(exposureLevel.rawValue)")
            } else if !reached && state.isExposureLowered {
                state.isExposureLowered = false
                command(.restoreExposure, "level \(state.level?.rawValue ?? "none") < \(exposureLevel.rawValue)")
            }
        }
        if let bannerLevel = rules.lowStockBannerLevel, let level = state.level, level >= bannerLevel, !state.isBannerShown {
            state.isBannerShown = true
            command(.lowStockBanner, "level \(level.rawValue) ≥ \(bannerLevel.rawValue)")
        }
    }

    /// `share` as a percentage with one decimal, e.g. `8.0%`.
    static func percent(_ share: Double) -> String {
        let tenths = (share * 1000).rounded(.toNearestOrAwayFromZero)
        guard tenths.isFinite, abs(tenths) < 1.0e15 else { return "\(share * 100)%" }
        let value = Int64(tenths)
        let sign = value < 0 ? "-" : ""
        return "\(sign)\(value.magnitude / 10).\(value.magnitude % 10)%"
    }

    /// A policy threshold as a percentage without trailing zeros, e.g. `10%` or `12.5%`.
    static func thresholdPercent(_ share: Double) -> String {
        let scaled = (share * 10_000).rounded(.toNearestOrAwayFromZero)
        // Policies from JSON are validated to [0, 1]; a hand-built one may hold anything, so never trap here.
        guard scaled.isFinite, abs(scaled) < 1.0e15 else { return "\(share * 100)%" }
        let hundredths = Int64(scaled)
        let sign = hundredths < 0 ? "-" : ""
        let whole = hundredths.magnitude / 100
        let fraction = hundredths.magnitude % 100
        if fraction == 0 { return "\(sign)\(whole)%" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)%" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)%"
    }
}
