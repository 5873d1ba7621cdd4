import ArgumentParser
import Foundation
import StockSentry

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Dev broker + processor + a generated flash-sale session in one process; prints alerts and commands as they happen."
    )

    @Option(help: "Event-time seconds played per wall-clock second.")
    var speed: Double = 40

    @Option(help: "Random seed of the session.")
    var seed: UInt64 = 42

    @Option(help: "Session length in minutes of event time.")
    var durationMinutes = 20

    @Option(help: "Partitions per topic on the dev broker.")
    var partitions = 4

    @Option(help: "Policy file (JSON or YAML). Default: built-in policy.")
    var policy: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard speed > 0 && speed.isFinite else { throw ValidationError("--speed must be > 0, got \(speed)") }
        guard (1...240).contains(durationMinutes) else {
            throw ValidationError("--duration-minutes must be between 1 and 240, got \(durationMinutes)")
        }
        guard (1...64).contains(partitions) else { throw ValidationError("--partitions must be between 1 and 64, got \(partitions)") }
    }

    func run() async throws {
        var logging = logging
        if logging.logLevel == "info" { logging.logLevel = "warning" }
        let logger = try logging.makeLogger(label: "stocksentry.demo")
        var configuration = DemoConfiguration()
        configuration.speed = speed
        configuration.partitions = partitions
        configuration.session.seed = seed
        configuration.session.duration = .seconds(durationMinutes * 60)
        if let policy {
            configuration.policy = try PolicyLoader.load(path: policy)
        }
        let summary = try await Demo.run(configuration, logger: logger) { line in
            printLine(line)
        }
        for line in summary.lines { printLine(line) }
    }
}
