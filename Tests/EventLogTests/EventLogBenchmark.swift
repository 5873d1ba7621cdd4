import Foundation
import Testing

import EventLog

/// Throughput of the log, run by hand (not a timed unit test; skipped unless asked for):
///
///     EVENTLOG_BENCHMARK=1 swift test -c release --filter EventLogBenchmark
///
/// Set `EVENTLOG_BENCHMARK_DIR` to measure on another file system than the temporary directory's.
@Suite struct EventLogBenchmark {
    static let isRequested = ProcessInfo.processInfo.environment["EVENTLOG_BENCHMARK"] != nil

    @Test("benchmark: 1M 100-byte records, one fsync per 1,000-record batch, then read back", .enabled(if: isRequested))
    func appendCommitAndRead() throws {
        let recordCount = 1_000_000
        let batchRecords = 1_000
        let payload = [UInt8](repeating: 0x61, count: 100)
        let parent = ProcessInfo.processInfo.environment["EVENTLOG_BENCHMARK_DIR"] ?? NSTemporaryDirectory()
        let directory = parent + "/eventlog-benchmark-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let configuration = EventLogConfiguration()
        let clock = ContinuousClock()

        let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
        var source = SourcePosition(topic: "orders", partition: 0, offset: 0)
        var batchLatencies: [Duration] = []
        let writeStart = clock.now
        for batch in 0..<(recordCount / batchRecords) {
            let batchStart = clock.now
            for index in 0..<batchRecords {
                source.offset = Int64(batch * batchRecords + index)
                try writer.append(source: source, payload: payload)
            }
            try writer.commit()
            batchLatencies.append(batchStart.duration(to: clock.now))
        }
        let writeTime = writeStart.duration(to: clock.now)
        try writer.close()
        let logBytes = writer.durablePosition.byteOffset

        var readRecords = 0
        var payloadBytes = 0
        let readStart = clock.now
        try LogReader(directory: directory, configuration: configuration).forEachRecord { _, payload in
            readRecords += 1
            payloadBytes += payload.count
        }
        let readTime = readStart.duration(to: clock.now)

        let recoveryStart = clock.now
        let report = try Recovery(directory: directory, configuration: configuration).replay { _, _ in }
        let recoveryTime = recoveryStart.duration(to: clock.now)

        #expect(readRecords == recordCount)
        #expect(payloadBytes == recordCount * 100)
        #expect(report.replayedRecordCount == recordCount)

        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        batchLatencies.sort()
        let median = seconds(batchLatencies[batchLatencies.count / 2]) * 1000
        let p99 = seconds(batchLatencies[batchLatencies.count * 99 / 100]) * 1000
        let megabytes = Double(logBytes) / 1_048_576
        print("""
            EventLog benchmark: \(recordCount) records of 100 bytes from "orders", batches of \(batchRecords), in \(directory)
              on disk: \(logBytes) bytes = \(logBytes / UInt64(recordCount)) bytes per record (\(logBytes / UInt64(recordCount) - 100) overhead)
              append+commit: \(String(format: "%.2f", seconds(writeTime))) s = \(Int(Double(recordCount) / seconds(writeTime))) records/s, \
            \(String(format: "%.1f", megabytes / seconds(writeTime))) MiB/s; per batch median \(String(format: "%.2f", median)) ms, \
            p99 \(String(format: "%.2f", p99)) ms
              read back: \(String(format: "%.3f", seconds(readTime))) s = \(Int(Double(recordCount) / seconds(readTime))) records/s, \
            \(String(format: "%.0f", megabytes / seconds(readTime))) MiB/s
              recovery (scan + CRC of every frame, no snapshot): \(String(format: "%.3f", seconds(recoveryTime))) s
            """)
    }
}
