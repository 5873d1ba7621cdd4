import StockModel

/// What a replay found, per policy: the business report operators read after a show.
///
/// Written as `report.json` (this value, keys sorted) and rendered as `report.html` by
/// ``BacktestHTML``. Every figure comes from the same fold the live processor runs; times are
/// event-time Unix epoch milliseconds, lead times minutes.
public struct BacktestReport: Codable, Sendable, Equatable {
    /// Where the records came from and how many were used.
    public var input: Input
    /// The rules the report judges policies by (DESIGN.md "What good means for alerts").
    public var targets: Targets
    /// Stock curves, sell-outs and totals that do not depend on the policy (the orders are history).
    public var skus: [SKUHistory]
    /// One result per policy, in the order given on the command line.
    public var policies: [PolicyResult]

    public init(input: Input, targets: Targets, skus: [SKUHistory], policies: [PolicyResult]) {
        self.input = input
        self.targets = targets
        self.skus = skus
        self.policies = policies
    }

    /// The replayed input.
    public struct Input: Codable, Sendable, Equatable {
        /// e.g. `ndjson:session.ndjson` or `kafka:localhost:9092`.
        public var source: String
        /// Records read per input topic role (`orders`, `carts`, `interactions`, `inventory`).
        public var recordsByTopic: [String: Int]
        /// Records that failed decoding (they would have gone to the dead-letter topic).
        public var deadLetters: Int
        /// Duplicate events dropped by event ID.
        public var duplicates: Int
        /// Events applied behind the watermark.
        public var lateEvents: Int
        /// Tasks (input partitions) the records were split into.
        public var tasks: Int
        /// Event time of the first and last record, nil when there were none.
        public var firstEventTime: Int64?
        public var lastEventTime: Int64?

        public init(source: String, recordsByTopic: [String: Int], deadLetters: Int, duplicates: Int, lateEvents: Int,
                    tasks: Int, firstEventTime: Int64?, lastEventTime: Int64?) {
            self.source = source
            self.recordsByTopic = recordsByTopic
            self.deadLetters = deadLetters
            self.duplicates = duplicates
            self.lateEvents = lateEvents
            self.tasks = tasks
            self.firstEventTime = firstEventTime
            self.lastEventTime = lastEventTime
        }
    }

    /// Decision-quality targets; defaults are DESIGN.md's.
    public struct Targets: Codable, Sendable, Equatable {
        /// A warned SKU that does not sell out within this many minutes of its first warning is a false alarm.
        public var falseAlarmHorizonMinutes: Double = 60
        /// Median lead of the first warning before sell-out, at least.
        public var medianWarningLeadMinutes: Double = 15
        /// Share of warned SKUs that are false alarms, at most.
        public var falseAlarmRate: Double = 0.10
        /// Alert transitions per SKU per hour, at most.
        public var transitionsPerSKUHour: Double = 6

        public init() {}
    }

    /// A point of a SKU's stock curve.
    public struct CurvePoint: Codable, Sendable, Equatable {
        /// Event time, ms.
        public var time: Int64
        /// `stock − sold − reserved` after the last event at or before `time`.
        public var available: Int64
        /// Sellable units in the pool.
        public var stock: Int64

        public init(time: Int64, available: Int64, stock: Int64) {
            self.time = time
            self.available = available
            self.stock = stock
        }
    }

    /// One SKU's history, the same under every policy.
    public struct SKUHistory: Codable, Sendable, Equatable {
        public var sku: String
        public var name: String?
        public var tier: String?
        /// The task (input partition) that owned it.
        public var partition: Int32
        /// The stock curve, one point per change, thinned to the report's resolution (last point kept).
        public var curve: [CurvePoint]
        /// First time `available` reached 0 or below after stock was set, nil when it never did.
        public var soldOutAt: Int64?
        /// Largest oversold (`max(0, −available)`) reached.
        public var peakOversoldUnits: Int64
        /// Units paid for and not returned at the end.
        public var soldUnits: Int64
        /// Units available at the end.
        public var closingAvailable: Int64
        /// Stock at the end.
        public var closingStock: Int64
        /// `sold ÷ (sold + available)` at the end.
        public var sellThrough: Double

        public init(sku: String, name: String?, tier: String?, partition: Int32, curve: [CurvePoint], soldOutAt: Int64?,
                    peakOversoldUnits: Int64, soldUnits: Int64, closingAvailable: Int64, closingStock: Int64,
                    sellThrough: Double) {
            self.sku = sku
            self.name = name
            self.tier = tier
            self.partition = partition
            self.curve = curve
            self.soldOutAt = soldOutAt
            self.peakOversoldUnits = peakOversoldUnits
            self.soldUnits = soldUnits
            self.closingAvailable = closingAvailable
            self.closingStock = closingStock
            self.sellThrough = sellThrough
        }
    }

