import CRdKafka
import Dispatch
import Logging

/// Produces records to Kafka; delivery is confirmed by `flush`, or without waiting per delivery
/// group (`send(…, deliveryGroup:)` and `pollCompletedDeliveryGroup()`).
///
/// `send` only enqueues: librdkafka batches and delivers in the background, and the outcome of
/// each record arrives as a delivery report, served by `poll`, by `send` when the queue is full,
/// and by `flush`. The first failure since the previous `flush` is thrown by the next `flush`.
/// Release the producer only after a successful `flush`: records still queued when it is
/// destroyed are dropped.
///
/// With `KafkaProducerConfiguration.transactionalID` set, the producer is transactional: see
/// `initTransactions(timeout:)` and the read-process-write sequence documented there
/// (KafkaProducer+Transactions.swift); `commitTransaction` then takes the place of `flush`.
public final class KafkaProducer: Sendable {
    let client: RDKafkaClient
    let queue: DispatchQueue
    private let messageTimeout: Duration
    private let logger: Logger

    private init(client: RDKafkaClient, queue: DispatchQueue, messageTimeout: Duration, logger: Logger) {
        self.client = client
        self.queue = queue
        self.messageTimeout = messageTimeout
        self.logger = logger
    }

    /// Creates a producer.
    /// - Parameters:
    ///   - configuration: The producer configuration.
    ///   - logger: Receives librdkafka's log lines (its `log_level` follows `logger.logLevel`).
    /// - Throws: `KafkaError.configuration` naming the rejected property with librdkafka's message.
    public static func make(configuration: KafkaProducerConfiguration, logger: Logger) throws -> KafkaProducer {
        var logger = logger
        logger[metadataKey: KafkaLoggingKeys.clientID] = "\(configuration.clientID)"
        let context = RDKafkaCallbackContext(logger: logger)
        let client = try RDKafkaClient.make(kind: .producer, properties: try configuration.properties(), context: context)
        let queue = DispatchQueue(label: "stocksentry.kafka.producer.\(configuration.clientID)")
        return KafkaProducer(client: client, queue: queue, messageTimeout: configuration.messageTimeout, logger: logger)
    }

    /// Enqueues one record (its bytes are copied); when librdkafka's queue is full it serves
    /// delivery reports (`rd_kafka_poll`) and retries, bounded by `messageTimeout`.
    /// - Parameters:
    ///   - topic: The destination topic.
    ///   - key: The record key; nil for none.
    ///   - value: The record value.
    ///   - partition: A fixed partition; nil lets the partitioner choose from the key.
    ///   - timestampMilliseconds: The record's create time in Unix epoch milliseconds; nil for now.
    ///   - deliveryGroup: Tracks the record's delivery under this number (> 0) for
    ///     ``pollCompletedDeliveryGroup()``; numbers must not decrease from one send to the next.
    ///     nil leaves the record untracked.
    /// - Throws: `KafkaError` with librdkafka's message (`.timeout` when the queue stayed full).
    public func send(
        topic: String,
        key: [UInt8]?,
        value: [UInt8],
        partition: Int32? = nil,
        timestampMilliseconds: Int64? = nil,
        deliveryGroup: UInt64? = nil
    ) throws {
        var deadline: ContinuousClock.Instant?  // read the clock only once the queue is full
        // Counted before librdkafka can report the record, taken back if it is not accepted.
        if let deliveryGroup { client.context.registerDelivery(group: deliveryGroup) }
        var accepted = false
        defer { if let deliveryGroup, !accepted { client.context.unregisterDelivery(group: deliveryGroup) } }
        while true {
            guard let error = enqueue(topic: topic, key: key, value: value, partition: partition,
                                      timestampMilliseconds: timestampMilliseconds, deliveryGroup: deliveryGroup ?? 0) else {
                accepted = true
                return
            }
            let now = ContinuousClock.now
            if deadline == nil { deadline = now + messageTimeout }
            if rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL, now < deadline! {
                rd_kafka_error_destroy(error)
                rd_kafka_poll(client.handle, 10)
                continue
            }
            var failure = KafkaError.consuming(error, "enqueueing a record for topic '\(topic)'")
            if failure.rdKafkaCode == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue {
                failure.code = .timeout
                failure.message += " (queue still full after \(messageTimeout))"
            }
            throw failure
        }
    }

    /// Serves delivery reports; non-blocking.
    public func poll() {
        rd_kafka_poll(client.handle, 0)
    }

