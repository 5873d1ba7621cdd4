import ArgumentParser
import StockSentry

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the processor against a Kafka cluster (one member of a consumer group)."
    )

    @Option(help: "Kafka bootstrap servers, host:port[,host:port…].")
    var bootstrap: String

    @Option(help: "Consumer group shared by every instance of this deployment.")
    var group = "stocksentry"

    @Option(help: "Policy file (JSON or YAML, see Schemas/policy.schema.json). Default: built-in policy.")
    var policy: String?

    @Option(help: "Directory for the task logs (one per task, under <dir>/<group>/task-<p>); without it state is rebuilt from the input topics.")
    var dataDir: String?

    @Option(help: "With --data-dir: snapshot a task's state after this many records.")
    var snapshotEvery = 10_000

    @Option(help: "With --data-dir: snapshot a task's state at least this often, in seconds, while it processes.")
    var snapshotIntervalSeconds = 60

    @Option(help: "Longest wait, in ms, for a partition that may hold earlier records (max_task_idle).")
    var maxTaskIdleMs = 500

    @Option(help: "Output delivery: at-least-once (idempotent producer, deterministic IDs; any broker) or exactly-once (Kafka transactions per task; read_committed consumers see each output once; needs a real Kafka broker).")
    var delivery = "at-least-once"

    @Option(name: .customShort("X"), help: "A librdkafka property for both clients, key=value (repeatable), e.g. -X security.protocol=SASL_SSL.")
    var kafkaProperties: [String] = []

    @OptionGroup var tuning: ProcessorTuningOptions
    @OptionGroup var topics: TopicOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard !bootstrap.isEmpty else { throw ValidationError("--bootstrap must name at least one host:port") }
        guard (0...60_000).contains(maxTaskIdleMs) else {
            throw ValidationError("--max-task-idle-ms must be between 0 and 60000, got \(maxTaskIdleMs)")
        }
        _ = try Self.parseProperties(kafkaProperties)
        guard StockSentryConfiguration.Delivery(rawValue: delivery) != nil else {
            throw ValidationError("--delivery must be at-least-once or exactly-once, got \"\(delivery)\"")
        }
        guard snapshotEvery >= 1 else { throw ValidationError("--snapshot-every must be at least 1, got \(snapshotEvery)") }
        guard snapshotIntervalSeconds >= 1 else {
            throw ValidationError("--snapshot-interval-seconds must be at least 1, got \(snapshotIntervalSeconds)")
        }
    }

    static func parseProperties(_ pairs: [String]) throws -> [String: String] {
        var properties: [String: String] = [:]
        for pair in pairs {
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                throw ValidationError("-X takes key=value, got \"\(pair)\"")
            }
            properties[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        return properties
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "stocksentry")
        var configuration = StockSentryConfiguration(bootstrapServers: bootstrap)
        configuration.groupID = group
        configuration.topics = topics.topics
        configuration.dataDirectory = dataDir
        configuration.snapshotEveryRecords = snapshotEvery
        configuration.snapshotInterval = .seconds(snapshotIntervalSeconds)
        configuration.maximumTaskIdle = .milliseconds(maxTaskIdleMs)
        configuration.taskThreads = tuning.taskThreads
        configuration.outputBatching = tuning.outputBatching
        configuration.kafkaProperties = try Self.parseProperties(kafkaProperties)
        configuration.delivery = StockSentryConfiguration.Delivery(rawValue: delivery) ?? .atLeastOnce
        if let policy {
            configuration.policy = try PolicyLoader.load(path: policy)
        }
        try await StockSentryApplication.run(configuration: configuration, logger: logger)
    }
}
