import StockModel

/// Turns what one policy did into the report's per-SKU outcomes, tier summaries and target checks.
struct BacktestSummarizer {
    let histories: [BacktestReport.SKUHistory]
    let targets: BacktestReport.Targets
    let lastEventTime: Int64?
    let firstEventTime: Int64?

    func result(policy: BacktestPolicy, outcomes recorders: [SKUOutcomeRecorder], accuracyBySKU: [String: ForecastAccuracy],
                accuracyByTier: [Tier: ForecastAccuracy]) -> BacktestReport.PolicyResult {
        let recorderBySKU = Dictionary(recorders.map { ($0.sku, $0) }, uniquingKeysWith: { first, _ in first })
        let judged = histories.filter { !$0.curve.isEmpty }
        let outcomes = judged.map { history in
            outcome(history, recorderBySKU[history.sku] ?? SKUOutcomeRecorder(sku: history.sku), accuracyBySKU[history.sku])
        }
        var byTier: [String: BacktestReport.Summary] = [:]
        let tiers = Set(judged.map { $0.tier ?? "untiered" })
        for tier in tiers.sorted() {
            let pairs = zip(judged, outcomes).filter { ($0.0.tier ?? "untiered") == tier }
            var accuracy = Tier(rawValue: tier).flatMap { accuracyByTier[$0] }
            if accuracy == nil { accuracy = Self.merged(pairs.compactMap { accuracyBySKU[$0.0.sku] }) }
            byTier[tier] = summary(pairs.map(\.0), pairs.map(\.1), accuracy: accuracy)
        }
        // Summed in tier order: floating-point sums in dictionary order would differ from run to run.
        let overall = summary(judged, outcomes, accuracy: Self.merged(accuracyByTier.sorted { $0.key.rawValue < $1.key.rawValue }.map(\.value)))
        return BacktestReport.PolicyResult(
            name: policy.name, path: policy.path, overall: overall, byTier: byTier, targets: check(overall),
            outcomes: outcomes, transitionsFile: nil)
    }

    private static func merged(_ accuracies: [ForecastAccuracy]) -> ForecastAccuracy? {
        guard !accuracies.isEmpty else { return nil }
        var total = ForecastAccuracy()
        for accuracy in accuracies { total.merge(accuracy) }
        return total
    }

    private static func minutes(_ milliseconds: Int64) -> Double { Double(milliseconds) / 60_000 }

    private func outcome(_ history: BacktestReport.SKUHistory, _ recorder: SKUOutcomeRecorder,
                         _ accuracy: ForecastAccuracy?) -> BacktestReport.SKUOutcome {
        var firstLevelAt: [String: Int64] = [:]
        var leads: [String: Double] = [:]
        for (level, time) in recorder.firstLevelAt {
            firstLevelAt[level.rawValue] = time
            if let soldOut = history.soldOutAt { leads[level.rawValue] = Self.minutes(soldOut - time) }
        }
        let warnedAt = recorder.firstLevelAt[.warning]
        let horizon = Int64(targets.falseAlarmHorizonMinutes * 60_000)
        var falseAlarm: Bool?
        if let warnedAt {
            if let soldOut = history.soldOutAt, soldOut - warnedAt <= horizon {
                falseAlarm = false
            } else if history.soldOutAt != nil || (lastEventTime ?? warnedAt) - warnedAt >= horizon {
                falseAlarm = true
            }
        }
        let missed = history.soldOutAt.map { soldOut in warnedAt.map { $0 > soldOut } ?? true } ?? false
        return BacktestReport.SKUOutcome(
            sku: history.sku, firstLevelAt: firstLevelAt, leadMinutes: leads, firstFreezeAt: recorder.firstFreezeAt,
            freezeLeadMinutes: recorder.firstFreezeAt.flatMap { freeze in history.soldOutAt.map { Self.minutes($0 - freeze) } },
            alertTransitions: recorder.alertTransitions, freezes: recorder.freezes, unfreezes: recorder.unfreezes,
            unprotectedOversoldUnits: recorder.unprotectedOversoldUnits,
            unitsOrderedWhileFrozen: recorder.unitsOrderedWhileFrozen, falseAlarm: falseAlarm, missedSellOut: missed,
            forecastMAE: accuracy?.meanAbsoluteError, forecastMAPE: accuracy?.meanAbsolutePercentageError,
            marks: recorder.marks.sorted { $0.time < $1.time })
    }

