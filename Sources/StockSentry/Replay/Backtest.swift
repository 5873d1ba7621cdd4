import Kafka
import StockModel

/// A policy under test and the name the report gives it.
public struct BacktestPolicy: Sendable {
    /// The policy file's name without its extension, or `default`.
    public var name: String
    /// The file it came from; nil for the built-in policy.
    public var path: String?
    public var policy: PolicySet

    public init(name: String, path: String?, policy: PolicySet) {
        self.name = name
        self.path = path
        self.policy = policy
    }

    /// The built-in policy, named `default`.
    public static let builtInDefault = BacktestPolicy(name: "default", path: nil, policy: .builtInDefault)
}

/// How a replay runs and what its report measures.
public struct BacktestConfiguration: Sendable {
    /// The policies, each folded over the same records. Default: the built-in policy.
    public var policies: [BacktestPolicy] = [.builtInDefault]
    /// Input and output topic names. Default: DESIGN.md's.
    public var topics = StockSentryConfiguration.Topics()
    /// A SKU's stock curve keeps at most one point per this much event time (the last one). Default: 30 s.
    public var curveResolutionMilliseconds: Int64 = 30_000
    /// What the report judges the policies by. Default: DESIGN.md's targets.
    public var targets = BacktestReport.Targets()
    /// As the live processor's; the same value gives the same dead letters. Default: 65 536.
    public var maximumRecordBytes = StockSentryConfiguration.defaultMaximumRecordBytes
    /// As the live processor's; the same value drops the same duplicates. Default: 200 000.
    public var duplicateWindow = StockSentryConfiguration.defaultDuplicateWindow
    /// How many tasks fold at once, each on its own thread. Default: the processor count.
    public var taskThreads = StockSentryConfiguration.defaultTaskThreads

    public init() {}
}

/// One record a replay would have published.
public struct ReplayOutput: Sendable, Equatable {
    /// The output topic (alerts, commands or dead letters) it belongs to.
    public var topic: String
    public var key: [UInt8]?
    /// The task (input partition) that produced it.
    public var partition: Int32
    /// Event time of the output (`ts`), or the source record's timestamp for a dead letter.
    public var time: Int64
    public var value: [UInt8]
}

/// What a replay produced: the report, and per policy the outputs the live run would have published.
public struct BacktestResult: Sendable {
    public var report: BacktestReport
    /// Per policy (in configuration order), sorted by time, then task, then the order the task produced them.
    public var outputs: [[ReplayOutput]]
    /// Rejected records as dead letters; the same under every policy.
    public var deadLetters: [ReplayOutput]
}

