import EventLog
import Kafka
import Logging
import ServiceLifecycle
import StockModel

/// The processor: consumes the input topics in a consumer group, folds each task's records into
/// its ``StockBook`` and publishes alert, command and dead-letter records.
///
/// Delivery is at-least-once with deterministic output IDs: a batch's outputs, and every output
/// before them, are acknowledged by the broker before its input offsets are stored, and stored offsets are committed
/// every ``StockSentryConfiguration/commitInterval``, on rebalance and on shutdown. Without a data
/// directory a task rebuilds its state on assignment by re-reading its partitions from the
/// beginning; with one it replays its log and resumes consumption after the log's last record.
/// Either way it publishes only the outputs of records past the group's committed offsets.
public struct StockSentryService: Service {
    public let configuration: StockSentryConfiguration
    public let metrics: StockMetrics
    private let logger: Logger

    public init(configuration: StockSentryConfiguration, metrics: StockMetrics = StockMetrics(), logger: Logger) {
        self.configuration = configuration
        self.metrics = metrics
        var logger = logger
        logger[metadataKey: StockSentryLoggingKeys.group] = .string(configuration.groupID)
        self.logger = logger
    }

    public func run() async throws {
        var consumerConfiguration = KafkaConsumerConfiguration(
            bootstrapServers: configuration.bootstrapServers, groupID: configuration.groupID)
        consumerConfiguration.autoOffsetReset = .earliest
        // read_committed also makes librdkafka ask for stable committed offsets at assignment (KIP-447):
        // offsets a transaction still in flight would move are waited for, as exactly-once needs.
        consumerConfiguration.isolationLevel = .readCommitted
        consumerConfiguration.startAssignedPartitionsFromBeginning = true
        if let dataDirectory = configuration.dataDirectory {
            consumerConfiguration.assignmentStartOffsets = { [configuration, logger] partitions in
                Self.logPositions(of: partitions, dataDirectory: dataDirectory, configuration: configuration, logger: logger)
            }
        }
        consumerConfiguration.additionalProperties = configuration.kafkaProperties
        let consumer: KafkaConsumer
        let producer: KafkaProducer?
        do {
            consumer = try KafkaConsumer.make(configuration: consumerConfiguration, logger: logger)
            producer = configuration.delivery == .atLeastOnce
                ? try KafkaProducer.make(configuration: Self.producerConfiguration(configuration, transactionalID: nil), logger: logger)
                : nil
        } catch {
            throw StockSentryError(.configuration, "cannot create Kafka clients for \(configuration.bootstrapServers): \(error)")
        }
        try Self.verifyTopology(consumer: consumer, configuration: configuration)
        if let producer { try Self.warmUp(producer, configuration: configuration) }
        try consumer.subscribe(to: configuration.topics.inputs)
        logger.info("subscribed", metadata: ["inputs": .string(configuration.topics.inputs.joined(separator: ","))])

        let shutdown = ShutdownFlag()
        var loop = ProcessingLoop(configuration: configuration, consumer: consumer, producer: producer,
                                  metrics: metrics, logger: logger)
        do {
            try await withGracefulShutdownHandler {
                try await loop.run(until: shutdown)
            } onGracefulShutdown: {
                shutdown.set()
            }
        } catch {
            logger.error("processing stopped", metadata: ["error": .string("\(error)")])
            try? consumer.close()
            throw error
        }
        try await loop.finish()
        let final = metrics.snapshot
        logger.info("stopped", metadata: [
            "commits": .stringConvertible(final.commits),
            "records_consumed": .stringConvertible(final.recordsConsumed),
            "forecast_accuracy": .string(final.forecastAccuracySummary),
        ])
    }

