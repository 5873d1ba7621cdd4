import CRdKafka
import Dispatch
import Logging
import Synchronization

/// A consumer-group member with manual offset management (librdkafka's high-level consumer).
///
/// Offsets are never committed automatically: process a record, `storeOffsets` its offset + 1,
/// then `commitStoredOffsets` at a point of your choosing. Rebalancing is eager (`range`); when
/// partitions are revoked the stored offsets are committed first, so processed records are not
/// handed to the next owner again. That commit is a safety net: if it fails (as it does on
/// librdkafka 2.0.2's mock cluster while the group is joining) the failure is reported in the
/// batch's `errors` and the next owner re-reads from the last committed offset.
///
/// Blocking calls (`poll`, `commitStoredOffsets`, `close`) must not run on the Swift cooperative
/// pool; use `nextBatch`, which runs `poll` on the consumer's own serial `DispatchQueue`.
public final class KafkaConsumer: Sendable {
    /// The consumer's lifecycle. Mutating methods return what the caller should do.
    struct StateMachine {
        enum State { case running, closed }
        enum PollAction { case pollForEvents, throwClosed }
        enum CloseAction { case commitAndClose, nothing }

        private(set) var state: State = .running

        func poll() -> PollAction { state == .running ? .pollForEvents : .throwClosed }

        mutating func close() -> CloseAction {
            switch state {
            case .running:
                state = .closed
                return .commitAndClose
            case .closed:
                return .nothing
            }
        }
    }

    private let client: RDKafkaClient
    private let queue: DispatchQueue
    private let logger: Logger
    private let stateMachine = Mutex(StateMachine())
    /// A record fetched after a rebalance in the poll call that ran the rebalance; it opens the next batch.
    private let heldOver = Mutex<KafkaRecord?>(nil)

    private init(client: RDKafkaClient, queue: DispatchQueue, logger: Logger) {
        self.client = client
        self.queue = queue
        self.logger = logger
    }

    /// Creates a consumer; it joins the group on `subscribe` and the first `poll`.
    /// - Parameters:
    ///   - configuration: The consumer configuration.
    ///   - logger: Receives librdkafka's log lines (its `log_level` follows `logger.logLevel`).
    /// - Throws: `KafkaError.configuration` naming the rejected property with librdkafka's message.
    public static func make(configuration: KafkaConsumerConfiguration, logger: Logger) throws -> KafkaConsumer {
        var logger = logger
        logger[metadataKey: KafkaLoggingKeys.groupID] = "\(configuration.groupID)"
        logger[metadataKey: KafkaLoggingKeys.clientID] = "\(configuration.clientID)"
        let context = RDKafkaCallbackContext(
            logger: logger,
            startAssignedPartitionsFromBeginning: configuration.startAssignedPartitionsFromBeginning,
            assignmentStartOffsets: configuration.assignmentStartOffsets,
            committedOffsetsTimeout: max(configuration.sessionTimeout, .seconds(10))
        )
        let client = try RDKafkaClient.make(kind: .consumer, properties: try configuration.properties(), context: context)
        let queue = DispatchQueue(label: "stocksentry.kafka.consumer.\(configuration.groupID)")
        return KafkaConsumer(client: client, queue: queue, logger: logger)
    }

    /// Subscribes to `topics` (replacing any previous subscription); partitions arrive through
    /// rebalances reported in poll batches.
    /// - Throws: `KafkaError` with librdkafka's message, or `.closed`.
    public func subscribe(to topics: [String]) throws {
        try ensureRunning("subscribe")
        let list = RDKafkaTopicPartitionList(capacity: topics.count)
        for topic in topics {
            list.add(KafkaTopicPartition(topic: topic, partition: RD_KAFKA_PARTITION_UA))
        }
        let error = list.withListPointer { rd_kafka_subscribe(client.handle, $0) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(error, "subscribing to \(topics)")
        }
    }