/// Re-runs recorded input through the model, exactly as the live processor folds it, under one or
/// more policies at once.
///
/// Each task's four partitions are merged by ``PartitionMerger`` with every partition's end known, so
/// the order is DESIGN.md's event-time merge (ties: inventory, orders, carts, interactions, then offset)
/// and does not depend on read speed. Each record is decoded once and applied to one ``StockBook`` per
/// policy, followed by the watermark as ``TaskProcessor`` does; outputs carry the same IDs and bytes
/// a live run over the same partitions publishes.
public enum Backtest {
    /// Runs every policy over `input`, up to ``BacktestConfiguration/taskThreads`` tasks at once
    /// (tasks share no state, so the result is the same).
    /// - Parameter observe: called with every event the model applied (duplicates dropped), task by
    ///   task in processing order; the reconciliation report folds these. With it, tasks run one
    ///   after another on the calling thread.
    public static func run(_ input: ReplayInput, configuration: BacktestConfiguration,
                           observe: ((StockEvent) -> Void)? = nil) -> BacktestResult {
        let policies = configuration.policies.isEmpty ? [BacktestPolicy.builtInDefault] : configuration.policies
        let decoder = EventDecoder(maximumRecordBytes: configuration.maximumRecordBytes)
        let folds: [TaskFold]
        if let observe {
            folds = input.tasks.map { fold($0, policies: policies, decoder: decoder, configuration: configuration, observe: observe) }
        } else {
            var slots: [(task: Int, fold: TaskFold?)] = input.tasks.indices.map { ($0, nil) }
            TaskParallelism.forEach(&slots, threads: configuration.taskThreads) { slot in
                slot.fold = fold(input.tasks[slot.task], policies: policies, decoder: decoder, configuration: configuration, observe: nil)
            }
            folds = slots.map { $0.fold! }
        }

        // Merged in task order, so nothing depends on which thread finished first.
        let topics = configuration.topics
        var histories: [SKUHistoryRecorder] = []
        var outcomes: [[SKUOutcomeRecorder]] = Array(repeating: [], count: policies.count)
        var accuracyByTier: [[Tier: ForecastAccuracy]] = Array(repeating: [:], count: policies.count)
        var accuracyBySKU: [[String: ForecastAccuracy]] = Array(repeating: [:], count: policies.count)
        var outputs: [[(output: ReplayOutput, sequence: Int)]] = Array(repeating: [], count: policies.count)
        var deadLetters: [ReplayOutput] = []
        var duplicates = 0
        var lateEvents = 0
        var firstEventTime: Int64?
        var lastEventTime: Int64?
        for index in folds.indices {
            let task = folds[index]
            histories.append(contentsOf: task.histories)
            deadLetters.append(contentsOf: task.deadLetters)
            duplicates += task.duplicates
            lateEvents += task.lateEvents
            if let first = task.firstEventTime { firstEventTime = min(firstEventTime ?? first, first) }
            if let last = task.lastEventTime { lastEventTime = max(lastEventTime ?? last, last) }
            for policy in policies.indices {
                outcomes[policy].append(contentsOf: task.outcomes[policy])
                for (tier, accuracy) in task.accuracyByTier[policy] { accuracyByTier[policy][tier, default: ForecastAccuracy()].merge(accuracy) }
                accuracyBySKU[policy].merge(task.accuracyBySKU[policy]) { _, later in later }
                outputs[policy].append(contentsOf: task.outputs[policy])
            }
        }

        histories.sort { $0.sku < $1.sku }
        var recordsByTopic: [String: Int] = [:]
        for role in InputTopic.allCases { recordsByTopic[role.rawValue] = input.recordsByTopic[topics.name(of: role)] ?? 0 }
        let reportInput = BacktestReport.Input(
            source: input.source, recordsByTopic: recordsByTopic, deadLetters: deadLetters.count, duplicates: duplicates,
            lateEvents: lateEvents, tasks: input.tasks.count, firstEventTime: firstEventTime, lastEventTime: lastEventTime)
        let skuHistories = histories.map { $0.history() }
        var results: [BacktestReport.PolicyResult] = []
        for (index, policy) in policies.enumerated() {
            results.append(BacktestSummarizer(
                histories: skuHistories, targets: configuration.targets, lastEventTime: lastEventTime,
                firstEventTime: firstEventTime
            ).result(policy: policy, outcomes: outcomes[index], accuracyBySKU: accuracyBySKU[index],
                     accuracyByTier: accuracyByTier[index]))
        }
        let sortedOutputs = outputs.map { list in
            list.sorted { a, b in
                if a.output.time != b.output.time { return a.output.time < b.output.time }
                if a.output.partition != b.output.partition { return a.output.partition < b.output.partition }
                return a.sequence < b.sequence
            }.map(\.output)
        }
        return BacktestResult(
            report: BacktestReport(input: reportInput, targets: configuration.targets, skus: skuHistories, policies: results),
            outputs: sortedOutputs, deadLetters: deadLetters)
    }

    /// One task's share of a backtest, merged by ``run(_:configuration:observe:)`` in task order.
    struct TaskFold: Sendable {
        var histories: [SKUHistoryRecorder] = []
        var outcomes: [[SKUOutcomeRecorder]]
        var accuracyByTier: [[Tier: ForecastAccuracy]]
        var accuracyBySKU: [[String: ForecastAccuracy]]
        /// Per policy, with each output's position in the task for a stable sort.
        var outputs: [[(output: ReplayOutput, sequence: Int)]]
        var deadLetters: [ReplayOutput] = []
        var duplicates = 0
        var lateEvents = 0
        var firstEventTime: Int64?
        var lastEventTime: Int64?

        init(policies: Int) {
            outcomes = Array(repeating: [], count: policies)
            accuracyByTier = Array(repeating: [:], count: policies)
            accuracyBySKU = Array(repeating: [:], count: policies)
            outputs = Array(repeating: [], count: policies)
        }
    }