    /// An alert transition or a command, as a mark on a SKU's curve.
    public struct Mark: Codable, Sendable, Equatable {
        public var time: Int64
        /// `alert` or `command`.
        public var kind: String
        /// Alert level (`notice`/`warning`/`critical`) or command action (`freeze`, `unfreeze`, …).
        public var label: String
        /// Alert transition (`raised`/`escalated`/`de-escalated`/`resolved`); nil for commands.
        public var transition: String?
        /// `available` when it happened.
        public var available: Int64
        /// The reasons (alerts) or reason (commands), joined with "; ".
        public var reason: String

        public init(time: Int64, kind: String, label: String, transition: String?, available: Int64, reason: String) {
            self.time = time
            self.kind = kind
            self.label = label
            self.transition = transition
            self.available = available
            self.reason = reason
        }
    }

    /// How one policy did on one SKU.
    public struct SKUOutcome: Codable, Sendable, Equatable {
        public var sku: String
        /// First time the SKU reached each level (`notice`, `warning`, `critical`), by raise or escalation.
        public var firstLevelAt: [String: Int64]
        /// Minutes from reaching each level to the sell-out (negative: the alert came after it); only for SKUs that sold out.
        public var leadMinutes: [String: Double]
        /// First freeze command.
        public var firstFreezeAt: Int64?
        /// Minutes from the first freeze to the sell-out.
        public var freezeLeadMinutes: Double?
        public var alertTransitions: Int
        public var freezes: Int
        public var unfreezes: Int
        /// Units that went oversold while this policy had the SKU unfrozen (a freeze would have refused them).
        public var unprotectedOversoldUnits: Int64
        /// Units ordered while this policy had the SKU frozen: sales a freeze would have turned away.
        public var unitsOrderedWhileFrozen: Int64
        /// `true`: warned and did not sell out within the horizon; `nil`: not warned, or the data ends before the horizon.
        public var falseAlarm: Bool?
        /// Sold out with no warning (or worse) before the sell-out.
        public var missedSellOut: Bool
        /// Forecast error of this SKU.
        public var forecastMAE: Double?
        public var forecastMAPE: Double?
        /// The SKU's alert transitions and commands in time order.
        public var marks: [Mark]

        public init(sku: String, firstLevelAt: [String: Int64], leadMinutes: [String: Double], firstFreezeAt: Int64?,
                    freezeLeadMinutes: Double?, alertTransitions: Int, freezes: Int, unfreezes: Int,
                    unprotectedOversoldUnits: Int64, unitsOrderedWhileFrozen: Int64, falseAlarm: Bool?,
                    missedSellOut: Bool, forecastMAE: Double?, forecastMAPE: Double?, marks: [Mark]) {
            self.sku = sku
            self.firstLevelAt = firstLevelAt
            self.leadMinutes = leadMinutes
            self.firstFreezeAt = firstFreezeAt
            self.freezeLeadMinutes = freezeLeadMinutes
            self.alertTransitions = alertTransitions
            self.freezes = freezes
            self.unfreezes = unfreezes
            self.unprotectedOversoldUnits = unprotectedOversoldUnits
            self.unitsOrderedWhileFrozen = unitsOrderedWhileFrozen
            self.falseAlarm = falseAlarm
            self.missedSellOut = missedSellOut
            self.forecastMAE = forecastMAE
            self.forecastMAPE = forecastMAPE
            self.marks = marks
        }
    }

    /// Totals over a set of SKUs (a tier or all) under one policy.
    public struct Summary: Codable, Sendable, Equatable {
        /// SKUs with stock.
        public var skus: Int
        public var soldOutSKUs: Int
        /// SKUs that reached warning or critical.
        public var warnedSKUs: Int
        /// Sold-out SKUs with no warning before the sell-out.
        public var missedSellOuts: Int
        /// Median and smallest lead of the first warning over the warned SKUs that sold out, minutes.
        public var medianWarningLeadMinutes: Double?
        public var minimumWarningLeadMinutes: Double?
        /// Median lead of the first critical alert, minutes.
        public var medianCriticalLeadMinutes: Double?
        /// Median lead of the first freeze, minutes.
        public var medianFreezeLeadMinutes: Double?
        public var falseAlarms: Int
        /// Warned SKUs whose horizon runs past the end of the data and that had not sold out.
        public var undecidedAlarms: Int
        /// `(falseAlarms + undecidedAlarms) ÷ warnedSKUs`; nil with no warned SKU. Undecided warnings count
        /// against the policy: a warning the data cannot confirm is not credited. The target is judged on this.
        public var falseAlarmRate: Double?
        /// `falseAlarms ÷ (warned SKUs with a decided outcome)`; nil with none decided.
        public var decidedFalseAlarmRate: Double?
        public var alertTransitions: Int
        /// Alert transitions ÷ (SKUs × hours of data).
        public var transitionsPerSKUHour: Double?
        public var freezes: Int
        public var oversoldUnits: Int64
        public var unprotectedOversoldUnits: Int64
        public var unitsOrderedWhileFrozen: Int64
        public var forecastMAE: Double?
        public var forecastMAPE: Double?

