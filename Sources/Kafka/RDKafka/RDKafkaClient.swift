import CRdKafka
import Logging

/// Owns one `rd_kafka_t` (producer or consumer) and destroys it in `deinit`.
///
/// `@unchecked Sendable` because it stores the handle as an `OpaquePointer`, which Swift cannot
/// check: librdkafka's `rd_kafka_t` API is thread-safe, the handle is immutable after `make`, and
/// the only mutable Swift state reachable from here lives in `RDKafkaCallbackContext` behind
/// `Mutex`es. The handle never leaves the module.
final class RDKafkaClient: @unchecked Sendable {
    /// The librdkafka client type.
    enum Kind {
        case producer
        case consumer

        var rdKafkaType: rd_kafka_type_t { self == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER }
    }

    /// The `rd_kafka_t`. Valid for the lifetime of this object; never store it elsewhere.
    let handle: OpaquePointer
    /// The callback state reached through the handle's opaque pointer. Released after `handle` is
    /// destroyed (stored properties outlive the `deinit` body).
    let context: RDKafkaCallbackContext

    private init(handle: OpaquePointer, context: RDKafkaCallbackContext) {
        self.handle = handle
        self.context = context
    }

    deinit {
        // Waits for librdkafka's threads; for a consumer that was not closed this also leaves the
        // group (its rebalance callback may still run here, with `context` alive).
        rd_kafka_destroy(handle)
    }

    /// Creates a client from librdkafka properties applied in order.
    /// - Throws: `KafkaError.configuration` naming the property and quoting librdkafka's message
    ///   when a property is unknown or invalid, or when `rd_kafka_new` rejects the set.
    static func make(kind: Kind, properties: [(key: String, value: String)], context: RDKafkaCallbackContext) throws -> RDKafkaClient {
        guard let configuration = rd_kafka_conf_new() else {
            throw KafkaError(code: .configuration, message: "rd_kafka_conf_new returned no configuration")
        }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        var applied: [(key: String, value: String)] = [("log_level", String(RDKafkaCallbackContext.syslogLevel(for: context.logger.logLevel)))]
        applied.append(contentsOf: properties)
        for (key, value) in applied {
            let result = rd_kafka_conf_set(configuration, key, value, &errorBuffer, errorBuffer.count)
            guard result == RD_KAFKA_CONF_OK else {
                rd_kafka_conf_destroy(configuration)
                throw KafkaError(
                    code: .configuration,
                    message: "librdkafka property '\(key)' = '\(value)' rejected: \(String(errorBuffer: errorBuffer))"
                )
            }
        }

        rd_kafka_conf_set_opaque(configuration, Unmanaged.passUnretained(context).toOpaque())
        rd_kafka_conf_set_log_cb(configuration) { handle, level, facility, message in
            guard let handle, let opaque = rd_kafka_opaque(handle) else { return }
            let context = Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
            context.log(
                level: level,
                facility: facility.map { String(cString: $0) } ?? "",
                message: message.map { String(cString: $0) } ?? "",
                instance: String(cString: rd_kafka_name(handle))
            )
        }
        switch kind {
        case .consumer:
            rd_kafka_conf_set_rebalance_cb(configuration) { handle, error, partitions, opaque in
                guard let handle, let partitions, let opaque else { return }
                let context = Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
                context.rebalance(handle: handle, error: error, partitions: partitions)
            }
        case .producer:
            rd_kafka_conf_set_dr_msg_cb(configuration) { _, message, opaque in
                guard let message, let opaque else { return }
                let context = Unmanaged<RDKafkaCallbackContext>.fromOpaque(opaque).takeUnretainedValue()
                context.deliveryReport(message)
            }
        }

        guard let handle = rd_kafka_new(kind.rdKafkaType, configuration, &errorBuffer, errorBuffer.count) else {
            // rd_kafka_new takes ownership of the configuration only when it succeeds.
            rd_kafka_conf_destroy(configuration)
            throw KafkaError(code: .configuration, message: "librdkafka rejected the configuration: \(String(errorBuffer: errorBuffer))")
        }
        // From here librdkafka owns `configuration`; it is freed with the handle.
        if kind == .consumer {
            // Route the main queue (errors, logs not sent to log_cb) to rd_kafka_consumer_poll.
            let error = rd_kafka_poll_set_consumer(handle)
            if error != RD_KAFKA_RESP_ERR_NO_ERROR {
                rd_kafka_destroy(handle)
                throw KafkaError.rdKafka(error, "rd_kafka_poll_set_consumer")
            }
        }
        return RDKafkaClient(handle: handle, context: context)
    }

