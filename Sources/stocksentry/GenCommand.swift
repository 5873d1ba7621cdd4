import ArgumentParser
import Foundation
import StockSentry

struct GenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Generate a live-room session: to Kafka with --bootstrap, else NDJSON to --output or standard output.",
        discussion: "NDJSON lines are {\"topic\",\"key\",\"partition\",\"timestamp\",\"value\"} with the payload as a JSON string; `python scripts/kafkacheck.py produce` reads the same shape."
    )

    @Option(help: "Produce to this Kafka cluster instead of writing NDJSON.")
    var bootstrap: String?

    @Option(help: "NDJSON output file (default: standard output).")
    var output: String?

    @Option(help: "Random seed; the same seed gives the same session.")
    var seed: UInt64 = 42

    @Option(help: "Session length in minutes of event time.")
    var durationMinutes = 20

    @Option(help: "SKUs per tier (traffic, profit, longtail).")
    var skusPerTier = 3

    @Option(help: "Event-time seconds per wall-clock second when producing to Kafka (0: as fast as possible).")
    var speed: Double = 0

    @Flag(help: "Leave out the deliberately bad records.")
    var noBadRecords = false

    @OptionGroup var topics: TopicOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...24 * 60).contains(durationMinutes) else {
            throw ValidationError("--duration-minutes must be between 1 and 1440, got \(durationMinutes)")
        }
        guard (1...10_000).contains(skusPerTier) else {
            throw ValidationError("--skus-per-tier must be between 1 and 10000, got \(skusPerTier)")
        }
        guard speed >= 0 && speed.isFinite else { throw ValidationError("--speed must be ≥ 0, got \(speed)") }
        if bootstrap != nil && output != nil {
            throw ValidationError("give either --bootstrap (produce to Kafka) or --output (write NDJSON), not both")
        }
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "stocksentry.gen")
        var session = LiveSessionConfiguration()
        session.seed = seed
        session.duration = .seconds(durationMinutes * 60)
        session.skusPerTier = skusPerTier
        session.badRecords = !noBadRecords
        if let bootstrap {
            let progress = try await StockSentryApplication.publish(
                session: session, bootstrapServers: bootstrap, topics: topics.topics, speed: speed, logger: logger)
            FileHandle.standardError.write(Data("produced \(progress.produced) records (\(progress.deliberatelyBad) deliberately bad)\n".utf8))
            return
        }
        let sink: FileHandle
        if let output {
            guard FileManager.default.createFile(atPath: output, contents: nil) else {
                throw ValidationError("--output \(output): cannot create the file; check the directory exists and is writable")
            }
            guard let handle = FileHandle(forWritingAtPath: output) else {
                throw ValidationError("--output \(output): cannot open the file for writing")
            }
            sink = handle
        } else {
            sink = FileHandle.standardOutput
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 16)
        for record in LiveSessionGenerator(configuration: session) {
            buffer.append(contentsOf: LiveSessionGenerator.ndjsonLine(record).utf8)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 16 {
                sink.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        sink.write(Data(buffer))
        if output != nil { try sink.close() }
    }
}
