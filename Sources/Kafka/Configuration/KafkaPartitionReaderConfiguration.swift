/// Configuration of a `KafkaPartitionReader`: plain data, turned into librdkafka properties by
/// `KafkaPartitionReader.make`.
///
/// These librdkafka properties are always set, because the reader's design depends on them:
/// - `group.id` = a random `stocksentry-reader-…`: librdkafka 2.0.2 answers `rd_kafka_assign` and
///   `rd_kafka_consumer_poll` with "Unknown group" on a consumer without one. The reader never
///   subscribes (so never joins) and never commits, so the group never appears on the cluster.
/// - `enable.auto.commit=false`, `enable.auto.offset.store=false`: nothing is ever committed.
/// - `enable.partition.eof=true`: the end-of-partition events let `nextOffset` move past
///   transaction markers and aborted records, which are never returned as records.
/// - `auto.offset.reset=error`: a start offset outside the partition's records throws from
///   `poll` instead of silently moving to the beginning or the end.
public struct KafkaPartitionReaderConfiguration: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from (`bootstrap.servers`).
    /// Default: none, set by the initializer.
    public var bootstrapServers: String
    /// The client id sent to the brokers (`client.id`).
    /// Default: `"stocksentry-replay"`.
    public var clientID: String = "stocksentry-replay"
    /// Which records of transactional producers the reader sees (`isolation.level`). With
    /// `.readCommitted` a partition's readable end is its last stable offset, which stays below
    /// the high watermark while a transaction is open.
    /// Default: `.readCommitted`.
    public var isolationLevel: KafkaConsumerConfiguration.IsolationLevel = .readCommitted
    /// How long a broker may hold a fetch waiting for data (`fetch.wait.max.ms`); also about how
    /// long after the last record the end-of-partition event arrives.
    /// Default: 100 ms.
    public var fetchWaitMaximum: Duration = .milliseconds(100)
    /// Raw librdkafka properties, applied last (they override everything above, `group.id`
    /// included). `enable.auto.commit` may not be set: the reader never commits.
    /// Default: empty.
    public var additionalProperties: [String: String] = [:]

    /// Creates a configuration with defaults for everything but the cluster.
    /// - Parameter bootstrapServers: Comma-separated `host:port` list.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }
}

extension KafkaPartitionReaderConfiguration {
    /// The librdkafka properties, in the order they are applied. The only place that spells
    /// librdkafka's property names for the reader.
    /// - Parameter groupID: The placeholder group (never joined, never committed to).
    /// - Throws: `KafkaError.configuration` for an invalid duration or an `enable.auto.commit` override.
    func properties(groupID: String) throws -> [(key: String, value: String)] {
        guard additionalProperties["enable.auto.commit"] == nil else {
            throw KafkaError(
                code: .configuration,
                message: "additionalProperties may not set enable.auto.commit: a KafkaPartitionReader never commits offsets"
            )
        }
        var properties: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupID),
            ("client.id", clientID),
            ("isolation.level", isolationLevel.value),
            ("fetch.wait.max.ms", try millisecondsProperty(fetchWaitMaximum, option: "fetchWaitMaximum", property: "fetch.wait.max.ms", minimum: 0)),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("enable.partition.eof", "true"),
            ("auto.offset.reset", "error"),
        ]
        for key in additionalProperties.keys.sorted() {
            properties.append((key, additionalProperties[key]!))
        }
        return properties
    }
}