    /// The output producer's configuration: idempotent, murmur2 like Kafka's Java clients, batching
    /// from ``StockSentryConfiguration/outputBatching``, the user's properties last; transactional
    /// when `transactionalID` is given.
    static func producerConfiguration(_ configuration: StockSentryConfiguration, transactionalID: String?) -> KafkaProducerConfiguration {
        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: configuration.bootstrapServers)
        producerConfiguration.enableIdempotence = true
        producerConfiguration.linger = configuration.outputBatching.linger
        producerConfiguration.batchNumberOfMessages = configuration.outputBatching.maximumRecords
        producerConfiguration.transactionalID = transactionalID
        producerConfiguration.transactionTimeout = configuration.transactionTimeout
        producerConfiguration.additionalProperties = ["partitioner": "murmur2_random"]
            .merging(configuration.kafkaProperties) { _, given in given }
        return producerConfiguration
    }

    /// Fetches the output topics' metadata into `producer`, so the first alert after a start does not
    /// wait for a metadata round trip (seen as a one-off delay of a second or more on the dev broker).
    static func warmUp(_ producer: KafkaProducer, configuration: StockSentryConfiguration) throws {
        for topic in configuration.topics.outputs {
            do {
                _ = try producer.partitionCount(topic: topic, timeout: configuration.metadataTimeout)
            } catch {
                throw StockSentryError(.topology, "output topic \"\(topic)\" is not available to the producer at \(configuration.bootstrapServers): \(error)",
                                       cause: error as? KafkaError)
            }
        }
    }

    /// Where each assigned input partition resumes: after the last record its task's log holds.
    ///
    /// Partitions of tasks without a log are left out and start from the beginning, to rebuild the
    /// task's state from the topics. A log that cannot be read is left out too; attaching it after
    /// the assignment reports the error and stops the task. Runs on the consumer's poll thread.
    static func logPositions(of partitions: [KafkaTopicPartition], dataDirectory: String,
                             configuration: StockSentryConfiguration, logger: Logger) -> [KafkaTopicPartition: Int64] {
        var positions: [KafkaTopicPartition: Int64] = [:]
        for partition in Set(partitions.map(\.partition)).sorted() {
            let directory = TaskLog.directory(dataDirectory: dataDirectory, groupID: configuration.groupID, partition: partition)
            let logged: [String: Int64]?
            do {
                logged = try TaskLog.nextOffsets(directory: directory)
            } catch {
                logger.warning("task log unreadable at assignment; its partitions start from the beginning",
                               metadata: [StockSentryLoggingKeys.task: .stringConvertible(partition), "error": .string("\(error)")])
                continue
            }
            guard let logged else { continue }
            for topicPartition in partitions where topicPartition.partition == partition {
                if let next = logged[Snapshot.sourceKey(topic: topicPartition.topic, partition: partition)] {
                    positions[topicPartition] = next
                }
            }
            logger.info("task resumes after its log", metadata: [
                StockSentryLoggingKeys.task: .stringConvertible(partition),
                "offsets": .string(positions.filter { $0.key.partition == partition }.map { "\($0.key)@\($0.value)" }.sorted().joined(separator: ",")),
            ])
        }
        return positions
    }

    /// Refuses to start unless every input topic exists and all have the same partition count.
    static func verifyTopology(consumer: KafkaConsumer, configuration: StockSentryConfiguration) throws {
        var counts: [(String, Int)] = []
        for topic in configuration.topics.inputs + configuration.topics.outputs {
            do {
                counts.append((topic, try consumer.partitionCount(topic: topic, timeout: configuration.metadataTimeout)))
            } catch {
                throw StockSentryError(.topology,
                    "topic \"\(topic)\" is not available at \(configuration.bootstrapServers): \(error); create it (see deploy/README.md) or start `stocksentry broker`",
                    cause: error as? KafkaError)
            }
        }
        let inputs = counts.prefix(configuration.topics.inputs.count)
        if Set(inputs.map(\.1)).count > 1 {
            let listing = inputs.map { "\($0.0) has \($0.1)" }.joined(separator: ", ")
            throw StockSentryError(.topology,
                "input topics are not co-partitioned: \(listing); every input topic needs the same partition count so that partition p of each forms one task (recreate them alike)")
        }
    }
}

