import Foundation
import StockModel

/// Generated records, already in memory as a consumer hands them over (key and value bytes),
/// through decode, ledger, rules and output encoding on one core. No Kafka, no I/O.
enum ReplayBenchmark {
    private struct Input {
        var role: InputTopic
        var key: [UInt8]?
        var value: [UInt8]
        var timestamp: EventTime
    }

    static func run(_ configuration: BenchmarkConfiguration, into report: inout BenchmarkReport) {
        let inputs: [Input] = LiveSessionGenerator(configuration: configuration.session).compactMap { record in
            guard let role = InputTopic(rawValue: record.topic) else { return nil }
            return Input(role: role, key: record.key.map { Array($0.utf8) }, value: record.value,
                         timestamp: EventTime(millisecondsSinceEpoch: record.timestampMilliseconds))
        }
        let bytes = inputs.reduce(0) { $0 + $1.value.count }
        report.add(.replay, "records", Double(inputs.count), "records", "\(bytes / max(1, inputs.count)) bytes per value on average")

        var bestFull = Duration.seconds(Int64.max / 2)
        var bestDecode = Duration.seconds(Int64.max / 2)
        var outputCount = 0
        let decoder = EventDecoder()
        for _ in 0..<max(1, configuration.replayRepeats) {
            // Decode only: the share of the pipeline that is JSON.
            var start = ContinuousClock.now
            var decoded = 0
            for input in inputs {
                if case .success = decoder.decode(value: input.value, key: input.key, topic: input.role, recordTimestamp: input.timestamp) {
                    decoded += 1
                }
            }
            bestDecode = min(bestDecode, start.duration(to: .now))
            precondition(decoded > 0, "the generated session decoded to nothing")

            // The whole model path.
            var book = StockBook(policy: .builtInDefault)
            var outputs: [StockOutput] = []
            var encoded: [UInt8] = []
            encoded.reserveCapacity(1 << 20)
            outputCount = 0
            start = ContinuousClock.now
            for input in inputs {
                guard case .success(let event) = decoder.decode(
                    value: input.value, key: input.key, topic: input.role, recordTimestamp: input.timestamp) else { continue }
                outputs.removeAll(keepingCapacity: true)
                _ = book.apply(event, outputs: &outputs)
                for output in outputs {
                    output.encodeJSON(into: &encoded)
                    outputCount += 1
                }
                if encoded.count > 1 << 20 { encoded.removeAll(keepingCapacity: true) }
            }
            bestFull = min(bestFull, start.duration(to: .now))
        }
        let count = Double(inputs.count)
        report.add(.replay, "decode only", count / bestDecode.seconds, "events/s", "best of \(configuration.replayRepeats)")
        report.add(.replay, "full model", count / bestFull.seconds, "events/s",
                   "decode + ledger + rules + encode, one core, best of \(configuration.replayRepeats)")
        report.add(.replay, "full model per event", bestFull.seconds * 1e9 / count, "ns")
        report.add(.replay, "outputs", Double(outputCount), "records")
        do {
            try measureReplayCommand(configuration, into: &report)
        } catch {
            report.add(.replay, "replay command", 0, "events/s", "failed: \(error)")
        }
    }

    /// What `stocksentry replay --input FILE` does: read NDJSON, split into tasks, merge, fold under
    /// one and under two policies and summarize (the report files' writing is left out).
    private static func measureReplayCommand(_ configuration: BenchmarkConfiguration, into report: inout BenchmarkReport) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stocksentry-bench-\(getpid()).ndjson").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var text: [UInt8] = []
        for record in LiveSessionGenerator(configuration: configuration.session) {
            text.append(contentsOf: LiveSessionGenerator.ndjsonLine(record).utf8)
            text.append(0x0A)
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(text)) else {
            throw StockSentryError(.io, "\(path): cannot write the benchmark's session file")
        }
        var secondPolicy = PolicySet.builtInDefault
        secondPolicy.allowedLatenessSeconds = 10
        var bestLoad = Duration.seconds(Int64.max / 2)
        var bestOne = Duration.seconds(Int64.max / 2)
        var bestTwo = Duration.seconds(Int64.max / 2)
        var records = 0
        for _ in 0..<max(1, configuration.replayRepeats) {
            var start = ContinuousClock.now
            let input = try ReplayInput.load(files: [path], partitionCount: configuration.partitions, topics: .init(), range: ReplayRange())
            bestLoad = min(bestLoad, start.duration(to: .now))
            records = input.recordCount
            var backtest = BacktestConfiguration()
            start = ContinuousClock.now
            _ = Backtest.run(input, configuration: backtest)
            bestOne = min(bestOne, start.duration(to: .now))
            backtest.policies = [.builtInDefault, BacktestPolicy(name: "late10", path: nil, policy: secondPolicy)]
            start = ContinuousClock.now
            _ = Backtest.run(input, configuration: backtest)
            bestTwo = min(bestTwo, start.duration(to: .now))
        }
        let count = Double(records)
        report.add(.replay, "replay command: read NDJSON", count / bestLoad.seconds, "events/s", "\(text.count / 1_048_576) MiB file, parse + split into tasks")
        report.add(.replay, "replay command: 1 policy", count / bestOne.seconds, "events/s", "merge + fold + report, after reading")
        report.add(.replay, "replay command: 2 policies", count / bestTwo.seconds, "events/s", "one pass, decoded once, two books per task")
    }
}

extension Duration {
    /// The span in seconds as a Double.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
