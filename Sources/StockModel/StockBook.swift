/// All SKU ledgers of one task, with their alert and freeze state: the deterministic fold of the task's events.
///
/// `apply` is the whole state machine: it drops duplicates, updates the SKU's ledger, evaluates the static
/// rules and returns the transitions as values for the caller to publish. It never reads a clock; every
/// time comes from the events, so the same events in the same order give byte-identical outputs.
public struct StockBook: Sendable {
    /// The policies used to evaluate alerts and freezes; may be replaced between events.
    public var policy: PolicySet
    private var ledgersBySKU: [String: SKULedger] = [:]
    private var alertStates: [String: AlertState] = [:]
    private var duplicateFilter: DuplicateFilter
    private var counters = BookStatistics()

    /// Creates an empty book.
    /// - Parameters:
    ///   - policy: the alert and freeze policies.
    ///   - duplicateWindow: how many distinct recent event IDs are remembered to drop duplicates. Default: 200 000.
    public init(policy: PolicySet, duplicateWindow: Int = 200_000) {
        self.policy = policy
        self.duplicateFilter = DuplicateFilter(capacity: duplicateWindow)
    }

    /// Folds one event; appends the alert/command transitions it causes, in causal order, to `outputs`.
    ///
    /// Order and inventory events update the SKU's ledger (created on first sight, even without inventory, so
    /// orders can make it oversold); alerts and commands are evaluated once the SKU has stock. Cart and
    /// interaction events are counted but change no ledger yet.
    /// - Returns: `.duplicate` when the event ID was seen within the duplicate window; nothing changed then.
    public mutating func apply(_ event: StockEvent, outputs: inout [StockOutput]) -> ApplyResult {
        guard duplicateFilter.insert(event.eventID) else {
            counters.duplicatesDropped += 1
            return .duplicate
        }
        counters.eventsApplied += 1
        switch event {
        case .order(let order):
            ledgersBySKU[order.sku, default: SKULedger(sku: order.sku)].apply(order)
            evaluate(sku: order.sku, eventID: order.eventID, time: order.time, outputs: &outputs)
        case .inventory(let inventory):
            ledgersBySKU[inventory.sku, default: SKULedger(sku: inventory.sku)].apply(inventory)
            evaluate(sku: inventory.sku, eventID: inventory.eventID, time: inventory.time, outputs: &outputs)
        case .cart, .interaction:
            break
        }
        return .applied
    }

    /// The ledger of `sku`, or nil when no order or inventory event was seen for it.
    public func ledger(for sku: String) -> SKULedger? { ledgersBySKU[sku] }

    /// The alert and freeze state of `sku`, or nil before its first evaluation.
    public func alertState(for sku: String) -> AlertState? { alertStates[sku] }

    /// All ledgers, sorted by SKU.
    public var ledgers: [SKULedger] {
        ledgersBySKU.values.sorted { $0.sku < $1.sku }
    }

    /// The book's counters; `oversoldUnits` is summed over the SKUs now.
    public var statistics: BookStatistics {
        var statistics = counters
        statistics.oversoldUnits = ledgersBySKU.values.reduce(0) { SKULedger.saturatingAdd($0, $1.oversold) }
        return statistics
    }

    /// Evaluates the static share rules and the freeze buffer of `sku` after an event changed its ledger.
    private mutating func evaluate(sku: String, eventID: String, time: EventTime, outputs: inout [StockOutput]) {
        guard let ledger = ledgersBySKU[sku], ledger.hasStock else { return }
        let (tier, tierPolicy) = policy.policy(for: sku, tier: ledger.tier)
        var state = alertStates[sku] ?? AlertState()
        let levels = tierPolicy.shareLevels
        let share = ledger.stock > 0 ? Double(ledger.available) / Double(ledger.stock) : 0
        let newLevel = levels.level(forShare: share)

        if newLevel != state.level {
            let transition: AlertTransition
            let level: AlertLevel
            let reasons: [String]
            switch (state.level, newLevel) {
            case (nil, let raisedLevel?):
                transition = .raised
                level = raisedLevel
                state.alertID = FNV1a.identifier(prefix: "al-", [sku, eventID])
                reasons = Self.holdingReasons(level: raisedLevel, share: share, levels: levels, ledger: ledger)
            case (let oldLevel?, let currentLevel?):
                transition = currentLevel > oldLevel ? .escalated : .deescalated
                level = currentLevel
                reasons = Self.holdingReasons(level: currentLevel, share: share, levels: levels, ledger: ledger)
            case (let oldLevel?, nil):
                transition = .resolved
                level = oldLevel
                reasons = ["remaining share \(Self.percent(share)) > \(Self.thresholdPercent(levels.notice))"]
            case (nil, nil):
                return  // unreachable: the levels differ
            }
            let alertID = state.alertID ?? FNV1a.identifier(prefix: "al-", [sku, eventID])
            outputs.append(
                .alert(
                    StockAlert(
                        alertID: alertID,
                        transitionID: FNV1a.identifier(
                            prefix: "tr-", [sku, eventID, level.rawValue, transition.rawValue]),
                        sku: sku, tier: tier, level: level,
                        previousLevel: transition == .resolved ? level : state.level,
                        transition: transition, reasons: reasons, available: ledger.available, sold: ledger.sold,
                        reserved: ledger.reserved, stock: ledger.stock, oversold: ledger.oversold,
                        sellThrough: ledger.sellThrough, time: time, causedBy: eventID)))
            if transition == .raised || transition == .escalated {
                counters.alertsByLevel[level, default: 0] += 1
            }
            state.level = newLevel
            if newLevel == nil { state.alertID = nil }
        }

        let freeze = tierPolicy.freeze
        let buffer = freeze.buffer(stock: ledger.stock)
        let available = ledger.available
        if !state.isFrozen && available <= buffer {
            state.isFrozen = true
            counters.freezes += 1
            outputs.append(
                .command(
                    StockCommand(
                        commandID: FNV1a.identifier(prefix: "cm-", [sku, eventID, CommandAction.freeze.rawValue]),
                        sku: sku, tier: tier, action: .freeze, reason: "available \(available) ≤ buffer \(buffer)",
                        available: available, buffer: buffer, time: time, causedBy: eventID)))
        } else if state.isFrozen && available > SKULedger.saturatingAdd(buffer, freeze.unfreezeMarginUnits) {
            state.isFrozen = false
            counters.unfreezes += 1
            outputs.append(
                .command(
                    StockCommand(
                        commandID: FNV1a.identifier(prefix: "cm-", [sku, eventID, CommandAction.unfreeze.rawValue]),
                        sku: sku, tier: tier, action: .unfreeze,
                        reason: "available \(available) > buffer \(buffer) + margin \(freeze.unfreezeMarginUnits)",
                        available: available, buffer: buffer, time: time, causedBy: eventID)))
        }
        alertStates[sku] = state
    }

    /// The conditions that hold at `level`, with their numbers.
    private static func holdingReasons(level: AlertLevel, share: Double, levels: ShareLevels, ledger: SKULedger)
        -> [String]
    {
        var reasons = ["remaining share \(percent(share)) ≤ \(thresholdPercent(levels.threshold(for: level)))"]
        if ledger.oversold > 0 {
            reasons.append("oversold by \(ledger.oversold) units")
        }
        return reasons
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