/// The state of one running processor: its tasks and what is in flight. Lives on one task only.
struct ProcessingLoop {
    private let configuration: StockSentryConfiguration
    private let consumer: KafkaConsumer
    /// The shared idempotent producer (at-least-once); nil with exactly-once.
    private let producer: KafkaProducer?
    private let metrics: StockMetrics
    private let logger: Logger
    private var tasks: [Int32: TaskProcessor] = [:]
    /// With exactly-once: each task's transactional producer.
    private var transactionalProducers: [Int32: KafkaProducer] = [:]
    private var paused: Set<KafkaTopicPartition> = []
    private var storedPositions: [KafkaTopicPartition: Int64] = [:]
    /// Outputs not yet sent, per task.
    private var pending: [Int32: [OutgoingRecord]] = [:]
    private var lastCommit = ContinuousClock.now
    /// When offsets were last stored (every output before them delivered).
    private var lastStore = ContinuousClock.now
    /// The delivery group of the latest step that sent outputs; each such step sends under the next number.
    private var deliveryGroup: UInt64 = 0
    /// Processed positions per delivery group, oldest first: they may be stored once the producer
    /// reports that group and all before it delivered. One entry per step with outputs in flight.
    private var awaitingDelivery: [(group: UInt64, positions: [KafkaTopicPartition: Int64])] = []
    /// When every output sent so far was last seen delivered.
    private var lastAllDelivered = ContinuousClock.now
    private var lastGaugeUpdate = ContinuousClock.now
    private var uncommitted = false
    private let snapshotSchedule: SnapshotSchedule
    /// Wall time per phase since the last report to ``StockMetrics``.
    private var loopTime = StockMetrics.LoopTime()

    init(configuration: StockSentryConfiguration, consumer: KafkaConsumer, producer: KafkaProducer?,
         metrics: StockMetrics, logger: Logger) {
        self.configuration = configuration
        self.consumer = consumer
        self.producer = producer
        self.metrics = metrics
        self.logger = logger
        var schedule = SnapshotSchedule()
        schedule.everyEvents = configuration.snapshotEveryRecords
        schedule.everyInterval = configuration.snapshotInterval
        self.snapshotSchedule = schedule
    }

    mutating func run(until shutdown: ShutdownFlag) async throws {
        while !shutdown.isSet && !Task.isCancelled {
            let started = ContinuousClock.now
            let batch = try await consumer.nextBatch(
                maxRecords: configuration.maximumBatchRecords, timeout: configuration.pollTimeout)
            for error in batch.errors {
                logger.warning("kafka", metadata: ["error": .string("\(error)")])
            }
            let polled = ContinuousClock.now
            try await absorb(batch)
            let absorbed = ContinuousClock.now
            loopTime.poll += started.duration(to: polled).seconds
            loopTime.absorb += polled.duration(to: absorbed).seconds
            if try await step() > 0 { report() }
        }
    }

