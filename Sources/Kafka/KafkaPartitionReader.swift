import CRdKafka
import Dispatch
import Logging
import Synchronization

/// Reads chosen partitions from chosen offsets without joining a consumer group, to replay
/// historic topics between two offsets (or two times).
///
/// The reader picks its partitions itself (`rd_kafka_assign`). It never subscribes and never
/// commits, so it writes nothing to the cluster and leaves the service's consumer group alone.
/// To read each partition from `start` up to an exclusive `end`:
///
/// ```swift
/// let reader = try KafkaPartitionReader.make(configuration: configuration, logger: logger)
/// let count = try reader.partitionCount(topic: "orders", timeout: .seconds(10))
/// let partitions = (0..<count).map { KafkaTopicPartition(topic: "orders", partition: Int32($0)) }
/// let starts = try reader.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, from) }), timeout: .seconds(10))
/// let ends = try reader.offsetsForTimes(Dictionary(uniqueKeysWithValues: partitions.map { ($0, to) }), timeout: .seconds(10))
/// try reader.assign(starts)
/// while !reader.hasReached(ends) {
///     for record in try reader.poll(maxRecords: 500, timeout: .milliseconds(200))
///     where record.offset < ends[record.topicPartition]! { … }
/// }
/// try reader.close()
/// ```
///
/// Stop on `hasReached`/`nextOffset`, not on seeing the record at `end - 1`: a transaction
/// marker or an aborted record there is never returned as a record.
///
/// Blocking calls (`partitionCount`, `watermarkOffsets`, `offsetsForTimes`, `poll`, `close`)
/// must not run on the Swift cooperative pool; run them through `perform` (or `nextBatch`),
/// which uses the reader's own serial `DispatchQueue`.
public final class KafkaPartitionReader: Sendable {
    /// What the reader knows about its assignment; mutated under `state`'s lock.
    struct ReadState {
        var isClosed = false
        /// Per assigned partition, the offset below which everything has been read.
        var nextOffsets: [KafkaTopicPartition: Int64] = [:]
        /// A partition error met after records were already taken into a batch; the next `poll`
        /// throws it, so those records are not lost.
        var pendingFailure: KafkaError?
    }

    private let client: RDKafkaClient
    private let queue: DispatchQueue
    private let configuration: KafkaPartitionReaderConfiguration
    private let logger: Logger
    private let state = Mutex(ReadState())

    private init(client: RDKafkaClient, queue: DispatchQueue, configuration: KafkaPartitionReaderConfiguration, logger: Logger) {
        self.client = client
        self.queue = queue
        self.configuration = configuration
        self.logger = logger
    }

    /// Creates a reader with nothing assigned. It connects to the cluster but joins no group.
    /// - Parameters:
    ///   - configuration: The reader configuration.
    ///   - logger: Receives librdkafka's log lines (its `log_level` follows `logger.logLevel`).
    /// - Throws: `KafkaError.configuration` naming the rejected property with librdkafka's message.
    public static func make(configuration: KafkaPartitionReaderConfiguration, logger: Logger) throws -> KafkaPartitionReader {
        let groupID = "stocksentry-reader-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let properties = try configuration.properties(groupID: groupID)
        var logger = logger
        logger[metadataKey: KafkaLoggingKeys.clientID] = "\(configuration.clientID)"
        logger[metadataKey: KafkaLoggingKeys.groupID] = "\(properties.last { $0.key == "group.id" }!.value)"
        let client = try RDKafkaClient.make(kind: .consumer, properties: properties, context: RDKafkaCallbackContext(logger: logger))
        let queue = DispatchQueue(label: "stocksentry.kafka.reader.\(configuration.clientID)")
        return KafkaPartitionReader(client: client, queue: queue, configuration: configuration, logger: logger)
    }