    /// Merges and folds one task's records under every policy. A dead letter without a record
    /// timestamp takes the task's latest event time.
    static func fold(_ task: ReplayInput.TaskInput, policies: [BacktestPolicy], decoder: EventDecoder,
                     configuration: BacktestConfiguration, observe: ((StockEvent) -> Void)?) -> TaskFold {
        let topics = configuration.topics
        let endOfTime = ContinuousClock.now
        var folded = TaskFold(policies: policies.count)
        var sequence = 0
        var merger = PartitionMerger(maximumIdle: .zero)
        var books = policies.map { StockBook(policy: $0.policy, duplicateWindow: configuration.duplicateWindow) }
        var taskHistory: [String: SKUHistoryRecorder] = [:]
        var taskOutcomes: [[String: SKUOutcomeRecorder]] = Array(repeating: [:], count: policies.count)
        var next = [Int](repeating: 0, count: 4)
        for role in InputTopic.allCases {
            merger.updateHighWatermark(role, (task.records(role).last?.offset ?? -1) + 1)
        }
        var scratch: [StockOutput] = []
        func refill() {
            for role in InputTopic.allCases {
                let lane = PartitionMerger.laneIndex(role)
                guard merger.bufferedCount(role) == 0, next[lane] < task.lanes[lane].count else { continue }
                let record = task.lanes[lane][next[lane]]
                next[lane] += 1
                merger.enqueue(TaskProcessor.buffer(record, role: role, decoder: decoder))
            }
        }
        refill()
        while case .process(let buffered) = merger.next(now: endOfTime) {
            defer { refill() }
            let event: StockEvent
            switch buffered.decoded {
            case .failure(let rejection):
                var value: [UInt8] = []
                DeadLetter(record: buffered.record, reason: rejection.reason).encodeJSON(into: &value)
                folded.deadLetters.append(ReplayOutput(topic: topics.deadLetter, key: buffered.record.key, partition: task.partition,
                                                time: buffered.record.timestampMilliseconds ?? folded.lastEventTime ?? 0, value: value))
                continue
            case .success(let decoded):
                event = decoded
            }
            let time = event.time.millisecondsSinceEpoch
            folded.firstEventTime = min(folded.firstEventTime ?? time, time)
            folded.lastEventTime = max(folded.lastEventTime ?? time, time)
            let sku = event.sku
            let ledgerBefore = books[0].ledger(for: sku)
            for index in books.indices {
                let frozenBefore = books[index].alertState(for: sku)?.isFrozen ?? false
                scratch.removeAll(keepingCapacity: true)
                let result = books[index].apply(event, outputs: &scratch)
                if let streamTime = merger.streamTime { books[index].advanceWatermark(to: streamTime, outputs: &scratch) }
                if result == .applied {
                    if index == 0 {
                        observe?(event)
                        if let ledger = books[0].ledger(for: sku) {
                            taskHistory[sku, default: SKUHistoryRecorder(sku: sku, partition: task.partition)]
                                .observe(ledger, at: time, resolution: configuration.curveResolutionMilliseconds)
                        }
                    }
                    if case .order = event, let after = books[index].ledger(for: sku) {
                        taskOutcomes[index][sku, default: SKUOutcomeRecorder(sku: sku)]
                            .observeOrder(before: ledgerBefore, after: after, frozen: frozenBefore)
                    }
                } else if index == 0 {
                    folded.duplicates += 1
                }
                for output in scratch {
                    var value: [UInt8] = []
                    value.reserveCapacity(512)
                    let topic: String
                    let outputSKU: String
                    let outputTime: Int64
                    switch output {
                    case .alert(let alert):
                        alert.encodeJSON(into: &value)
                        (topic, outputSKU, outputTime) = (topics.alerts, alert.sku, alert.time.millisecondsSinceEpoch)
                        taskOutcomes[index][outputSKU, default: SKUOutcomeRecorder(sku: outputSKU)].observe(alert)
                    case .command(let command):
                        command.encodeJSON(into: &value)
                        (topic, outputSKU, outputTime) = (topics.commands, command.sku, command.time.millisecondsSinceEpoch)
                        taskOutcomes[index][outputSKU, default: SKUOutcomeRecorder(sku: outputSKU)].observe(command)
                    }
                    folded.outputs[index].append((ReplayOutput(topic: topic, key: Array(outputSKU.utf8), partition: task.partition,
                                                        time: outputTime, value: value), sequence))
                    sequence += 1
                }
            }
        }
        folded.lateEvents = books[0].lateEventCount
        folded.histories = Array(taskHistory.values)
        for index in books.indices {
            folded.outcomes[index] = Array(taskOutcomes[index].values)
            folded.accuracyByTier[index] = books[index].forecastAccuracyByTier
            for sku in taskHistory.keys {
                if let accuracy = books[index].forecastAccuracy(for: sku) { folded.accuracyBySKU[index][sku] = accuracy }
            }
        }
        return folded
    }
}