    private func summary(_ histories: [BacktestReport.SKUHistory], _ outcomes: [BacktestReport.SKUOutcome],
                         accuracy: ForecastAccuracy?) -> BacktestReport.Summary {
        var summary = BacktestReport.Summary()
        summary.skus = histories.count
        var warningLeads: [Double] = []
        var criticalLeads: [Double] = []
        var freezeLeads: [Double] = []
        for (history, outcome) in zip(histories, outcomes) {
            if history.soldOutAt != nil { summary.soldOutSKUs += 1 }
            let warned = outcome.firstLevelAt[AlertLevel.warning.rawValue] != nil
            if warned {
                summary.warnedSKUs += 1
                switch outcome.falseAlarm {
                case true?: summary.falseAlarms += 1
                case false?: break
                case nil: summary.undecidedAlarms += 1
                }
            }
            if outcome.missedSellOut { summary.missedSellOuts += 1 }
            if let lead = outcome.leadMinutes[AlertLevel.warning.rawValue] { warningLeads.append(lead) }
            if let lead = outcome.leadMinutes[AlertLevel.critical.rawValue] { criticalLeads.append(lead) }
            if let lead = outcome.freezeLeadMinutes { freezeLeads.append(lead) }
            summary.alertTransitions += outcome.alertTransitions
            summary.freezes += outcome.freezes
            summary.oversoldUnits += history.peakOversoldUnits
            summary.unprotectedOversoldUnits += outcome.unprotectedOversoldUnits
            summary.unitsOrderedWhileFrozen += outcome.unitsOrderedWhileFrozen
        }
        summary.medianWarningLeadMinutes = Self.median(warningLeads)
        summary.minimumWarningLeadMinutes = warningLeads.min()
        summary.medianCriticalLeadMinutes = Self.median(criticalLeads)
        summary.medianFreezeLeadMinutes = Self.median(freezeLeads)
        let decided = summary.warnedSKUs - summary.undecidedAlarms
        summary.decidedFalseAlarmRate = decided > 0 ? Double(summary.falseAlarms) / Double(decided) : nil
        summary.falseAlarmRate = summary.warnedSKUs > 0
            ? Double(summary.falseAlarms + summary.undecidedAlarms) / Double(summary.warnedSKUs) : nil
        if let first = firstEventTime, let last = lastEventTime, last > first, summary.skus > 0 {
            summary.transitionsPerSKUHour = Double(summary.alertTransitions) / (Double(summary.skus) * Double(last - first) / 3_600_000)
        }
        summary.forecastMAE = accuracy?.meanAbsoluteError
        summary.forecastMAPE = accuracy?.meanAbsolutePercentageError
        return summary
    }

    private func check(_ summary: BacktestReport.Summary) -> BacktestReport.TargetCheck {
        BacktestReport.TargetCheck(
            medianWarningLead: summary.medianWarningLeadMinutes.map { $0 >= targets.medianWarningLeadMinutes } ?? (summary.soldOutSKUs == 0),
            noMissedSellOut: summary.missedSellOuts == 0,
            falseAlarmRate: (summary.falseAlarmRate ?? 0) <= targets.falseAlarmRate,
            transitionsPerSKUHour: (summary.transitionsPerSKUHour ?? 0) <= targets.transitionsPerSKUHour)
    }

    /// The median of `values`; the mean of the middle two for an even count; nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