    /// The number of partitions of `topic`, from cluster metadata (blocking, up to `timeout`).
    /// - Throws: `KafkaError.metadata` naming the topic when it does not exist or metadata is
    ///   unavailable; `.closed`.
    public func partitionCount(topic: String, timeout: Duration) throws -> Int {
        try ensureOpen("partitionCount")
        return try client.partitionCount(topic: topic, timeout: timeout)
    }

    /// The partition's low watermark (its first offset) and high watermark (the offset the next
    /// record will get), asked from the partition leader (`rd_kafka_query_watermark_offsets`;
    /// blocking, up to `timeout`).
    /// - Throws: `KafkaError.metadata` naming the topic when it or the partition does not exist;
    ///   `KafkaError` naming the partition with librdkafka's message (`.timeout` when the leader
    ///   did not answer in time); `.closed`.
    public func watermarkOffsets(_ partition: KafkaTopicPartition, timeout: Duration) throws -> (low: Int64, high: Int64) {
        try ensureOpen("watermarkOffsets")
        let deadline = ContinuousClock.now + timeout
        try ensureExists([partition], timeout: timeout)
        return try queryWatermarkOffsets(partition, timeout: deadline - .now)
    }

    /// `rd_kafka_query_watermark_offsets`, without checking that the partition exists.
    private func queryWatermarkOffsets(_ partition: KafkaTopicPartition, timeout: Duration) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let error = rd_kafka_query_watermark_offsets(
            client.handle, partition.topic, partition.partition, &low, &high, timeout.timeoutMilliseconds
        )
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(error, "querying the watermark offsets of \(partition)", code: Self.code(for: error))
        }
        return (low, high)
    }

    /// Per partition, the earliest offset whose record timestamp is at or after the given time
    /// (Unix epoch milliseconds); when no record is that late, the partition's high watermark,
    /// so the result can serve as a start offset or as an exclusive end offset. Blocking, up to
    /// `timeout`.
    ///
    /// Asks the brokers (`rd_kafka_offsets_for_times`). A broker that cannot look offsets up by
    /// time answers "no such record" even for time 0 on a partition that has records; that is
    /// librdkafka 2.0.2's mock cluster (`KafkaDevBroker`). For such partitions the answer is found
    /// by reading the partition from its low watermark with a temporary reader, which the dev
    /// broker's small partitions make cheap. A real broker never takes that path.
    /// - Parameters:
    ///   - times: Per partition, the time in Unix epoch milliseconds (at least 0).
    ///   - timeout: Bounds the whole call.
    /// - Throws: `KafkaError.metadata` naming the topic when it or a partition does not exist;
    ///   `KafkaError` naming the partition with librdkafka's message; `.timeout`; `.closed`.
    public func offsetsForTimes(_ times: [KafkaTopicPartition: Int64], timeout: Duration) throws -> [KafkaTopicPartition: Int64] {
        try ensureOpen("offsetsForTimes")
        precondition(times.values.allSatisfy { $0 >= 0 }, "offsetsForTimes takes times ≥ 0 ms, got \(times)")
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        try ensureExists(times.keys, timeout: timeout)
        var offsets = try brokerOffsets(forTimes: times, timeout: deadline - clock.now)
        // The broker's -1: no record is that late (or it cannot look up times at all).
        let unanswered = offsets.filter { $0.value < 0 }.map(\.key)
        guard !unanswered.isEmpty else { return offsets }
        var watermarks: [KafkaTopicPartition: (low: Int64, high: Int64)] = [:]
        for partition in unanswered {
            let marks = try queryWatermarkOffsets(partition, timeout: deadline - clock.now)
            watermarks[partition] = marks
            offsets[partition] = marks.high
        }
        let nonEmpty = unanswered.filter { watermarks[$0]!.high > watermarks[$0]!.low }
        guard !nonEmpty.isEmpty else { return offsets }
        // Every record of a non-empty partition is at or after time 0, so "none" for time 0 means
        // the broker cannot look up times.
        let probe = try brokerOffsets(forTimes: Dictionary(uniqueKeysWithValues: nonEmpty.map { ($0, 0) }), timeout: deadline - clock.now)
        let unsupported = nonEmpty.filter { probe[$0]! < 0 }
        guard !unsupported.isEmpty else { return offsets }
        logger.debug("Kafka broker cannot look up offsets by time; reading the partitions instead", metadata: [
            KafkaLoggingKeys.partitions: "\(unsupported.map(\.description).sorted())",
        ])
        let targets = Dictionary(uniqueKeysWithValues: unsupported.map { ($0, (time: times[$0]!, watermarks: watermarks[$0]!)) })
        offsets.merge(try scanOffsets(forTimes: targets, deadline: deadline)) { $1 }
        return offsets
    }

    /// Replaces the assignment: from now on `poll` returns records of exactly these partitions,
    /// each starting at its given offset. Non-blocking (fetching starts in the background).
    /// - Parameter startOffsets: Per partition, the first offset to read (≥ 0; e.g. the low
    ///   watermark or an `offsetsForTimes` result). An offset outside the partition's records
    ///   makes a later `poll` throw.
    /// - Throws: `KafkaError` with librdkafka's message; `.closed`.
    public func assign(_ startOffsets: [KafkaTopicPartition: Int64]) throws {
        try ensureOpen("assign")
        precondition(startOffsets.values.allSatisfy { $0 >= 0 }, "assign takes explicit offsets ≥ 0, got \(startOffsets)")
        let list = RDKafkaTopicPartitionList(capacity: startOffsets.count)
        for (partition, offset) in startOffsets {
            list.add(partition, offset: offset)
        }
        let error = list.withListPointer { rd_kafka_assign(client.handle, $0) }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(error, "assigning \(startOffsets.keys.map(\.description).sorted())")
        }
        state.withLock { state in
            state.nextOffsets = startOffsets
            state.pendingFailure = nil
        }
        logger.debug("Kafka reader assigned partitions", metadata: [
            KafkaLoggingKeys.partitions: "\(startOffsets.map { "\($0.key)@\($0.value)" }.sorted())",
        ])
    }

    /// Blocking: waits up to `timeout` for the first record or event, then takes what is already
    /// fetched, up to `maxRecords` records; returns an empty batch when nothing came in time, so
    /// it never blocks for longer than `timeout`.
    ///
    /// Records of one partition come in offset order, across batches too; records of different
    /// partitions interleave. The end of a partition is not an error: it moves `nextOffset`.
    /// Client-level trouble that librdkafka retries by itself (a broker connection lost) is
    /// logged, not thrown, so a caller wanting an overall bound keeps its own deadline.
    /// Call it from one thread at a time, and not while a `nextBatch` is in flight.
    /// - Throws: a partition's fetch error (e.g. a start offset outside its records, a missing
    ///   topic) as a `KafkaError` naming the partition (when records came before it in the same
    ///   call, they are returned and the next call throws it); a fatal `KafkaError`; `.closed`.
    public func poll(maxRecords: Int, timeout: Duration) throws -> [KafkaRecord] {
        try ensureOpen("poll")
        if let failure = state.withLock({ state in defer { state.pendingFailure = nil }; return state.pendingFailure }) {
            throw failure
        }
        var records: [KafkaRecord] = []
        var partitionEnds: [KafkaTopicPartition: Int64] = [:]
        var failure: KafkaError?
        var waitMilliseconds = timeout.timeoutMilliseconds
        var topicNames = RDKafkaClient.TopicNameCache()
        polling: while records.count < max(1, maxRecords) {
            guard let result = try client.consumerPoll(waitMilliseconds: waitMilliseconds, topicNames: &topicNames) else { break }
            waitMilliseconds = 0
            switch result {
            case .record(let record):
                records.append(record)
            case .error(let error, let topicPartition?, let offset) where error.rdKafkaCode == RD_KAFKA_RESP_ERR__PARTITION_EOF.rawValue:
                partitionEnds[topicPartition] = offset
            case .error(let error, .some, _):
                failure = error
                break polling
            case .error(let error, nil, _):
                logger.warning("Kafka reader client error (librdkafka retries)", metadata: [KafkaLoggingKeys.error: "\(error.message)"])
            }
        }
        state.withLock { state in
            for record in records {
                state.nextOffsets[record.topicPartition].advance(to: record.offset + 1)
            }
            for (partition, end) in partitionEnds {
                state.nextOffsets[partition].advance(to: end)
            }
            if !records.isEmpty { state.pendingFailure = failure }
        }
        if records.isEmpty, let failure { throw failure }
        return records
    }

    /// Same as `poll`, run on the reader's own serial `DispatchQueue` so that the Swift
    /// cooperative pool never blocks.
    public func nextBatch(maxRecords: Int, timeout: Duration) async throws -> [KafkaRecord] {
        try await perform { try $0.poll(maxRecords: maxRecords, timeout: timeout) }
    }

    /// Runs `body` on the reader's own serial `DispatchQueue`, so that the blocking calls in it
    /// (`watermarkOffsets`, `offsetsForTimes`, `poll`, …) never block the Swift cooperative pool.
    /// - Throws: what `body` throws.
    public func perform<Value: Sendable>(_ body: @escaping @Sendable (KafkaPartitionReader) throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self) })
            }
        }
    }

    /// The offset below which `partition` has been read: every record before it was returned by
    /// `poll`, or was a transaction marker or aborted record, which are never returned. It starts
    /// at the assigned offset and reaches the partition's end (its high watermark, or its last
    /// stable offset under `.readCommitted`) about `fetchWaitMaximum` after the last record.
    /// Non-blocking; nil when `partition` is not assigned.
    public func nextOffset(_ partition: KafkaTopicPartition) -> Int64? {
        state.withLock { $0.nextOffsets[partition] }
    }

    /// True when every partition in `endOffsets` has been read up to its (exclusive) end offset:
    /// `nextOffset` is at least the end. A partition that is not assigned has not been reached.
    public func hasReached(_ endOffsets: [KafkaTopicPartition: Int64]) -> Bool {
        state.withLock { state in
            endOffsets.allSatisfy { partition, end in (state.nextOffsets[partition]).map { $0 >= end } ?? false }
        }
    }

    /// Stops fetching (`rd_kafka_consumer_close`; there is no group to leave and nothing to
    /// commit); idempotent. Blocking; runs on the reader's queue, after any `nextBatch` in flight.
    /// After it, every other method throws `.closed`. Do not call it from inside `perform`.
    /// - Throws: the close's `KafkaError`; the reader is closed even then.
    public func close() throws {
        try queue.sync {
            let wasOpen = state.withLock { state in defer { state.isClosed = true }; return !state.isClosed }
            guard wasOpen else { return }
            let error = rd_kafka_consumer_close(client.handle)
            guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.rdKafka(error, "closing the partition reader")
            }
            logger.debug("Kafka partition reader closed")
        }
    }

    // MARK: - Helpers

    private func ensureOpen(_ operation: String) throws {
        guard !state.withLock({ $0.isClosed }) else {
            throw KafkaError(code: .closed, message: "\(operation) called on a closed KafkaPartitionReader")
        }
    }

    /// Throws when a partition's topic, or the partition, does not exist. Reads the metadata of
    /// all topics: asking about one topic makes librdkafka 2.0.2's mock cluster create it (it
    /// speaks Metadata up to v2, where auto-creation cannot be declined), and so do real brokers
    /// with `auto.create.topics.enable` when a client asks with such an old version.
    private func ensureExists(_ partitions: some Sequence<KafkaTopicPartition>, timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        for (topic, wanted) in Dictionary(grouping: partitions, by: \.topic) {
            let count = try client.partitionCount(topic: topic, timeout: deadline - .now)
            if let missing = wanted.first(where: { !(0..<Int32(clamping: count)).contains($0.partition) }) {
                throw KafkaError(
                    code: .metadata,
                    message: "partition \(missing) does not exist: topic '\(topic)' has \(count) partitions",
                    rdKafkaCode: RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION.rawValue
                )
            }
        }
    }

    /// A missing topic or partition is a metadata problem; anything else is librdkafka's.
    private static func code(for error: rd_kafka_resp_err_t) -> KafkaError.Code {
        switch error {
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION: .metadata
        default: .rdKafka
        }
    }

    /// The brokers' answer to "first offset at or after this time" (`rd_kafka_offsets_for_times`);
    /// -1 where they know no such record.
    private func brokerOffsets(forTimes times: [KafkaTopicPartition: Int64], timeout: Duration) throws -> [KafkaTopicPartition: Int64] {
        let list = RDKafkaTopicPartitionList(capacity: times.count)
        for (partition, time) in times {
            list.add(partition, offset: time)
        }
        let error = list.withListPointer { rd_kafka_offsets_for_times(client.handle, $0, timeout.timeoutMilliseconds) }
        let entries = list.entries
        if let failed = entries.first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            throw KafkaError.rdKafka(failed.error, "looking up the offset for time \(times[failed.topicPartition] ?? -1) ms in \(failed.topicPartition)", code: Self.code(for: failed.error))
        }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError.rdKafka(error, "looking up offsets for times in \(times.keys.map(\.description).sorted())", code: Self.code(for: error))
        }
        return Dictionary(uniqueKeysWithValues: entries.map { ($0.topicPartition, $0.offset) })
    }

    /// `offsetsForTimes` by reading: per partition, the offset of the first record whose
    /// timestamp is at or after the time, or the high watermark when there is none. Reads with a
    /// temporary reader, from each partition's low watermark, until `deadline`.
    private func scanOffsets(
        forTimes targets: [KafkaTopicPartition: (time: Int64, watermarks: (low: Int64, high: Int64))],
        deadline: ContinuousClock.Instant
    ) throws -> [KafkaTopicPartition: Int64] {
        let scanner = try KafkaPartitionReader.make(configuration: configuration, logger: logger)
        defer {
            do { try scanner.close() } catch {
                logger.warning("Kafka offsets-for-times scanner did not close cleanly", metadata: [KafkaLoggingKeys.error: "\(error)"])
            }
        }
        try scanner.assign(targets.mapValues(\.watermarks.low))
        let clock = ContinuousClock()
        var found: [KafkaTopicPartition: Int64] = [:]
        while found.count < targets.count {
            let remaining = deadline - clock.now
            guard remaining > .zero else {
                let open = targets.keys.filter { found[$0] == nil }.map(\.description).sorted()
                throw KafkaError(
                    code: .timeout,
                    message: "looking up offsets for times: the broker cannot, and reading \(open) for the first record at or after the time did not finish in time; allow a longer timeout"
                )
            }
            for record in try scanner.poll(maxRecords: 1000, timeout: min(remaining, .milliseconds(100))) {
                guard found[record.topicPartition] == nil, let target = targets[record.topicPartition] else { continue }
                if let timestamp = record.timestampMilliseconds, timestamp >= target.time {
                    found[record.topicPartition] = record.offset
                }
            }
            for (partition, target) in targets where found[partition] == nil {
                if let next = scanner.nextOffset(partition), next >= target.watermarks.high {
                    found[partition] = target.watermarks.high
                }
            }
        }
        return found
    }
}

extension Int64? {
    /// Moves an assigned partition's next offset forward (never back); leaves nil (a partition
    /// no longer assigned) alone.
    fileprivate mutating func advance(to offset: Int64) {
        if let current = self { self = Swift.max(current, offset) }
    }
}
