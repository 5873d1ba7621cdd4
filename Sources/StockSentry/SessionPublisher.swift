import Kafka
import Logging
import ServiceLifecycle
import StockModel
import Synchronization

/// Produces a generated live session to the input topics, optionally paced in event time.
public struct SessionPublisher: Service {
    /// How fast event time passes relative to wall time: 60 plays one minute of the session per
    /// second; 0 produces as fast as the broker takes it.
    public var speed: Double
    public let generator: LiveSessionGenerator
    public let bootstrapServers: String
    public let topics: StockSentryConfiguration.Topics
    /// Counts what was produced, for summaries.
    public let progress: PublishProgress
    private let logger: Logger

    public init(generator: LiveSessionGenerator, bootstrapServers: String, topics: StockSentryConfiguration.Topics,
                speed: Double, progress: PublishProgress = PublishProgress(), logger: Logger) {
        self.generator = generator
        self.bootstrapServers = bootstrapServers
        self.topics = topics
        self.speed = speed
        self.progress = progress
        self.logger = logger
    }

    public func run() async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: bootstrapServers)
        configuration.additionalProperties = ["partitioner": "murmur2_random"]
        let producer = try KafkaProducer.make(configuration: configuration, logger: logger)
        let clock = ContinuousClock()
        let wallStart = clock.now
        var firstEventTime: Int64?
        var sent = 0
        var bad = 0
        for record in generator {
            if Task.isCancelled || Task.isShuttingDownGracefully { break }
            if speed > 0 {
                let origin = firstEventTime ?? record.timestampMilliseconds
                firstEventTime = origin
                let due = wallStart + .milliseconds(Double(record.timestampMilliseconds - origin) / speed)
                if due > clock.now {
                    producer.poll()
                    try? await Task.sleep(until: due, clock: clock)
                }
            }
            guard let role = InputTopic(rawValue: record.topic) else { continue }
            try producer.send(topic: topics.name(of: role), key: record.key.map { Array($0.utf8) },
                              value: record.value, timestampMilliseconds: record.timestampMilliseconds)
            sent += 1
            if record.isDeliberatelyBad { bad += 1 }
            if sent % 1_000 == 0 {
                producer.poll()
                let (total, rejected) = (sent, bad)
                progress.update(produced: total, deliberatelyBad: rejected, finished: false)
            }
        }
        try await producer.flush(timeout: .seconds(30))
        progress.update(produced: sent, deliberatelyBad: bad, finished: true)
        logger.info("session published", metadata: ["records": .stringConvertible(sent), "bad": .stringConvertible(bad)])
    }
}

/// How far a ``SessionPublisher`` got; readable from any task.
public final class PublishProgress: Sendable {
    public struct Snapshot: Sendable {
        public var produced = 0
        public var deliberatelyBad = 0
        public var finished = false
    }

    private let state = Mutex(Snapshot())

    public init() {}

    public var snapshot: Snapshot { state.withLock { $0 } }

    func update(produced: Int, deliberatelyBad: Int, finished: Bool) {
        state.withLock {
            $0.produced = produced
            $0.deliberatelyBad = deliberatelyBad
            $0.finished = finished
        }
    }
}