    /// Applies a poll's rebalance events and buffers its records in their tasks.
    private mutating func absorb(_ batch: KafkaPollBatch) async throws {
        // Records of a batch were fetched before the rebalance it reports (the consumer stops a
        // poll at a rebalance), so they belong to the tasks as they were.
        // Each task picks and decodes its own records from the batch, several tasks at once.
        let records = batch.records
        let topics = configuration.topics
        let consumed = records.isEmpty ? 0 : try forEachTask(tasks.keys.sorted()) { work in
            var count = 0
            for index in records.indices where records[index].partition == work.partition {
                guard let role = topics.role(of: records[index].topic) else { continue }
                work.task.accept(records[index], role: role)
                count += 1
            }
            return count
        }
        if consumed > 0 || !batch.assigned.isEmpty || !batch.revoked.isEmpty {
            metrics.update {
                $0.recordsConsumed += consumed
                $0.pollBatches += 1
            }
        }
        if !batch.revoked.isEmpty {
            for topicPartition in batch.revoked {
                if tasks.removeValue(forKey: topicPartition.partition) != nil {
                    logger.info("task revoked", metadata: [StockSentryLoggingKeys.task: .stringConvertible(topicPartition.partition)])
                }
                // No transaction stays open across polls, so the task's producer has nothing in flight.
                transactionalProducers.removeValue(forKey: topicPartition.partition)
                pending.removeValue(forKey: topicPartition.partition)
                paused.remove(topicPartition)
                storedPositions.removeValue(forKey: topicPartition)
                for index in awaitingDelivery.indices {
                    awaitingDelivery[index].positions.removeValue(forKey: topicPartition)
                }
            }
            updateGauges()
        }
        var created: [Int32] = []
        for assignment in batch.assigned {
            let topicPartition = assignment.topicPartition
            guard let role = configuration.topics.role(of: topicPartition.topic) else { continue }
            if tasks[topicPartition.partition] == nil {
                tasks[topicPartition.partition] = TaskProcessor(partition: topicPartition.partition, configuration: configuration)
                created.append(topicPartition.partition)
                logger.info("task assigned", metadata: [StockSentryLoggingKeys.task: .stringConvertible(topicPartition.partition)])
            }
            tasks[topicPartition.partition]!.setRestoreBoundary(role, committedOffset: assignment.committedOffset)
        }
        if configuration.delivery == .exactlyOnce {
            for partition in created.sorted() {
                transactionalProducers[partition] = try await makeTransactionalProducer(partition)
            }
        }
        if let dataDirectory = configuration.dataDirectory {
            // After every boundary is known: replayed records past them republish their outputs.
            for partition in created.sorted() {
                let directory = TaskLog.directory(dataDirectory: dataDirectory, groupID: configuration.groupID, partition: partition)
                try tasks[partition]!.attachLog(directory: directory, logger: logger, into: &pending[partition, default: []])
            }
        }
        if !batch.assigned.isEmpty { updateGauges() }
    }

    /// Drains every task, publishes, then stores and (periodically) commits offsets.
    /// - Returns: how many records were processed.
    private mutating func step() async throws -> Int {
        let now = ContinuousClock.now
        defer { loopTime.step += now.duration(to: .now).seconds }
        for partition in tasks.keys.sorted() {
            for role in InputTopic.allCases {
                let topicPartition = inputPartition(role, partition)
                tasks[partition]!.updateHighWatermark(role, consumer.cachedHighWatermark(topicPartition))
            }
        }
        let processed = try forEachTask(tasks.keys.sorted()) { work in
            try work.task.drain(now: now, maximumRecords: .max, into: &work.outputs)
        }
        let drained = ContinuousClock.now
        loopTime.drain += now.duration(to: drained).seconds
        // The batch is durable before any of its effects leave the process.
        for partition in tasks.keys.sorted() {
            try await tasks[partition]!.commitLog()
        }
        let logged = ContinuousClock.now
        loopTime.logCommit += drained.duration(to: logged).seconds
        // Whether every output of every record processed so far has been delivered.
        let delivered: Bool
        if let producer {
            delivered = try await publish(through: producer, now: now)
        } else {
            try await commitTransactions()
            delivered = true
        }
        loopTime.publish += logged.duration(to: .now).seconds
        if delivered {
            // A snapshot covers only records whose outputs are all delivered (or committed), so a crash
            // never leaves an output that replay after the snapshot could not publish again.
            for partition in tasks.keys.sorted() {
                try await tasks[partition]!.snapshotIfDue(snapshotSchedule, now: now)
            }
        }

        try applyBackPressure()
        if producer != nil && uncommitted && lastCommit.duration(to: .now) >= configuration.commitInterval {
            try commit()
        }
        if lastGaugeUpdate.duration(to: .now) >= .seconds(1) { updateGauges() }
        return processed
    }

    /// One task and its pending outputs, out of the loop's dictionaries while ``forEachTask(_:_:)`` runs.
    private struct TaskWork: Sendable {
        let partition: Int32
        var task: TaskProcessor
        var outputs: [OutgoingRecord]
        var count = 0
        var failure: (any Error)?
    }