    /// Blocks until every enqueued record is delivered or failed.
    /// - Throws: the first delivery failure since the previous flush (with librdkafka's message
    ///   and the topic), or `.timeout` when records are still undelivered after `timeout`.
    public func flush(timeout: Duration) throws {
        let error = rd_kafka_flush(client.handle, timeout.timeoutMilliseconds)
        if let failure = client.context.takeDeliveryFailure() { throw failure }
        if let fatal = KafkaError.fatal(of: client.handle, "producer failed") { throw fatal }
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let outstanding = rd_kafka_outq_len(client.handle)
            throw KafkaError.rdKafka(error, "flush: \(outstanding) records or requests still undelivered after \(timeout)")
        }
    }

    /// Serves delivery reports without waiting and tells whether every record sent so far has been
    /// delivered: the non-blocking counterpart of `flush`, for callers that must not stall on
    /// acknowledgements but may act (store offsets) once nothing is in flight.
    /// - Returns: true when no record or request is in flight (`rd_kafka_outq_len` is 0).
    /// - Throws: the first delivery failure since the previous check or flush.
    public func pollDelivered() throws -> Bool {
        rd_kafka_poll(client.handle, 0)
        if let failure = client.context.takeDeliveryFailure() { throw failure }
        if let fatal = KafkaError.fatal(of: client.handle, "producer failed") { throw fatal }
        return rd_kafka_outq_len(client.handle) == 0
    }

    /// Serves delivery reports without waiting and returns the highest delivery group whose records,
    /// and those of every lower group, have all been delivered: the caller may act on everything it
    /// sent up to that group (store the offsets of the inputs behind it) while later groups are still
    /// in flight. 0 while nothing has been sent under a group.
    /// - Throws: the first delivery failure since the previous check or flush; its group then counts
    ///   as complete, so the caller must stop rather than act on the returned group.
    public func pollCompletedDeliveryGroup() throws -> UInt64 {
        rd_kafka_poll(client.handle, 0)
        if let failure = client.context.takeDeliveryFailure() { throw failure }
        if let fatal = KafkaError.fatal(of: client.handle, "producer failed") { throw fatal }
        return client.context.completedDeliveryGroup
    }

    /// Records and requests librdkafka still holds for this producer: queued, in flight, or awaiting
    /// their delivery report (`rd_kafka_outq_len`); non-blocking.
    public var outstandingCount: Int {
        Int(rd_kafka_outq_len(client.handle))
    }

    /// Same as `flush(timeout:)`, run on the producer's own `DispatchQueue` so that the Swift
    /// cooperative pool never blocks.
    public func flush(timeout: Duration) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { try self.flush(timeout: timeout) })
            }
        }
    }

    /// The number of partitions of `topic`, from cluster metadata (blocking, up to `timeout`).
    /// - Throws: `KafkaError.metadata` when the topic does not exist or metadata is unavailable.
    public func partitionCount(topic: String, timeout: Duration) throws -> Int {
        try client.partitionCount(topic: topic, timeout: timeout)
    }

    /// One `rd_kafka_produceva` call; returns librdkafka's error object (owned by the caller) or nil.
    private func enqueue(topic: String, key: [UInt8]?, value: [UInt8], partition: Int32?, timestampMilliseconds: Int64?,
                         deliveryGroup: UInt64) -> OpaquePointer? {
        topic.withCString { topicName in
            value.withUnsafeBytes { valueBytes in
                withKeyBytes(key) { keyBytes in
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 7) { fields in
                        var count = 0
                        func append(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_t) -> Void) {
                            var field = rd_kafka_vu_t()
                            field.vtype = type
                            set(&field)
                            fields.initializeElement(at: count, to: field)
                            count += 1
                        }
                        append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = topicName }
                        append(RD_KAFKA_VTYPE_PARTITION) { $0.u.i32 = partition ?? RD_KAFKA_PARTITION_UA }
                        // F_COPY: librdkafka copies key and value, so the Swift buffers may go.
                        append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                        if !valueBytes.isEmpty {
                            append(RD_KAFKA_VTYPE_VALUE) {
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: valueBytes.baseAddress)
                                $0.u.mem.size = valueBytes.count
                            }
                        }
                        if let keyBytes {
                            append(RD_KAFKA_VTYPE_KEY) {
                                $0.u.mem.ptr = UnsafeMutableRawPointer(mutating: keyBytes.baseAddress)
                                $0.u.mem.size = keyBytes.count
                            }
                        }
                        if let timestampMilliseconds {
                            append(RD_KAFKA_VTYPE_TIMESTAMP) { $0.u.i64 = timestampMilliseconds }
                        }
                        if deliveryGroup > 0 {
                            // The group number travels as the record's opaque to its delivery report.
                            append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(deliveryGroup)) }
                        }
                        defer { fields.baseAddress!.deinitialize(count: count) }
                        return rd_kafka_produceva(client.handle, fields.baseAddress, count)
                    }
                }
            }
        }
    }

    /// Runs `body` with the key's bytes; an empty key gets a non-nil pointer so that it stays
    /// distinct from a missing (null) key.
    private func withKeyBytes<Result>(_ key: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
        guard let key else { return body(nil) }
        guard !key.isEmpty else {
            return withUnsafeBytes(of: UInt8(0)) { body(UnsafeRawBufferPointer(start: $0.baseAddress, count: 0)) }
        }
        return key.withUnsafeBytes { body($0) }
    }
}
