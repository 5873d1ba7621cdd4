import CRdKafka
import Logging

/// Cluster administration through librdkafka's Admin API.
///
/// Does not work against `KafkaDevBroker`: librdkafka 2.0.2's mock cluster names no controller,
/// so Admin requests time out there; use `KafkaDevBroker.createTopic` instead.
public enum KafkaAdmin {
    /// CreateTopics on a real cluster; an existing topic is not an error.
    /// - Parameters:
    ///   - topics: Name, partition count and replication factor of each topic.
    ///   - bootstrapServers: Comma-separated `host:port` list.
    ///   - timeout: Bounds the whole request (the broker-side operation and the wait for it).
    ///   - logger: Receives librdkafka's log lines.
    /// - Throws: `KafkaError.admin` naming the topic with librdkafka's message, `.timeout`, or
    ///   `.configuration` for an invalid topic specification.
    public static func createTopics(
        _ topics: [(name: String, partitions: Int, replicationFactor: Int)],
        bootstrapServers: String,
        timeout: Duration,
        logger: Logger
    ) throws {
        guard !topics.isEmpty else { return }
        let client = try RDKafkaClient.make(
            kind: .producer,
            properties: [("bootstrap.servers", bootstrapServers), ("client.id", "stocksentry-admin")],
            context: RDKafkaCallbackContext(logger: logger)
        )
        // `handle` is a raw pointer: keep `client` (its owner) alive until every `defer` below
        // has run, on every path. Registered first, so it runs last.
        defer { withExtendedLifetime(client) {} }
        let handle = client.handle
        // The Admin objects below live only for this call; each is destroyed by the `defer` next
        // to its creation (their single owner is this function's scope).
        var newTopics: [OpaquePointer?] = []
        defer { for newTopic in newTopics { rd_kafka_NewTopic_destroy(newTopic) } }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        for topic in topics {
            guard let newTopic = rd_kafka_NewTopic_new(
                topic.name, Int32(clamping: topic.partitions), Int32(clamping: topic.replicationFactor), &errorBuffer, errorBuffer.count
            ) else {
                throw KafkaError(code: .configuration, message: "topic '\(topic.name)': \(String(errorBuffer: errorBuffer))")
            }
            newTopics.append(newTopic)
        }

        let options = rd_kafka_AdminOptions_new(handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        let optionError = rd_kafka_AdminOptions_set_operation_timeout(options, timeout.timeoutMilliseconds, &errorBuffer, errorBuffer.count)
        guard optionError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(code: .configuration, message: "CreateTopics operation timeout: \(String(errorBuffer: errorBuffer))")
        }
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeout.timeoutMilliseconds, &errorBuffer, errorBuffer.count)

        let resultQueue = rd_kafka_queue_new(handle)
        defer { rd_kafka_queue_destroy(resultQueue) }
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(handle, buffer.baseAddress, buffer.count, options, resultQueue)
        }
        // The request timeout bounds librdkafka's own wait; leave it a second to report.
        guard let event = rd_kafka_queue_poll(resultQueue, (timeout + .seconds(1)).timeoutMilliseconds) else {
            throw KafkaError(code: .timeout, message: "CreateTopics \(topics.map(\.name)) got no answer within \(timeout)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        guard eventError == RD_KAFKA_RESP_ERR_NO_ERROR else {
            let text = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(eventError))
            throw KafkaError(
                code: eventError == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout : .admin,
                message: "CreateTopics \(topics.map(\.name)) failed: \(text)",
                rdKafkaCode: eventError.rawValue
            )
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            throw KafkaError(code: .admin, message: "CreateTopics returned an unexpected event: \(String(cString: rd_kafka_event_name(event)))")
        }
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return }
        for index in 0..<count {
            let topicResult = results[index]
            let error = rd_kafka_topic_result_error(topicResult)
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            if error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS {
                logger.debug("Kafka topic ready", metadata: [KafkaLoggingKeys.topic: "\(name)"])
                continue
            }
            let text = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? String(cString: rd_kafka_err2str(error))
            throw KafkaError(code: .admin, message: "creating topic '\(name)' failed: \(text)", rdKafkaCode: error.rawValue)
        }
    }
}
