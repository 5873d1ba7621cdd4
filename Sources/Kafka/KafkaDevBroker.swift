import CRdKafka
import Logging

/// librdkafka's mock cluster on loopback: a real Kafka-protocol broker (or several) inside this
/// process, for `stocksentry broker`, demos and tests.
///
/// Known limits of librdkafka 2.0.2's mock cluster: it names no controller, so Admin API calls
/// (CreateTopics, DescribeConfigs) time out against it — create topics with `createTopic`; its
/// ports are random; it keeps about 5 MB a partition.
///
/// Group coordination timing of the mock (measured, and read from its coordinator): the first
/// member of an empty group gets its assignment after a fixed 3 s (the broker-side
/// `group.initial.rebalance.delay.ms` is not configurable there); when a member joins or leaves a
/// running group, the coordinator waits the members' `session.timeout.ms` minus 1 s for everyone
/// to rejoin (100 ms once all have). With `sessionTimeout = .seconds(4)` a join, a second member
/// or a leave each settle in about 3 s, so 30 s deadlines in tests are generous.
/// While a group is joining, the mock refuses OffsetCommit ("Group rebalance in progress"), so the
/// commit `KafkaConsumer` makes when partitions are revoked fails there when another member joins
/// (a real broker accepts it); commit after each processed batch instead of relying on it.
///
/// `@unchecked Sendable` because it stores the mock cluster as an `OpaquePointer`: the pointer is
/// immutable after `start`, and librdkafka's `rd_kafka_mock_*` functions are thread-safe (each
/// call is sent as an operation to the mock cluster's own thread and waits for its reply).
public final class KafkaDevBroker: @unchecked Sendable {
    /// Hosts the mock cluster (its thread logs and runs through this client). Released after
    /// `deinit` has destroyed `cluster`.
    private let host: RDKafkaClient
    private let cluster: OpaquePointer
    private let brokerCount: Int
    private let logger: Logger

    /// The cluster's bootstrap list, `127.0.0.1:<port>,…` (ports are random).
    public let bootstrapServers: String

    private init(host: RDKafkaClient, cluster: OpaquePointer, brokerCount: Int, logger: Logger) {
        self.host = host
        self.cluster = cluster
        self.brokerCount = brokerCount
        self.logger = logger
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
        // `host` (the rd_kafka_t that ran the cluster) is destroyed after this, when released.
    }

    /// Starts a mock cluster of `brokerCount` brokers on loopback.
    /// - Throws: `KafkaError.mockCluster` when librdkafka cannot create it.
    public static func start(brokerCount: Int = 1, logger: Logger) throws -> KafkaDevBroker {
        guard brokerCount >= 1 else {
            throw KafkaError(code: .mockCluster, message: "a dev broker needs at least one broker, got \(brokerCount)")
        }
        // The host client has no bootstrap servers (it only runs the cluster), which librdkafka
        // reports as a notice; the cluster's own problems are warnings or worse.
        var hostLogger = logger
        hostLogger.logLevel = max(logger.logLevel, .warning)
        let host = try RDKafkaClient.make(
            kind: .producer,
            properties: [("client.id", "stocksentry-dev-broker")],
            context: RDKafkaCallbackContext(logger: hostLogger)
        )
        guard let cluster = rd_kafka_mock_cluster_new(host.handle, Int32(clamping: brokerCount)) else {
            throw KafkaError(code: .mockCluster, message: "rd_kafka_mock_cluster_new failed to create \(brokerCount) brokers (see librdkafka's log)")
        }
        let broker = KafkaDevBroker(host: host, cluster: cluster, brokerCount: brokerCount, logger: logger)
        logger.info("Kafka dev broker started", metadata: [KafkaLoggingKeys.bootstrapServers: "\(broker.bootstrapServers)"])
        return broker
    }

    /// Creates a topic (`rd_kafka_mock_topic_create`); an existing topic is not an error.
    /// - Parameters:
    ///   - name: The topic name.
    ///   - partitions: The partition count, at least 1.
    ///   - replicationFactor: At least 1 and at most the broker count.
    /// - Throws: `KafkaError.mockCluster` with librdkafka's message.
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        guard partitions >= 1, (1...brokerCount).contains(replicationFactor) else {
            throw KafkaError(
                code: .mockCluster,
                message: "topic '\(name)': need partitions ≥ 1 and 1 ≤ replicationFactor ≤ \(brokerCount) brokers, got \(partitions) and \(replicationFactor)"
            )
        }
        let error = rd_kafka_mock_topic_create(cluster, name, Int32(clamping: partitions), Int32(clamping: replicationFactor))
        guard error == RD_KAFKA_RESP_ERR_NO_ERROR || error == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS else {
            throw KafkaError.rdKafka(error, "creating topic '\(name)' on the dev broker", code: .mockCluster)
        }
        logger.debug("Kafka dev broker topic created", metadata: [KafkaLoggingKeys.topic: "\(name)"])
    }
}
