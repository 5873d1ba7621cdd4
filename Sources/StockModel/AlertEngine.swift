/// The alert conditions and the level state machine with hysteresis; pure functions of their inputs.
///
/// Level = the highest condition that holds. A higher level is taken at once. A lower one only once
/// no condition of the current level holds even with its threshold relaxed by the margin, and that
/// has lasted the cooldown in event time; the level then drops to the highest condition holding
/// within the margin, or the episode resolves.
public enum AlertEngine {
    /// What the state machine decided.
    public struct Decision: Sendable, Equatable {
        /// The transition to publish.
        public var transition: AlertTransition
        /// The level after it (the last level held, for `resolved`).
        public var level: AlertLevel
        /// The level before it; nil for `raised`.
        public var previousLevel: AlertLevel?
        /// Every holding condition with its numbers.
        public var reasons: [String]
    }

    /// Every condition for a SKU with `ledger` and `forecast` under `levels` and `rules`.
    public static func conditions(
        ledger: SKULedger, forecast: Forecast, levels: ShareLevels, rules: AlertRules
    ) -> [AlertCondition] {
        let relax = 1 + rules.margin
        var conditions: [AlertCondition] = []
        conditions.reserveCapacity(8)
        let share = ledger.stock > 0 ? Double(ledger.available) / Double(ledger.stock) : 0
        for level in [AlertLevel.critical, .warning, .notice] {
            let threshold = levels.threshold(for: level)
            conditions.append(
                AlertCondition(
                    level: level, holds: share <= threshold, holdsWithinMargin: share <= threshold * relax,
                    detail: .share(share: share, threshold: threshold), margin: rules.margin))
        }
        let available = Double(ledger.available)
        if let floor = rules.unitFloor {
            conditions.append(
                AlertCondition(
                    level: .warning, holds: ledger.available <= floor, holdsWithinMargin: available <= Double(floor) * relax,
                    detail: .unitFloor(available: ledger.available, floor: floor), margin: rules.margin))
        }
        guard forecast.unitsLast30Minutes >= rules.minimumVolumeUnits else { return conditions }
        if let eta = forecast.etaMinutes {
            for (level, threshold) in [(AlertLevel.critical, rules.etaCriticalMinutes), (.warning, rules.etaWarningMinutes)] {
                conditions.append(
                    AlertCondition(
                        level: level, holds: eta < threshold, holdsWithinMargin: eta < threshold * relax,
                        detail: .eta(minutes: eta, threshold: threshold), margin: rules.margin))
            }
        }
        let covered = rules.forecastK * forecast.demand
        conditions.append(
            AlertCondition(
                level: .warning, holds: available < covered, holdsWithinMargin: available < covered * relax,
                detail: .forecast(
                    available: ledger.available, k: rules.forecastK, demand: forecast.demand,
                    horizonMinutes: forecast.horizonMinutes),
                margin: rules.margin))
        let fast = forecast.fiveMinuteRate
        let slowBound = rules.accelerationFactor * forecast.thirtyMinuteRate
        conditions.append(
            AlertCondition(
                level: .notice,
                holds: fast >= slowBound && forecast.fiveMinuteUnits >= rules.accelerationMinimumUnits,
                holdsWithinMargin: fast * relax >= slowBound
                    && forecast.fiveMinuteUnits * relax >= rules.accelerationMinimumUnits,
                detail: .acceleration(
                    fiveMinuteRate: fast, factor: rules.accelerationFactor, thirtyMinuteRate: forecast.thirtyMinuteRate),
                margin: rules.margin))
        return conditions
    }

    /// Steps the level of `state` at `time` given `conditions`; returns the transition to publish, if any.
    public static func step(
        state: inout AlertState, conditions: [AlertCondition], time: EventTime, rules: AlertRules
    ) -> Decision? {
        // Levels first, without building arrays: most evaluations change nothing.
        var raw: AlertLevel?
        var sticky: AlertLevel?
        for condition in conditions {
            if condition.holds, raw.map({ condition.level > $0 }) ?? true { raw = condition.level }
            if condition.holdsWithinMargin, sticky.map({ condition.level > $0 }) ?? true { sticky = condition.level }
        }
        let current = state.level
        if let raw, current.map({ raw > $0 }) ?? true {
            state.level = raw
            state.clearSince = nil
            return Decision(
                transition: current == nil ? .raised : .escalated, level: raw, previousLevel: current,
                reasons: strongest(conditions.filter(\.holds)).map(\.reason))
        }
        guard let current, sticky.map({ $0 < current }) ?? true else {
            state.clearSince = nil
            return nil
        }
        let clearSince = state.clearSince ?? time
        state.clearSince = clearSince
        guard time.millisecondsSinceEpoch - clearSince.millisecondsSinceEpoch >= rules.cooldownSeconds * 1000 else {
            return nil
        }
        state.clearSince = nil
        guard let sticky else {
            state.level = nil
            return Decision(
                transition: .resolved, level: current, previousLevel: current,
                reasons: ["nothing held for \(rules.cooldownSeconds) s"] + clearedValues(conditions))
        }
        state.level = sticky
        let holding = conditions.filter(\.holds)
        let atLevel = conditions.filter { $0.holdsWithinMargin && $0.level == sticky }
        let reasons = strongest(atLevel + holding.filter { $0.level < sticky })
            .map { $0.holds ? $0.reason : $0.marginReason }
        return Decision(transition: .deescalated, level: sticky, previousLevel: current, reasons: reasons)
    }

    /// Per rule, only its highest-level condition (a share ≤ 5% also is ≤ 10% and ≤ 20%), highest level first.
    private static func strongest(_ conditions: [AlertCondition]) -> [AlertCondition] {
        var seen: Set<String> = []
        var result: [AlertCondition] = []
        for condition in conditions.sorted(by: { $0.level > $1.level }) where seen.insert(condition.kind.rawValue).inserted {
            result.append(condition)
        }
        return result
    }

    /// The cleared numbers a `resolved` alert shows: the share and, when known, the ETA.
    private static func clearedValues(_ conditions: [AlertCondition]) -> [String] {
        var values: [String] = []
        if let notice = conditions.first(where: { $0.kind == .share && $0.level == .notice }) {
            values.append(notice.clearedReason)
        }
        if let eta = conditions.first(where: { $0.kind == .eta && $0.level == .warning }) {
            values.append(eta.clearedReason)
        }
        return values
    }
}
