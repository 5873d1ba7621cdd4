import ArgumentParser
import Foundation
import StockSentry

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput, latency and memory; prints a table and writes JSON.",
        discussion: "Scenarios: replay (the model on one core, no Kafka), live (the processor beside a raw librdkafka consumer of the same records through a dev broker), latency (order produce → freeze read at fixed rates, HDR percentiles, split at the freeze's send), outputs (a flash sale where every order sells out its SKU: output records/s), memory (bytes per active SKU), recovery (restoring a task of 100k SKUs from its snapshot and from its whole log). Build with -c release for figures worth recording."
    )

    @Argument(help: "Scenarios to run: replay, live, latency, outputs, memory, recovery (default: all).")
    var scenarios: [String] = []

    @Option(help: "SKUs per tier in the generated session (replay, live).")
    var skusPerTier = 100

    @Option(help: "Minutes of event time in the generated session (replay, live).")
    var durationMinutes = 60

    @Option(help: "Offered rates for the latency scenario, events/s, comma-separated.")
    var rates = "1000,10000,50000"

    @Option(help: "Seconds each latency rate runs.")
    var latencySeconds = 10

    @Option(help: "SKUs in the memory scenario.")
    var memorySkus = 1_000_000

    @Option(help: "SKUs in the task the recovery scenario restores.")
    var recoverySkus = 100_000

    @Option(help: "fetch.wait.max.ms of the processor's and the downstream watcher's consumers in the latency scenario. The dev broker answers a fetch with no new data only after this wait, so it floors the latency there (a real broker answers as soon as data arrives).")
    var latencyFetchWaitMs = 50

    @Option(help: "SKUs sold out, one order each, in the outputs scenario.")
    var outputSkus = 50_000

    @Option(help: "Partitions per topic on the dev broker.")
    var partitions = 4

    @Option(help: "Write the figures as JSON to this file.")
    var output: String?

    /// `run`'s tuning flags, for the processors of the live, latency and outputs scenarios.
    @OptionGroup var tuning: ProcessorTuningOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        for name in scenarios where BenchmarkConfiguration.Scenario(rawValue: name) == nil {
            throw ValidationError("unknown scenario \"\(name)\"; choose from replay, live, latency, outputs, memory, recovery")
        }
        guard (1...10_000).contains(skusPerTier) else { throw ValidationError("--skus-per-tier must be between 1 and 10000, got \(skusPerTier)") }
        guard (1...24 * 60).contains(durationMinutes) else { throw ValidationError("--duration-minutes must be between 1 and 1440, got \(durationMinutes)") }
        guard (1...600).contains(latencySeconds) else { throw ValidationError("--latency-seconds must be between 1 and 600, got \(latencySeconds)") }
        guard (1...100_000_000).contains(memorySkus) else { throw ValidationError("--memory-skus must be between 1 and 100000000, got \(memorySkus)") }
        guard (1...10_000_000).contains(recoverySkus) else { throw ValidationError("--recovery-skus must be between 1 and 10000000, got \(recoverySkus)") }
        guard (1...10_000_000).contains(outputSkus) else { throw ValidationError("--output-skus must be between 1 and 10000000, got \(outputSkus)") }
        guard (1...64).contains(partitions) else { throw ValidationError("--partitions must be between 1 and 64, got \(partitions)") }
        _ = try parsedRates()
    }

    func parsedRates() throws -> [Int] {
        try rates.split(separator: ",").map { part in
            guard let rate = Int(part.trimmingCharacters(in: .whitespaces)), (1...1_000_000).contains(rate) else {
                throw ValidationError("--rates takes comma-separated events/s between 1 and 1000000, got \"\(part)\"")
            }
            return rate
        }
    }

    func run() async throws {
        var logging = logging
        if logging.logLevel == "info" { logging.logLevel = "warning" }
        let logger = try logging.makeLogger(label: "stocksentry.bench")
        var configuration = BenchmarkConfiguration()
        if !scenarios.isEmpty { configuration.scenarios = scenarios.compactMap(BenchmarkConfiguration.Scenario.init(rawValue:)) }
        configuration.session.skusPerTier = skusPerTier
        configuration.session.duration = .seconds(durationMinutes * 60)
        configuration.latencyRates = try parsedRates()
        configuration.latencyDuration = .seconds(latencySeconds)
        configuration.memorySKUs = memorySkus
        configuration.recoverySKUs = recoverySkus
        configuration.partitions = partitions
        configuration.outputSKUs = outputSkus
        configuration.outputBatching = tuning.outputBatching
        configuration.taskThreads = tuning.taskThreads
        configuration.latencyFetchWait = .milliseconds(latencyFetchWaitMs)
        let report = try await Benchmark.run(configuration, logger: logger) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        printLine(report.machine)
        printLine(report.table)
        if let output {
            do {
                try report.json().write(to: URL(fileURLWithPath: output))
            } catch {
                throw ValidationError("--output \(output): cannot write: \(error)")
            }
        }
    }
}
