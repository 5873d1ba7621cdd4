import ArgumentParser
import Foundation
import Logging
import StockSentry

@main
struct StockSentryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stocksentry",
        abstract: "Keeps live-stream shops from overselling: Kafka in, per-SKU ledger, alerts and freezes out.",
        subcommands: [RunCommand.self, BrokerCommand.self, GenCommand.self, DemoCommand.self, ReplayCommand.self, ReportCommand.self, InspectCommand.self, LogCommand.self, BenchCommand.self],
        defaultSubcommand: nil
    )
}

/// Logging flags shared by every subcommand.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Option(help: "Log format on standard error: text or json.")
    var logFormat: String = "text"

    func makeLogger(label: String, defaultLevel: Logger.Level? = nil) throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical; got \"\(logLevel)\"")
        }
        let json: Bool
        switch logFormat {
        case "text": json = false
        case "json": json = true
        default: throw ValidationError("--log-format must be text or json; got \"\(logFormat)\"")
        }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

/// Topic-name flags shared by `run` and `gen`.
/// The processor's tuning flags: `run` sets its processor with them, `bench` the processors of its
/// Kafka scenarios.
struct ProcessorTuningOptions: ParsableArguments {
    @Option(help: "How many tasks decode and fold at once, each on its own thread (1: one after another). Default: the number of processors.")
    var taskThreads = StockSentryConfiguration.defaultTaskThreads

    @Option(help: "How long, in ms, an output may wait for more outputs to share its produce request (linger.ms); added to every output's latency while outputs trickle.")
    var outputLingerMs = Int(StockSentryConfiguration.OutputBatching().linger / .milliseconds(1))

    @Option(help: "Most outputs in one produce request batch (batch.num.messages).")
    var outputBatchRecords = StockSentryConfiguration.OutputBatching().maximumRecords

    /// The output producer's batching as the flags set it.
    var outputBatching: StockSentryConfiguration.OutputBatching {
        var batching = StockSentryConfiguration.OutputBatching()
        batching.linger = .milliseconds(outputLingerMs)
        batching.maximumRecords = outputBatchRecords
        return batching
    }

    func validate() throws {
        guard (1...256).contains(taskThreads) else {
            throw ValidationError("--task-threads must be between 1 and 256, got \(taskThreads)")
        }
        try outputBatching.validate()
    }
}

struct TopicOptions: ParsableArguments {
    @Option(help: "Orders topic.") var ordersTopic = "orders"
    @Option(help: "Carts topic.") var cartsTopic = "carts"
    @Option(help: "Interactions topic.") var interactionsTopic = "interactions"
    @Option(help: "Inventory topic.") var inventoryTopic = "inventory"
    @Option(help: "Alerts output topic.") var alertsTopic = "stock-alerts"
    @Option(help: "Commands output topic.") var commandsTopic = "stock-commands"
    @Option(help: "Dead-letter output topic.") var deadletterTopic = "stock-deadletter"

    var topics: StockSentryConfiguration.Topics {
        var topics = StockSentryConfiguration.Topics()
        topics.orders = ordersTopic
        topics.carts = cartsTopic
        topics.interactions = interactionsTopic
        topics.inventory = inventoryTopic
        topics.alerts = alertsTopic
        topics.commands = commandsTopic
        topics.deadLetter = deadletterTopic
        return topics
    }

    func validate() throws {
        let names = topics.all
        if let empty = zip(["--orders-topic", "--carts-topic", "--interactions-topic", "--inventory-topic",
                            "--alerts-topic", "--commands-topic", "--deadletter-topic"], names).first(where: { $0.1.isEmpty }) {
            throw ValidationError("\(empty.0) must not be empty")
        }
        if Set(names).count != names.count {
            throw ValidationError("topic names must all differ; got \(names.joined(separator: ", "))")
        }
    }
}

/// Writes one line to standard output at once (unbuffered, so a pipe reader sees it immediately).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