    /// Runs `body` on each of `partitions`' tasks with its pending outputs; up to
    /// ``StockSentryConfiguration/taskThreads`` tasks at once, since tasks share no state. Returns
    /// the sum of what `body` returned; the first failure (in partition order) is rethrown after
    /// every task has finished.
    private mutating func forEachTask(_ partitions: [Int32], _ body: @Sendable (inout TaskWork) throws -> Int) throws -> Int {
        // Removed from the dictionaries, each task is owned by `work` alone, so it changes in place
        // rather than being copied on write.
        var work = partitions.map {
            TaskWork(partition: $0, task: tasks.removeValue(forKey: $0)!, outputs: pending.removeValue(forKey: $0) ?? [])
        }
        TaskParallelism.forEach(&work, threads: configuration.taskThreads) { item in
            do {
                let count = try body(&item)
                item.count = count
            } catch {
                item.failure = error
            }
        }
        var total = 0
        var failure: (any Error)?
        for item in work {
            tasks[item.partition] = item.task
            pending[item.partition] = item.outputs
            total += item.count
            failure = failure ?? item.failure
        }
        if let failure { throw failure }
        return total
    }

    /// Sends the pending outputs under a new delivery group and stores the offsets of every record
    /// whose outputs, and all outputs before them, have been delivered.
    ///
    /// Sends are not waited for: acknowledgements arrive while the loop goes on, and each step's
    /// positions are stored once its group is reported delivered, so offsets keep moving under a
    /// steady stream of outputs without stalling the loop (a flush costs ~40 ms even for one record
    /// on the dev broker, BENCHMARKS.md). The loop waits (flush) only when no group has completed for
    /// a commit interval, when ``StockSentryConfiguration/maximumOutputsInFlight`` are in flight
    /// (back-pressure from a broker slower than the loop), or when a snapshot is due and outputs have
    /// been in flight for a commit interval, since a snapshot may cover only delivered outputs.
    /// - Returns: whether every output sent so far has been delivered.
    private mutating func publish(through producer: KafkaProducer, now: ContinuousClock.Instant) async throws -> Bool {
        var sent = false
        for partition in pending.keys.sorted() where !(pending[partition]?.isEmpty ?? true) {
            for record in pending[partition]! {
                try producer.send(topic: record.topic, key: record.key, value: record.value, deliveryGroup: deliveryGroup + 1)
            }
            pending[partition]!.removeAll(keepingCapacity: true)
            sent = true
        }
        if sent { deliveryGroup += 1 }
        // Every output of the records processed so far was sent under `deliveryGroup` or before.
        let positions = processedPositions()
        if let last = awaitingDelivery.last, last.group == deliveryGroup {
            awaitingDelivery[awaitingDelivery.count - 1].positions = positions
        } else {
            awaitingDelivery.append((deliveryGroup, positions))
        }
        var completed = try producer.pollCompletedDeliveryGroup()
        if completed < deliveryGroup {
            let stalled = lastStore.duration(to: .now) >= configuration.commitInterval
            let backlogged = producer.outstandingCount >= configuration.maximumOutputsInFlight
            let snapshotWaiting = lastAllDelivered.duration(to: .now) >= configuration.commitInterval
                && tasks.values.contains { $0.isSnapshotDue(snapshotSchedule, now: now) }
            if stalled || backlogged || snapshotWaiting {
                try await producer.flush(timeout: configuration.flushTimeout)
                completed = try producer.pollCompletedDeliveryGroup()
            }
        }
        // Stored offsets may be committed by a rebalance at any poll, so they cover delivered outputs only.
        var deliveredPositions: [KafkaTopicPartition: Int64]?
        while let first = awaitingDelivery.first, first.group <= completed {
            deliveredPositions = first.positions
            awaitingDelivery.removeFirst()
        }
        if let deliveredPositions {
            try storeOffsets(deliveredPositions)
            lastStore = .now
        }
        guard completed == deliveryGroup else { return false }
        lastAllDelivered = .now
        return true
    }