    /// The partition count of `topic`, read from cluster metadata (all topics, so that asking never
    /// auto-creates a topic).
    /// - Throws: `KafkaError.metadata` when metadata cannot be read in time or the topic does not exist.
    func partitionCount(topic: String, timeout: Duration) throws -> Int {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let error = rd_kafka_metadata(handle, 1, nil, &metadata, timeout.timeoutMilliseconds)
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError.rdKafka(error, "reading cluster metadata for topic '\(topic)'", code: .metadata)
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let entry = metadata.pointee.topics[index]
            guard String(cString: entry.topic) == topic else { continue }
            guard entry.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
                throw KafkaError.rdKafka(entry.err, "metadata of topic '\(topic)'", code: .metadata)
            }
            return Int(entry.partition_cnt)
        }
        throw KafkaError(
            code: .metadata,
            message: "topic '\(topic)' does not exist in the cluster (\(metadata.pointee.topic_cnt) topics known); create it first",
            rdKafkaCode: RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue
        )
    }
}

// MARK: - Consumer poll (shared by KafkaConsumer and KafkaPartitionReader)

extension RDKafkaClient {
    /// What one `rd_kafka_consumer_poll` call returned, copied out of librdkafka's message.
    enum ConsumerPollResult {
        /// A record.
        case record(KafkaRecord)
        /// A non-fatal consumer error or event (partition EOF, a transient broker error, a fetch
        /// failure), with the partition librdkafka attached to it (nil for a client-level error)
        /// and the message's offset (for partition EOF: the offset the partition ends at).
        case error(KafkaError, topicPartition: KafkaTopicPartition?, offset: Int64)
    }

    /// Remembers the name of the last topic handle seen, so a batch from one partition builds
    /// the topic `String` once.
    struct TopicNameCache {
        private var handle: OpaquePointer?
        private var name = ""

        mutating func name(of topic: OpaquePointer?) -> String {
            guard let topic else { return "" }
            if topic != handle {
                handle = topic
                name = String(cString: rd_kafka_topic_name(topic))
            }
            return name
        }
    }

    /// Blocking: one `rd_kafka_consumer_poll`, waiting up to `waitMilliseconds`; nil when nothing
    /// arrived. The message is copied and destroyed before this returns.
    /// - Throws: the client's fatal `KafkaError` (the client must be recreated).
    func consumerPoll(waitMilliseconds: Int32, topicNames: inout TopicNameCache) throws -> ConsumerPollResult? {
        guard let message = rd_kafka_consumer_poll(handle, waitMilliseconds) else { return nil }
        defer { rd_kafka_message_destroy(message) }
        let error = message.pointee.err
        if error == RD_KAFKA_RESP_ERR_NO_ERROR {
            return .record(Self.record(from: message, topicNames: &topicNames))
        }
        if error == RD_KAFKA_RESP_ERR__FATAL {
            throw KafkaError.fatal(of: handle, "consumer failed") ?? KafkaError.rdKafka(error, "consumer failed")
        }
        let topicPartition = message.pointee.rkt.map {
            KafkaTopicPartition(topic: topicNames.name(of: $0), partition: message.pointee.partition)
        }
        let failure = KafkaError(
            code: .rdKafka,
            message: "consumer error \(topicPartition.map { "\($0): " } ?? "")\(String(cString: rd_kafka_message_errstr(message)))",
            rdKafkaCode: error.rawValue
        )
        return .error(failure, topicPartition: topicPartition, offset: message.pointee.offset)
    }

    /// Copies a message into a `KafkaRecord` (the caller destroys the message afterwards).
    private static func record(from message: UnsafeMutablePointer<rd_kafka_message_t>, topicNames: inout TopicNameCache) -> KafkaRecord {
        let contents = message.pointee
        let key = contents.key.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: contents.key_len)) }
        let value = contents.payload.map { [UInt8](UnsafeRawBufferPointer(start: $0, count: contents.len)) } ?? []
        var timestampType = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &timestampType)
        return KafkaRecord(
            topic: topicNames.name(of: contents.rkt),
            partition: contents.partition,
            offset: contents.offset,
            timestampMilliseconds: timestampType == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE || timestamp < 0 ? nil : timestamp,
            key: key,
            value: value
        )
    }
}