    /// Blocking: waits up to `timeout` for the first event, then drains what is already queued,
    /// up to `maxRecords` records. Rebalance callbacks happen inside and are reported in the batch.
    ///
    /// A batch ends at a rebalance: every record in it was fetched under the assignment that held
    /// before the batch's `revoked`/`assigned` changes, and records fetched after them open the
    /// next batch. So a caller applies the records first, then `revoked`, then `assigned`.
    /// Call it from one thread at a time, and not while a `nextBatch` is in flight.
    /// - Throws: a fatal `KafkaError` (the consumer must be recreated), a `.rebalance` error when
    ///   committed offsets could not be read at assignment (the batch's records are dropped), or
    ///   `.closed`.
    public func poll(maxRecords: Int, timeout: Duration) throws -> KafkaPollBatch {
        try ensureRunning("poll")
        var batch = KafkaPollBatch()
        var waitMilliseconds = timeout.timeoutMilliseconds
        if let first = heldOver.withLock({ held in defer { held = nil }; return held }) {
            batch.records.append(first)
            waitMilliseconds = 0
        }
        var topicNames = RDKafkaClient.TopicNameCache()
        polling: while batch.records.count < max(1, maxRecords) {
            guard let result = try client.consumerPoll(waitMilliseconds: waitMilliseconds, topicNames: &topicNames) else { break }
            waitMilliseconds = 0
            switch result {
            case .record(let record):
                if client.context.hasRebalanceEvents {
                    // This call ran a rebalance before returning the record: it belongs after it.
                    heldOver.withLock { $0 = record }
                    break polling
                }
                batch.records.append(record)
            case .error(let error, _, _):
                batch.errors.append(error)
            }
        }
        let events = client.context.takeRebalanceEvents()
        if let failure = events.failure { throw failure }
        batch.assigned = events.assigned
        batch.revoked = events.revoked
        batch.errors.append(contentsOf: events.errors)
        return batch
    }

