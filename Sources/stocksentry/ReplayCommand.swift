import ArgumentParser
import Foundation
import Logging
import StockModel
import StockSentry

/// Where `replay` and `report` read a recorded session: NDJSON files or the topics of a cluster.
struct ReplayInputOptions: ParsableArguments {
    @Option(name: .customLong("input"), help: ArgumentHelp(
        "NDJSON session file (repeatable): lines as `stocksentry gen` writes them or `kcat -C -J` prints them.",
        valueName: "file"))
    var inputs: [String] = []

    @Option(help: "Read the input topics of this Kafka cluster instead (no consumer group is joined, nothing is written to it).")
    var bootstrap: String?

    @Option(help: "First record timestamp to include: RFC 3339 (2026-11-22T20:00:00Z) or Unix epoch ms.")
    var from: String?

    @Option(help: "Record timestamps at or after this are left out: RFC 3339 or Unix epoch ms.")
    var to: String?

    @Option(help: "First offset to read in every partition.")
    var fromOffset: Int64?

    @Option(help: "Offsets at or after this are left out, in every partition.")
    var toOffset: Int64?

    @Option(help: "Partitions of the input topics, for NDJSON lines without a partition (murmur2 of the key, as `gen --bootstrap` produces); `stocksentry broker` creates 8.")
    var partitions = 8

    @Option(name: .customShort("X"), help: ArgumentHelp("librdkafka property for the replay reader, key=value (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @OptionGroup var topics: TopicOptions

    func validate() throws {
        if inputs.isEmpty == (bootstrap == nil) {
            throw ValidationError("give the recorded session as --input FILE (one or more) or --bootstrap HOST:PORT, exactly one of them")
        }
        guard partitions >= 1 && partitions <= 100_000 else { throw ValidationError("--partitions must be between 1 and 100000, got \(partitions)") }
        if let fromOffset, fromOffset < 0 { throw ValidationError("--from-offset must be ≥ 0, got \(fromOffset)") }
        if let toOffset, toOffset < 0 { throw ValidationError("--to-offset must be ≥ 0, got \(toOffset)") }
        let range = try self.range()
        if let from = range.fromTime, let to = range.toTime, to <= from {
            throw ValidationError("--to must be after --from; got \(self.from ?? "") → \(self.to ?? "")")
        }
        if let from = range.fromOffset, let to = range.toOffset, to <= from {
            throw ValidationError("--to-offset must be greater than --from-offset; got \(from) → \(to)")
        }
        _ = try kafkaProperties()
    }

    func range() throws -> ReplayRange {
        ReplayRange(fromTime: try from.map { try Self.time($0, flag: "--from") }, toTime: try to.map { try Self.time($0, flag: "--to") },
                    fromOffset: fromOffset, toOffset: toOffset)
    }

    func kafkaProperties() throws -> [String: String] {
        try RunCommand.parseProperties(properties)
    }

    static func time(_ text: String, flag: String) throws -> Int64 {
        if let milliseconds = Int64(text) { return milliseconds }
        if let time = EventTime(rfc3339: text) { return time.millisecondsSinceEpoch }
        throw ValidationError("\(flag) \(text): write an RFC 3339 time such as 2026-11-22T20:00:00Z, or Unix epoch milliseconds")
    }

    func load(logger: Logger) async throws -> ReplayInput {
        if let bootstrap {
            return try await ReplayInput.load(bootstrapServers: bootstrap, properties: try kafkaProperties(),
                                              topics: topics.topics, range: try range(), logger: logger)
        }
        return try ReplayInput.load(files: inputs, partitionCount: partitions, topics: topics.topics, range: try range())
    }
}

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a recorded session through the model under one or more policies: the backtest, with a report.",
        discussion: """
            Records are merged per task (partition p of every input topic) in event-time order, ties going to \
            inventory, orders, carts, interactions, then offset — the live processor's merge — so outputs do not \
            depend on read speed and carry the IDs a live run over the same partitions published. Writes \
            report.json, report.html, transitions-<policy>.ndjson and deadletters.ndjson to --output-dir and \
            prints the policies side by side.
            """
    )

    @OptionGroup var input: ReplayInputOptions

