import Foundation
import Kafka
import Logging
import ServiceLifecycle
import StockModel

/// `stocksentry demo`: dev broker, processor and a generated live session in one process, with
/// the alerts and commands printed as a downstream consumer reads them.
public struct DemoConfiguration: Sendable {
    /// The generated session. Default: seed 42, 20 minutes, 3 SKUs per tier, with bad records.
    public var session = LiveSessionConfiguration()
    /// Event-time seconds played per wall-clock second. Default: 40 (a 20-minute session in 30 s).
    public var speed: Double = 40
    /// Partitions per topic on the dev broker. Default: 4.
    public var partitions: Int = 4
    /// The policy the processor runs. Default: built-in.
    public var policy: PolicySet = .builtInDefault
    /// Longest the demo waits for the processor to catch up after the session ends. Default: 60 s.
    public var settleTimeout: Duration = .seconds(60)

    public init() {}
}

/// What a demo run did, for its closing summary.
public struct DemoSummary: Sendable {
    public var produced: Int
    public var deliberatelyBad: Int
    public var metrics: StockMetrics.Snapshot
    public var outputsSeen: Int
    public var settled: Bool
}

public enum Demo {
    /// Runs the demo until the session is published and every output has been read back, or
    /// until SIGINT/SIGTERM. `print` receives each display line.
    public static func run(
        _ configuration: DemoConfiguration, logger: Logger, print: @escaping @Sendable (String) -> Void
    ) async throws -> DemoSummary {
        var brokerConfiguration = DevBrokerConfiguration()
        brokerConfiguration.partitions = configuration.partitions
        let broker = try DevBroker.start(brokerConfiguration, logger: logger)
        print("dev broker on \(broker.bootstrapServers); \(configuration.partitions) partitions per topic")

        var processorConfiguration = StockSentryConfiguration(bootstrapServers: broker.bootstrapServers)
        processorConfiguration.groupID = "stocksentry-demo"
        processorConfiguration.policy = configuration.policy
        let processor = StockSentryService(configuration: processorConfiguration, logger: logger)
        let generator = LiveSessionGenerator(configuration: configuration.session)
        let publisher = SessionPublisher(generator: generator, bootstrapServers: broker.bootstrapServers,
                                         topics: processorConfiguration.topics, speed: configuration.speed, logger: logger)
        let topics = processorConfiguration.topics
        let watcher = OutputWatcher(bootstrapServers: broker.bootstrapServers,
                                    topics: [topics.alerts, topics.commands, topics.deadLetter],
                                    groupID: "stocksentry-demo-watch", logger: logger) { record in
            print(DemoLine.format(record, topics: topics))
        }
        let conductor = DemoConductor(processor: processor.metrics, publisher: publisher.progress,
                                      watcher: watcher.seen, settleTimeout: configuration.settleTimeout)
        print("session: \(generator.skus.count) SKUs, \(configuration.session.duration) of event time at \(configuration.speed)× speed")
        print(DemoLine.header)

        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [
                .init(service: processor),
                .init(service: watcher),
                .init(service: publisher, successTerminationBehavior: .ignore),
                .init(service: conductor, successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        withExtendedLifetime(broker) {}
        let progress = publisher.progress.snapshot
        return DemoSummary(produced: progress.produced, deliberatelyBad: progress.deliberatelyBad,
                           metrics: processor.metrics.snapshot, outputsSeen: watcher.seen.recordsSeen,
                           settled: conductor.settled.recordsSeen > 0)
    }
}

/// Ends the demo once the session is published, processed and every output read back.
struct DemoConductor: Service {
    let processor: StockMetrics
    let publisher: PublishProgress
    let watcher: WatchProgress
    let settleTimeout: Duration
    /// Non-zero once the demo settled (rather than timing out or being interrupted).
    let settled = WatchProgress()

    func run() async throws {
        let clock = ContinuousClock()
        var deadline: ContinuousClock.Instant?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(250))
            let published = publisher.snapshot
            guard published.finished else { continue }
            let metrics = processor.snapshot
            let outputs = metrics.alertTransitions + metrics.commandsByAction.values.reduce(0, +) + metrics.deadLetters
            if metrics.recordsProcessed >= published.produced && watcher.recordsSeen >= outputs {
                settled.add(1)
                return
            }
            let now = clock.now
            if deadline == nil { deadline = now + settleTimeout }
            if let deadline, now >= deadline { return }
        }
    }
}

/// One printed line per output record.
enum DemoLine {
    static let header = "event time  topic      level/action  transition   sku                    available  reason"

    static func format(_ record: KafkaRecord, topics: StockSentryConfiguration.Topics) -> String {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(record.value))) as? [String: Any] else {
            return "(unreadable record on \(record.topic))"
        }
        func text(_ key: String) -> String { (object[key] as? CustomStringConvertible)?.description ?? "-" }
        let time = (object["ts"] as? NSNumber).map { clock($0.int64Value) } ?? "        "
        func pad(_ string: String, _ width: Int) -> String {
            string.count >= width ? string : string + String(repeating: " ", count: width - string.count)
        }
        switch record.topic {
        case topics.alerts:
            let reasons = (object["reasons"] as? [String])?.joined(separator: "; ") ?? ""
            return "\(time)  \(pad("alert", 9))  \(pad(text("level"), 12))  \(pad(text("transition"), 11))  \(pad(text("sku"), 21))  \(pad("\(text("available"))/\(text("stock"))", 9))  \(reasons)"
        case topics.commands:
            return "\(time)  \(pad("command", 9))  \(pad(text("action"), 12))  \(pad("", 11))  \(pad(text("sku"), 21))  \(pad(text("available"), 9))  \(text("reason"))"
        default:
            let source = (object["source_timestamp"] as? NSNumber).map { clock($0.int64Value) } ?? "        "
            return "\(source)  \(pad("deadletter", 9))  \(pad("", 12))  \(pad("", 11))  \(pad("", 21))  \(pad("", 9))  \(text("error"))"
        }
    }

    private static func clock(_ milliseconds: Int64) -> String {
        let seconds = (milliseconds / 1_000) % 86_400
        return String(format: "%02d:%02d:%02d", seconds / 3_600, (seconds / 60) % 60, seconds % 60)
    }

    /// The closing summary.
    static func summary(_ summary: DemoSummary) -> [String] {
        let metrics = summary.metrics
        let levels = [AlertLevel.notice, .warning, .critical]
            .map { "\($0.rawValue) \(metrics.alertsByLevel[$0, default: 0])" }.joined(separator: ", ")
        return [
            "",
            "summary",
            "  events      \(metrics.recordsProcessed) processed of \(summary.produced) produced (\(metrics.duplicatesDropped) duplicates dropped, \(metrics.lateRecords) late, \(metrics.lateEvents) behind the watermark)",
            "  alerts      \(metrics.alertTransitions) transitions; raised or escalated to \(levels)",
            "  commands    freeze \(metrics.commandsByAction[.freeze, default: 0]), unfreeze \(metrics.commandsByAction[.unfreeze, default: 0])",
            "  oversold    \(metrics.oversoldUnits) units",
            "  forecasts   \(metrics.forecastAccuracySummary)",
            "  deadletter  \(metrics.deadLetters) records (\(summary.deliberatelyBad) bad records were generated)",
            summary.settled ? "  all \(summary.outputsSeen) output records were read back from Kafka" : "  stopped before every output was read back",
        ]
    }
}

extension DemoSummary {
    /// The closing summary as printed lines.
    public var lines: [String] { DemoLine.summary(self) }
}