    /// Same as `poll`, run on the consumer's own serial `DispatchQueue` so that the Swift
    /// cooperative pool never blocks.
    public func nextBatch(maxRecords: Int, timeout: Duration) async throws -> KafkaPollBatch {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try self.poll(maxRecords: maxRecords, timeout: timeout) })
            }
        }
    }

    /// Remembers `offset` (the next offset to read = last processed + 1) per partition for the
    /// next commit. Offsets of partitions no longer assigned (revoked) are skipped silently.
    /// - Throws: `KafkaError` with librdkafka's message, or `.closed`.
    public func storeOffsets(_ offsets: [KafkaTopicPartition: Int64]) throws {
        try ensureRunning("storeOffsets")
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(capacity: offsets.count)
        for (topicPartition, offset) in offsets {
            list.add(topicPartition, offset: offset)
        }
        let error = list.withListPointer { rd_kafka_offsets_store(client.handle, $0) }
        // __STATE: none of the partitions is assigned any more; per partition, the same error
        // marks a partition that was revoked.
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__STATE else {
            throw KafkaError.rdKafka(error, "storing offsets \(offsets)")
        }
        for entry in list.entries where entry.error != RD_KAFKA_RESP_ERR_NO_ERROR {
            if entry.error == RD_KAFKA_RESP_ERR__STATE {
                logger.debug("Kafka offset not stored: partition not assigned", metadata: [
                    KafkaLoggingKeys.topic: "\(entry.topicPartition.topic)",
                    KafkaLoggingKeys.partition: "\(entry.topicPartition.partition)",
                ])
            } else {
                throw KafkaError.rdKafka(entry.error, "storing offset \(entry.offset) of \(entry.topicPartition)")
            }
        }
    }

    /// Synchronously commits the stored offsets (nothing stored → no-op, not an error).
    /// - Throws: `KafkaError` with librdkafka's message, or `.closed`.
    public func commitStoredOffsets() throws {
        try ensureRunning("commitStoredOffsets")
        try commitStored()
    }

    /// Stops fetching `partitions` (they stay assigned).
    /// - Throws: `KafkaError` with librdkafka's message, or `.closed`.
    public func pause(_ partitions: [KafkaTopicPartition]) throws {
        try ensureRunning("pause")
        try changeFetching(partitions, operation: "pausing") { rd_kafka_pause_partitions($0, $1) }
    }

    /// Resumes fetching `partitions`.
    /// - Throws: `KafkaError` with librdkafka's message, or `.closed`.
    public func resume(_ partitions: [KafkaTopicPartition]) throws {
        try ensureRunning("resume")
        try changeFetching(partitions, operation: "resuming") { rd_kafka_resume_partitions($0, $1) }
    }

    /// The high watermark cached from the last fetch of `partition`
    /// (`rd_kafka_get_watermark_offsets`; non-blocking); nil when unknown.
    public func cachedHighWatermark(_ partition: KafkaTopicPartition) -> Int64? {
        var low: Int64 = 0
        var high: Int64 = 0
        let error = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return high
    }

    /// The number of partitions of `topic`, from cluster metadata (blocking, up to `timeout`).
    /// - Throws: `KafkaError.metadata` when the topic does not exist or metadata is unavailable.
    public func partitionCount(topic: String, timeout: Duration) throws -> Int {
        try client.partitionCount(topic: topic, timeout: timeout)
    }

    /// Commits stored offsets, leaves the group (`rd_kafka_consumer_close`); idempotent.
    /// Blocking; runs on the consumer's queue, after any `nextBatch` in flight. After it, every
    /// other method throws `.closed`. Do not call it from inside the consumer's own queue.
    /// - Throws: the commit's or the close's `KafkaError`; the consumer is closed even then.
    public func close() throws {
        try queue.sync { try closeOnQueue() }
    }

    private func closeOnQueue() throws {
        guard stateMachine.withLock({ $0.close() }) == .commitAndClose else { return }
        var commitFailure: KafkaError?
        do { try commitStored() } catch { commitFailure = error }
        // Revocation inside close commits again (harmless) and unassigns.
        let closeError = rd_kafka_consumer_close(client.handle)
        _ = client.context.takeRebalanceEvents()
        if let commitFailure { throw commitFailure }
        guard closeError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(closeError, "closing the consumer")
        }
        logger.debug("Kafka consumer closed")
    }

    /// Runs `body` with this member's `rd_kafka_consumer_group_metadata` (group, generation,
    /// member id), for `KafkaProducer.sendOffsetsToTransaction`. The metadata is created for the
    /// call and destroyed after it; the pointer must not escape `body`.
    /// - Throws: `.closed`, or what `body` throws.
    func withGroupMetadata<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        try ensureRunning("sendOffsetsToTransaction")
        guard let metadata = rd_kafka_consumer_group_metadata(client.handle) else {
            throw KafkaError(code: .rdKafka, message: "rd_kafka_consumer_group_metadata returned no metadata")
        }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        return try body(metadata)
    }

    // MARK: - Helpers

    private func ensureRunning(_ operation: String) throws {
        guard stateMachine.withLock({ $0.poll() }) == .pollForEvents else {
            throw KafkaError(code: .closed, message: "\(operation) called on a closed KafkaConsumer")
        }
    }

    private func commitStored() throws(KafkaError) {
        let error = rd_kafka_commit(client.handle, nil, 0)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR__NO_OFFSET else {
            throw KafkaError.rdKafka(error, "committing stored offsets")
        }
    }

    private func changeFetching(
        _ partitions: [KafkaTopicPartition],
        operation: String,
        _ call: (OpaquePointer, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) -> rd_kafka_resp_err_t
    ) throws {
        guard !partitions.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(capacity: partitions.count)
        for partition in partitions { list.add(partition) }
        let error = list.withListPointer { call(client.handle, $0) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(error, "\(operation) \(partitions)")
        }
        if let failed = list.entries.first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError.rdKafka(failed.error, "\(operation) \(failed.topicPartition)")
        }
    }
}
