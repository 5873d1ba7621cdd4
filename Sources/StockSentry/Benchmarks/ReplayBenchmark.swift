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
    }
}

extension Duration {
    /// The span in seconds as a Double.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