        public init(skus: Int = 0, soldOutSKUs: Int = 0, warnedSKUs: Int = 0, missedSellOuts: Int = 0,
                    medianWarningLeadMinutes: Double? = nil, minimumWarningLeadMinutes: Double? = nil,
                    medianCriticalLeadMinutes: Double? = nil, medianFreezeLeadMinutes: Double? = nil,
                    falseAlarms: Int = 0, undecidedAlarms: Int = 0, falseAlarmRate: Double? = nil, decidedFalseAlarmRate: Double? = nil,
                    alertTransitions: Int = 0, transitionsPerSKUHour: Double? = nil, freezes: Int = 0,
                    oversoldUnits: Int64 = 0, unprotectedOversoldUnits: Int64 = 0, unitsOrderedWhileFrozen: Int64 = 0,
                    forecastMAE: Double? = nil, forecastMAPE: Double? = nil) {
            self.skus = skus
            self.soldOutSKUs = soldOutSKUs
            self.warnedSKUs = warnedSKUs
            self.missedSellOuts = missedSellOuts
            self.medianWarningLeadMinutes = medianWarningLeadMinutes
            self.minimumWarningLeadMinutes = minimumWarningLeadMinutes
            self.medianCriticalLeadMinutes = medianCriticalLeadMinutes
            self.medianFreezeLeadMinutes = medianFreezeLeadMinutes
            self.falseAlarms = falseAlarms
            self.undecidedAlarms = undecidedAlarms
            self.falseAlarmRate = falseAlarmRate
            self.decidedFalseAlarmRate = decidedFalseAlarmRate
            self.alertTransitions = alertTransitions
            self.transitionsPerSKUHour = transitionsPerSKUHour
            self.freezes = freezes
            self.oversoldUnits = oversoldUnits
            self.unprotectedOversoldUnits = unprotectedOversoldUnits
            self.unitsOrderedWhileFrozen = unitsOrderedWhileFrozen
            self.forecastMAE = forecastMAE
            self.forecastMAPE = forecastMAPE
        }
    }

    /// Whether a summary meets each target.
    public struct TargetCheck: Codable, Sendable, Equatable {
        public var medianWarningLead: Bool
        public var noMissedSellOut: Bool
        public var falseAlarmRate: Bool
        public var transitionsPerSKUHour: Bool

        public init(medianWarningLead: Bool, noMissedSellOut: Bool, falseAlarmRate: Bool, transitionsPerSKUHour: Bool) {
            self.medianWarningLead = medianWarningLead
            self.noMissedSellOut = noMissedSellOut
            self.falseAlarmRate = falseAlarmRate
            self.transitionsPerSKUHour = transitionsPerSKUHour
        }
    }

    /// One policy's run over the input.
    public struct PolicyResult: Codable, Sendable, Equatable {
        /// The policy file's name without extension, or `default` for the built-in policy.
        public var name: String
        /// The file it was loaded from; nil for the built-in policy.
        public var path: String?
        public var overall: Summary
        /// Keyed by tier (`traffic`, `profit`, `longtail`, `untiered`).
        public var byTier: [String: Summary]
        public var targets: TargetCheck
        /// Per SKU, sorted by SKU.
        public var outcomes: [SKUOutcome]
        /// The transitions file this policy's outputs were written to, relative to the report.
        public var transitionsFile: String?

        public init(name: String, path: String?, overall: Summary, byTier: [String: Summary], targets: TargetCheck,
                    outcomes: [SKUOutcome], transitionsFile: String?) {
            self.name = name
            self.path = path
            self.overall = overall
            self.byTier = byTier
            self.targets = targets
            self.outcomes = outcomes
            self.transitionsFile = transitionsFile
        }
    }
}
