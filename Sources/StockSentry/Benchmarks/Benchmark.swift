import Foundation
import Logging

/// `stocksentry bench`: runs the chosen scenarios and returns their figures.
public enum Benchmark {
    public static func run(_ configuration: BenchmarkConfiguration, logger: Logger,
                           progress: @Sendable (String) -> Void) async throws -> BenchmarkReport {
        var report = BenchmarkReport(machine: machineDescription())
        // Memory first: RSS growth is only a fair measure in a process that has not allocated yet.
        let ordered = configuration.scenarios.filter { $0 == .memory } + configuration.scenarios.filter { $0 != .memory }
        for scenario in ordered {
            progress("running \(scenario.rawValue) …")
            switch scenario {
            case .replay: ReplayBenchmark.run(configuration, into: &report)
            case .live: try await LiveBenchmark.run(configuration, logger: logger, into: &report)
            case .latency: try await LatencyBenchmark.run(configuration, logger: logger, into: &report)
            case .outputs: try await OutputBenchmark.run(configuration, logger: logger, into: &report)
            case .memory: MemoryBenchmark.run(configuration, into: &report)
            case .recovery: try await RecoveryBenchmark.run(configuration, into: &report)
            }
        }
        if let peak = ProcessMemory.peakResidentBytes {
            report.add(configuration.scenarios.last ?? .replay, "process peak RSS", Double(peak) / 1_048_576, "MiB")
        }
        return report
    }

    static func machineDescription() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let memory = ProcessInfo.processInfo.physicalMemory / 1_073_741_824
        var model = "unknown CPU"
        if let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let name = line.split(separator: ":", maxSplits: 1).last {
            model = name.trimmingCharacters(in: .whitespaces)
        }
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        return "\(model), \(cores) cores, \(memory) GiB, \(build)"
    }
}