    /// A task's transactional producer, registered with the coordinator: this fences the previous
    /// owner's producer (a zombie or a crashed incarnation) and aborts the transaction it left open.
    private func makeTransactionalProducer(_ partition: Int32) async throws -> KafkaProducer {
        let transactionalID = "\(configuration.groupID)-task-\(partition)"
        do {
            let producer = try KafkaProducer.make(
                configuration: StockSentryService.producerConfiguration(configuration, transactionalID: transactionalID), logger: logger)
            try await producer.initTransactions(timeout: configuration.transactionTimeout)
            try StockSentryService.warmUp(producer, configuration: configuration)
            logger.info("task producer ready", metadata: [StockSentryLoggingKeys.task: .stringConvertible(partition),
                                                          "transactional_id": .string(transactionalID)])
            return producer
        } catch {
            throw StockSentryError(.kafka, "task \(partition): cannot start transactional producer \(transactionalID) at \(configuration.bootstrapServers): \(error); the broker must support transactions (use --delivery at-least-once otherwise)",
                                   cause: error as? KafkaError)
        }
    }

    /// Per task with outputs or new positions: one transaction with its outputs and its input offsets.
    ///
    /// A failed transaction is aborted when it can be and stops the processor: a restart recovers
    /// from the task log and the offsets the last committed transaction stored, so nothing is lost
    /// and `read_committed` consumers see nothing twice. A fenced producer means another instance
    /// owns the task now.
    private mutating func commitTransactions() async throws {
        for partition in tasks.keys.sorted() {
            guard let producer = transactionalProducers[partition] else { continue }
            var offsets: [KafkaTopicPartition: Int64] = [:]
            for (role, position) in tasks[partition]!.processedPositions {
                let topicPartition = inputPartition(role, partition)
                if storedPositions[topicPartition] != position { offsets[topicPartition] = position }
            }
            let outputs = pending[partition] ?? []
            guard !outputs.isEmpty || !offsets.isEmpty else { continue }
            do {
                try producer.beginTransaction()
                for record in outputs {
                    try producer.send(topic: record.topic, key: record.key, value: record.value)
                }
                try await producer.sendOffsetsToTransaction(offsets, consumer: consumer, timeout: configuration.transactionTimeout)
                try await producer.commitTransaction(timeout: configuration.transactionTimeout)
            } catch let error as KafkaError {
                if !error.isFatal { try? await producer.abortTransaction(timeout: configuration.transactionTimeout) }
                throw StockSentryError(.kafka, "task \(partition): transaction failed\(error.isFatal ? " (producer fenced: another instance owns the task)" : ", aborted"): \(error); stopping so that a restart recovers from the task log and the last committed offsets",
                                       cause: error)
            }
            pending[partition]?.removeAll(keepingCapacity: true)
            for (topicPartition, position) in offsets { storedPositions[topicPartition] = position }
            metrics.update { $0.commits += 1 }
        }
    }

    private func inputPartition(_ role: InputTopic, _ partition: Int32) -> KafkaTopicPartition {
        KafkaTopicPartition(topic: configuration.topics.name(of: role), partition: partition)
    }

    /// The position after the last processed record of every assigned input partition.
    private func processedPositions() -> [KafkaTopicPartition: Int64] {
        var positions: [KafkaTopicPartition: Int64] = [:]
        for (partition, task) in tasks {
            for (role, position) in task.processedPositions {
                positions[inputPartition(role, partition)] = position
            }
        }
        return positions
    }

    /// Stores `positions` that changed since they were last stored.
    private mutating func storeOffsets(_ positions: [KafkaTopicPartition: Int64]) throws {
        var changed: [KafkaTopicPartition: Int64] = [:]
        for (topicPartition, position) in positions where storedPositions[topicPartition] != position {
            changed[topicPartition] = position
            storedPositions[topicPartition] = position
        }
        guard !changed.isEmpty else { return }
        try consumer.storeOffsets(changed)
        uncommitted = true
    }

