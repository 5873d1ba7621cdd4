import StockModel

/// Follows one SKU's ledger through a replay: its stock curve, sell-out and peak oversold.
struct SKUHistoryRecorder: Sendable {
    let sku: String
    let partition: Int32
    private var points: [BacktestReport.CurvePoint] = []
    private var wasAvailable = false
    private var soldOutAt: Int64?
    private var peakOversold: Int64 = 0
    private var last: SKULedger?

    init(sku: String, partition: Int32) {
        self.sku = sku
        self.partition = partition
    }

    /// Records the ledger after an applied event at `time`; keeps one curve point per `resolution` (the last).
    mutating func observe(_ ledger: SKULedger, at time: Int64, resolution: Int64) {
        last = ledger
        guard ledger.hasStock else { return }
        let available = ledger.available
        if available > 0 {
            wasAvailable = true
        } else if wasAvailable && soldOutAt == nil {
            soldOutAt = time
        }
        peakOversold = max(peakOversold, ledger.oversold)
        let point = BacktestReport.CurvePoint(time: time, available: available, stock: ledger.stock)
        guard let previous = points.last else {
            points.append(point)
            return
        }
        if previous.available == available && previous.stock == ledger.stock { return }
        // The first point of a bucket is kept too, so a step (e.g. the sell-out) is drawn where it happened.
        if points.count >= 2, Self.bucket(points[points.count - 2].time, resolution) == Self.bucket(time, resolution),
           Self.bucket(previous.time, resolution) == Self.bucket(time, resolution) {
            points[points.count - 1] = point
        } else {
            points.append(point)
        }
    }

    private static func bucket(_ time: Int64, _ resolution: Int64) -> Int64 {
        resolution <= 0 ? time : (time >= 0 ? time / resolution : (time + 1) / resolution - 1)
    }

    func history() -> BacktestReport.SKUHistory {
        let ledger = last ?? SKULedger(sku: sku)
        return BacktestReport.SKUHistory(
            sku: sku, name: ledger.name, tier: ledger.tier?.rawValue, partition: partition, curve: points,
            soldOutAt: soldOutAt, peakOversoldUnits: peakOversold, soldUnits: ledger.sold,
            closingAvailable: ledger.available, closingStock: ledger.stock, sellThrough: ledger.sellThrough)
    }
}

/// Follows what one policy did to one SKU during a replay.
struct SKUOutcomeRecorder: Sendable {
    let sku: String
    var marks: [BacktestReport.Mark] = []
    var firstLevelAt: [AlertLevel: Int64] = [:]
    var alertTransitions = 0
    var freezes = 0
    var unfreezes = 0
    var firstFreezeAt: Int64?
    var unprotectedOversoldUnits: Int64 = 0
    var unitsOrderedWhileFrozen: Int64 = 0

    init(sku: String) {
        self.sku = sku
    }

    mutating func observe(_ alert: StockAlert) {
        let time = alert.time.millisecondsSinceEpoch
        alertTransitions += 1
        marks.append(BacktestReport.Mark(
            time: time, kind: "alert", label: alert.level.rawValue, transition: alert.transition.rawValue,
            available: alert.available, reason: alert.reasons.joined(separator: "; ")))
        guard alert.transition == .raised || alert.transition == .escalated else { return }
        // Reaching a level means reaching every level below it too.
        for level in AlertLevel.allCases where level <= alert.level {
            firstLevelAt[level] = min(firstLevelAt[level] ?? time, time)
        }
    }

    mutating func observe(_ command: StockCommand) {
        let time = command.time.millisecondsSinceEpoch
        marks.append(BacktestReport.Mark(
            time: time, kind: "command", label: command.action.rawValue, transition: nil,
            available: command.available, reason: command.reason))
        switch command.action {
        case .freeze:
            freezes += 1
            firstFreezeAt = min(firstFreezeAt ?? time, time)
        case .unfreeze:
            unfreezes += 1
        default:
            break
        }
    }

    /// An applied order event moved the ledger from `before` to `after` while the policy had the SKU `frozen` (or not).
    mutating func observeOrder(before: SKULedger?, after: SKULedger, frozen: Bool) {
        let committedBefore = (before?.sold ?? 0) &+ (before?.reserved ?? 0)
        let ordered = max(0, after.sold &+ after.reserved &- committedBefore)
        let newlyOversold = max(0, after.oversold &- (before?.oversold ?? 0))
        if frozen {
            unitsOrderedWhileFrozen &+= ordered
        } else {
            unprotectedOversoldUnits &+= newlyOversold
        }
    }
}
