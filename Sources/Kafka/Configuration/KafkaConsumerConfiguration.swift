/// Configuration of a `KafkaConsumer`: plain data, turned into librdkafka properties by
/// `KafkaConsumer.make`.
///
/// These librdkafka properties are always set, because the consumer's design depends on them:
/// `enable.auto.commit=false`, `enable.auto.offset.store=false`,
/// `partition.assignment.strategy=range` (eager rebalancing), `enable.partition.eof=false`.
public struct KafkaConsumerConfiguration: Sendable {
    /// Where a partition without a committed offset starts.
    public struct AutoOffsetReset: Sendable, Hashable, CustomStringConvertible {
        let value: String
        /// Start from the oldest record.
        public static let earliest = AutoOffsetReset(value: "earliest")
        /// Start after the newest record.
        public static let latest = AutoOffsetReset(value: "latest")
        /// Report an error instead of guessing.
        public static let error = AutoOffsetReset(value: "error")
        /// librdkafka's name for the choice.
        public var description: String { value }
    }

    /// Which records of transactional producers the consumer sees.
    public struct IsolationLevel: Sendable, Hashable, CustomStringConvertible {
        let value: String
        /// Only records of committed transactions (and non-transactional ones).
        public static let readCommitted = IsolationLevel(value: "read_committed")
        /// All records, including those of open or aborted transactions.
        public static let readUncommitted = IsolationLevel(value: "read_uncommitted")
        /// librdkafka's name for the choice.
        public var description: String { value }
    }

    /// Comma-separated `host:port` list of brokers to bootstrap from (`bootstrap.servers`).
    /// Default: none, set by the initializer.
    public var bootstrapServers: String
    /// The consumer group (`group.id`).
    /// Default: none, set by the initializer.
    public var groupID: String
    /// The client id sent to the brokers (`client.id`).
    /// Default: `"stocksentry"`.
    public var clientID: String = "stocksentry"
    /// Where a partition without a committed offset starts (`auto.offset.reset`).
    /// Default: `.earliest`.
    public var autoOffsetReset: AutoOffsetReset = .earliest
    /// Transaction isolation (`isolation.level`).
    /// Default: `.readCommitted`.
    public var isolationLevel: IsolationLevel = .readCommitted
    /// Group session timeout (`session.timeout.ms`); a member silent for longer is evicted.
    /// Default: 10 s.
    public var sessionTimeout: Duration = .seconds(10)
    /// Maximum time between polls before the member leaves the group (`max.poll.interval.ms`);
    /// must not be less than `sessionTimeout`.
    /// Default: 300 s.
    public var maximumPollInterval: Duration = .seconds(300)
    /// How long a broker may hold a fetch waiting for data (`fetch.wait.max.ms`).
    /// Default: 50 ms.
    public var fetchWaitMaximum: Duration = .milliseconds(50)
    /// When true, every assigned partition is read from its beginning (low watermark) whatever the
    /// group committed; the committed offset is still reported in `KafkaPartitionAssignment`.
    /// Used to rebuild in-memory state from the input topics.
    /// Default: `false`.
    public var startAssignedPartitionsFromBeginning: Bool = false
    /// Chooses where newly assigned partitions start reading. Called at every assignment with the
    /// partitions being assigned; returns the next offset to read for those it wants to place.
    /// A partition it leaves out keeps the usual rule: the group's committed offset (or
    /// `autoOffsetReset` without one), or the beginning when `startAssignedPartitionsFromBeginning`.
    /// Used to resume each task at the offsets recorded in its local snapshot.
    ///
    /// It runs inside the rebalance callback, on the thread that is polling the consumer: keep it
    /// short, and do not call back into the `KafkaConsumer` (it would deadlock or fail).
    /// Default: nil (the usual rule for every partition).
    public var assignmentStartOffsets: (@Sendable ([KafkaTopicPartition]) -> [KafkaTopicPartition: Int64])? = nil
    /// Raw librdkafka properties, applied last (they override everything above).
    /// Default: empty.
    public var additionalProperties: [String: String] = [:]

    /// Creates a configuration with defaults for everything but the cluster and the group.
    /// - Parameters:
    ///   - bootstrapServers: Comma-separated `host:port` list.
    ///   - groupID: The consumer group.
    public init(bootstrapServers: String, groupID: String) {
        self.bootstrapServers = bootstrapServers
        self.groupID = groupID
    }
}

extension KafkaConsumerConfiguration {
    /// The librdkafka properties, in the order they are applied. The only place that spells
    /// librdkafka's consumer property names.
    func properties() throws -> [(key: String, value: String)] {
        var properties: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("group.id", groupID),
            ("client.id", clientID),
            ("auto.offset.reset", autoOffsetReset.value),
            ("isolation.level", isolationLevel.value),
            ("session.timeout.ms", try millisecondsProperty(sessionTimeout, option: "sessionTimeout", property: "session.timeout.ms", minimum: 1)),
            ("max.poll.interval.ms", try millisecondsProperty(maximumPollInterval, option: "maximumPollInterval", property: "max.poll.interval.ms", minimum: 1)),
            ("fetch.wait.max.ms", try millisecondsProperty(fetchWaitMaximum, option: "fetchWaitMaximum", property: "fetch.wait.max.ms", minimum: 0)),
            ("enable.auto.commit", "false"),
            ("enable.auto.offset.store", "false"),
            ("partition.assignment.strategy", "range"),
            ("enable.partition.eof", "false"),
        ]
        for key in additionalProperties.keys.sorted() {
            properties.append((key, additionalProperties[key]!))
        }
        return properties
    }
}