    @Option(name: .customLong("policy"), help: ArgumentHelp("Policy file, JSON or YAML, or `builtin` for the built-in policy (repeatable: each is compared); default: builtin.", valueName: "file"))
    var policies: [String] = []

    @Option(help: "Directory for the report and transitions.")
    var outputDir = "replay-report"

    @Option(help: "Also produce each policy's transitions to shadow topics named <prefix>[<policy>.]<alerts/commands topic> on --output-bootstrap.")
    var outputTopicPrefix: String?

    @Option(help: "Cluster for --output-topic-prefix (default: --bootstrap).")
    var outputBootstrap: String?

    @Option(help: "A warned SKU that does not sell out within this many minutes is a false alarm.")
    var falseAlarmHorizonMinutes: Double = 60

    @Option(help: "Stock curves keep one point per this many seconds of event time.")
    var curveResolutionSeconds = 30

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if let prefix = outputTopicPrefix {
            if prefix.isEmpty { throw ValidationError("--output-topic-prefix must not be empty: replay never writes to the live topics") }
            if outputBootstrap == nil && input.bootstrap == nil {
                throw ValidationError("--output-topic-prefix needs a cluster: give --output-bootstrap HOST:PORT")
            }
        } else if outputBootstrap != nil {
            throw ValidationError("--output-bootstrap is only used with --output-topic-prefix")
        }
        guard falseAlarmHorizonMinutes > 0 && falseAlarmHorizonMinutes.isFinite else {
            throw ValidationError("--false-alarm-horizon-minutes must be > 0, got \(falseAlarmHorizonMinutes)")
        }
        guard curveResolutionSeconds >= 0 else { throw ValidationError("--curve-resolution-seconds must be ≥ 0, got \(curveResolutionSeconds)") }
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "stocksentry.replay")
        var configuration = BacktestConfiguration()
        configuration.topics = input.topics.topics
        configuration.targets.falseAlarmHorizonMinutes = falseAlarmHorizonMinutes
        configuration.curveResolutionMilliseconds = Int64(curveResolutionSeconds) * 1000
        if !policies.isEmpty {
            let stems = policies.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
            configuration.policies = try zip(policies, stems).map { path, stem in
                if path == "builtin" { return .builtInDefault }
                // Two files with one stem (policy.json, policy.yaml) keep their extensions apart.
                let name = stems.filter { $0 == stem }.count > 1 ? URL(fileURLWithPath: path).lastPathComponent : stem
                return BacktestPolicy(name: name, path: path, policy: try PolicyLoader.load(path: path))
            }
        }
        let started = ContinuousClock.now
        let records = try await input.load(logger: logger)
        let loaded = ContinuousClock.now
        let result = Backtest.run(records, configuration: configuration)
        let folded = ContinuousClock.now
        let report = try ReplayReportFiles.write(result, to: outputDir, html: BacktestHTML.render)
        if let prefix = outputTopicPrefix {
            let produced = try await ReplayShadowTopics.produce(
                result, bootstrapServers: outputBootstrap ?? input.bootstrap ?? "", prefix: prefix,
                topics: configuration.topics, policyNames: report.policies.map { $0.name }, logger: logger)
            logger.notice("produced \(produced) records to shadow topics with prefix \(prefix)")
        }
        let seconds = { (a: ContinuousClock.Instant, b: ContinuousClock.Instant) in a.duration(to: b).seconds }
        let events = records.recordCount
        printLine("replayed \(events) records from \(records.source) (\(records.tasks.count) tasks, \(report.input.deadLetters) dead letters, \(records.outOfRangeRecords) out of range, \(records.otherTopicRecords) of other topics) under \(report.policies.count) \(report.policies.count == 1 ? "policy" : "policies")")
        printLine("read \(BacktestSummaryTable.format(seconds(started, loaded), 2)) s, model \(BacktestSummaryTable.format(seconds(loaded, folded), 2)) s (\(Int(Double(events) / max(seconds(loaded, folded), 1e-9))) records/s)")
        printLine("")
        printLine(BacktestSummaryTable.text(report))
        printLine("")
        printLine("report: \(outputDir)/report.html, \(outputDir)/report.json; transitions: \(report.policies.compactMap { $0.transitionsFile }.joined(separator: ", "))")
    }
}