    private mutating func commit() throws {
        try consumer.commitStoredOffsets()
        lastCommit = .now
        uncommitted = false
        metrics.update { $0.commits += 1 }
    }

    /// Pauses a partition whose buffer is full and resumes it once half of it is drained.
    private mutating func applyBackPressure() throws {
        let limit = configuration.maximumBufferedRecordsPerPartition
        var toPause: [KafkaTopicPartition] = []
        var toResume: [KafkaTopicPartition] = []
        for (partition, task) in tasks {
            for role in InputTopic.allCases {
                let topicPartition = inputPartition(role, partition)
                let buffered = task.merger.bufferedCount(role)
                if buffered >= limit && !paused.contains(topicPartition) {
                    toPause.append(topicPartition)
                } else if buffered <= limit / 2 && paused.contains(topicPartition) {
                    toResume.append(topicPartition)
                }
            }
        }
        if !toPause.isEmpty {
            try consumer.pause(toPause)
            paused.formUnion(toPause)
        }
        if !toResume.isEmpty {
            try consumer.resume(toResume)
            paused.subtract(toResume)
        }
    }

    private mutating func report() {
        var total = TaskCounters()
        var late = 0
        var waits = 0
        var lateEvents = 0
        for partition in tasks.keys {
            let counters = tasks[partition]!.takeCounters()
            total.processed += counters.processed
            total.restored += counters.restored
            total.deadLetters += counters.deadLetters
            total.duplicates += counters.duplicates
            total.alertTransitions += counters.alertTransitions
            total.alertsByLevel.merge(counters.alertsByLevel, uniquingKeysWith: +)
            total.commandsByAction.merge(counters.commandsByAction, uniquingKeysWith: +)
            late += tasks[partition]!.merger.lateRecords
            waits += tasks[partition]!.merger.waits
            lateEvents += tasks[partition]!.book.lateEventCount
        }
        var time = loopTime
        // `step` summed each step's whole time; what the named phases did not take is bookkeeping.
        time.bookkeeping = time.step - time.drain - time.logCommit - time.publish
        loopTime = StockMetrics.LoopTime()
        metrics.update { snapshot in
            snapshot.loopTime.add(time)
            snapshot.recordsProcessed += total.processed
            snapshot.recordsRestored += total.restored
            snapshot.deadLetters += total.deadLetters
            snapshot.duplicatesDropped += total.duplicates
            snapshot.alertTransitions += total.alertTransitions
            snapshot.alertsByLevel.merge(total.alertsByLevel, uniquingKeysWith: +)
            snapshot.commandsByAction.merge(total.commandsByAction, uniquingKeysWith: +)
            snapshot.lateRecords = late
            snapshot.mergeWaits = waits
            snapshot.lateEvents = lateEvents
        }
    }

    private mutating func updateGauges() {
        lastGaugeUpdate = .now
        let oversold = tasks.values.reduce(Int64(0)) { $0 + $1.book.statistics.oversoldUnits }
        var accuracy: [Tier: ForecastAccuracy] = [:]
        for task in tasks.values {
            for (tier, score) in task.book.forecastAccuracyByTier {
                accuracy[tier, default: ForecastAccuracy()].merge(score)
            }
        }
        let assigned = tasks.count
        metrics.update {
            $0.oversoldUnits = oversold
            $0.assignedTasks = assigned
            $0.forecastAccuracyByTier = accuracy
        }
    }

    /// Publishes what is in flight, stores and commits offsets and leaves the group.
    mutating func finish() async throws {
        if let producer {
            try await producer.flush(timeout: configuration.flushTimeout)
            try storeOffsets(processedPositions())
            awaitingDelivery.removeAll()
            updateGauges()
            try commit()
        } else {
            // Every step ends with its transactions committed; the consumer commits nothing itself.
            updateGauges()
        }
        try consumer.close()
    }
}
