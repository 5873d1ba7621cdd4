import StockModel
import Synchronization

/// Counters of one processor, readable from any thread (for the demo summary, logs and health).
public final class StockMetrics: Sendable {
    /// A consistent copy of every counter.
    public struct Snapshot: Sendable, Equatable {
        /// Input records taken from Kafka (including bad and duplicate ones).
        public var recordsConsumed = 0
        /// Records processed through the merge (decoded or rejected).
        public var recordsProcessed = 0
        /// Records replayed to rebuild state whose outputs were already published.
        public var recordsRestored = 0
        /// Records dead-lettered.
        public var deadLetters = 0
        /// Events dropped as duplicates of an `event_id` seen before.
        public var duplicatesDropped = 0
        /// Records merged behind the task's stream time.
        public var lateRecords = 0
        /// Events older than their task's watermark (stream time − allowed lateness) when applied;
        /// they still update the ledger and count in the rates with the weight of their age.
        public var lateEvents = 0
        /// Alert transitions published, by the level they moved to (raised and escalated only).
        public var alertsByLevel: [AlertLevel: Int] = [:]
        /// All alert transitions published.
        public var alertTransitions = 0
        /// Commands published, by action.
        public var commandsByAction: [CommandAction: Int] = [:]
        /// Units sold beyond stock, summed over the SKUs of the assigned tasks at the last report.
        public var oversoldUnits: Int64 = 0
        /// Forecast error per tier over the assigned tasks' scored forecasts, at the last report.
        public var forecastAccuracyByTier: [Tier: ForecastAccuracy] = [:]
        /// Tasks currently assigned to this instance.
        public var assignedTasks = 0
        /// Offset commits made.
        public var commits = 0
        /// Polls that returned records or rebalance events.
        public var pollBatches = 0
        /// Times a task held records back for a partition that may hold earlier ones (summed over the assigned tasks).
        public var mergeWaits = 0
        /// Where the processing loop's wall time went, in seconds: what bounds its throughput.
        public var loopTime = LoopTime()
    }

    /// Wall time of the processing loop per phase, summed since start.
    public struct LoopTime: Sendable, Equatable {
        /// Waiting for and converting a poll's records (`KafkaConsumer.nextBatch`).
        public var poll = 0.0
        /// Handing records to their tasks and decoding them (`absorb`).
        public var absorb = 0.0
        /// Merging, folding and appending to the task logs (`drain`).
        public var drain = 0.0
        /// Writing and fsyncing the task logs.
        public var logCommit = 0.0
        /// Sending outputs and waiting for their delivery (or committing transactions).
        public var publish = 0.0
        /// Snapshots, offset storage and commits, back-pressure and gauges.
        public var bookkeeping = 0.0
        /// Whole steps (drain through bookkeeping); kept to derive `bookkeeping`.
        var step = 0.0

        /// Adds `other`'s time per phase.
        mutating func add(_ other: LoopTime) {
            poll += other.poll
            absorb += other.absorb
            drain += other.drain
            logCommit += other.logCommit
            publish += other.publish
            bookkeeping += other.bookkeeping
            step += other.step
        }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(_ body: (inout Snapshot) -> Void) {
        state.withLock { body(&$0) }
    }
}

extension StockMetrics.Snapshot {
    /// Forecast error per tier in words, e.g. `traffic MAE 4.2 units, MAPE 31% (57 scored)`.
    public var forecastAccuracySummary: String {
        let parts = Tier.allCases.compactMap { tier -> String? in
            guard let score = forecastAccuracyByTier[tier], let mae = score.meanAbsoluteError else { return nil }
            let mape = score.meanAbsolutePercentageError.map { "\(Int(($0 * 100).rounded()))%" } ?? "n/a"
            let tenths = (mae * 10).rounded() / 10
            return "\(tier.rawValue) MAE \(tenths) units, MAPE \(mape) (\(score.scoredForecasts) scored)"
        }
        return parts.isEmpty ? "no forecast has reached its horizon yet" : parts.joined(separator: "; ")
    }
}

/// Metadata keys used in StockSentry's structured logs.
public enum StockSentryLoggingKeys {
    public static let task = "stocksentry.task"
    public static let group = "kafka.group.id"
}
