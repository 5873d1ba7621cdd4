#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Kafka
import Logging
import Synchronization
import Testing

/// Shared helpers for the Kafka wrapper tests. Every test starts its own `KafkaDevBroker` and
/// uses unique topic and group names.
enum KafkaTestSupport {
    /// Logs librdkafka's warnings and worse to standard error; set `KAFKA_TEST_LOG_LEVEL`
    /// (e.g. `debug`) to see more.
    static let logger: Logger = {
        var logger = Logger(label: "KafkaTests") { StreamLogHandler.standardError(label: $0) }
        let requested = getenv("KAFKA_TEST_LOG_LEVEL").flatMap { Logger.Level(rawValue: String(cString: $0)) }
        logger.logLevel = requested ?? .warning
        return logger
    }()

    private static let counter = Atomic<Int>(0)

    /// A name no other test in this process uses.
    static func uniqueName(_ prefix: String) -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        return "\(prefix)-\(number)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// A consumer configuration tuned for the mock cluster.
    ///
    /// librdkafka 2.0.2's mock group coordinator elects a leader 3 s after the first member joins
    /// an empty group (fixed; `group.initial.rebalance.delay.ms` is a broker setting it does not
    /// read), and when a member joins or leaves a running group it waits the members' session
    /// timeout minus 1 s for the others to rejoin. A 4 s session timeout keeps such a rebalance
    /// near 3 s; heartbeats every 500 ms keep members alive meanwhile.
    static func consumerConfiguration(_ broker: KafkaDevBroker, groupID: String) -> KafkaConsumerConfiguration {
        var configuration = KafkaConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: groupID)
        configuration.sessionTimeout = .seconds(4)
        configuration.additionalProperties["heartbeat.interval.ms"] = "500"
        return configuration
    }

    static func producer(_ broker: KafkaDevBroker) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        configuration.linger = .milliseconds(1)
        return try KafkaProducer.make(configuration: configuration, logger: logger)
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
}

/// What a test consumer has seen so far, and its current assignment.
struct ConsumedState {
    var records: [KafkaRecord] = []
    var assignments: [KafkaPartitionAssignment] = []
    var revoked: [KafkaTopicPartition] = []
    var current: Set<KafkaTopicPartition> = []
    var errors: [KafkaError] = []

    mutating func apply(_ batch: KafkaPollBatch) {
        records += batch.records
        assignments += batch.assigned
        revoked += batch.revoked
        errors += batch.errors
        current.subtract(batch.revoked)
        current.formUnion(batch.assigned.map(\.topicPartition))
    }
}

/// Polls `consumers` in turn (short polls, so that every member answers rebalances) until
/// `condition` holds or `timeout` passes.
/// - Returns: how long it took.
@discardableResult
func pollUntil(
    _ consumers: [KafkaConsumer],
    states: inout [ConsumedState],
    timeout: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: ([ConsumedState]) -> Bool
) throws -> Duration {
    let clock = ContinuousClock()
    let start = clock.now
    while !condition(states) {
        guard clock.now - start < timeout else {
            Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
            return clock.now - start
        }
        for (index, consumer) in consumers.enumerated() {
            states[index].apply(try consumer.poll(maxRecords: 500, timeout: .milliseconds(100)))
        }
    }
    return clock.now - start
}

/// Single-consumer form of `pollUntil`.
@discardableResult
func pollUntil(
    _ consumer: KafkaConsumer,
    state: inout ConsumedState,
    timeout: Duration = .seconds(30),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: (ConsumedState) -> Bool
) throws -> Duration {
    var states = [state]
    defer { state = states[0] }
    return try pollUntil([consumer], states: &states, timeout: timeout, sourceLocation: sourceLocation) { condition($0[0]) }
}
