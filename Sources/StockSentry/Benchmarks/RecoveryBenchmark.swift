import EventLog
import Foundation
import Kafka
import Logging
import StockModel

/// Time to restore a task of N active SKUs from its data directory: from the newest snapshot
/// (plus the log after it), and by replaying the whole log, as `run --data-dir` does on assignment.
enum RecoveryBenchmark {
    static func run(_ configuration: BenchmarkConfiguration, into report: inout BenchmarkReport) async throws {
        let skus = max(1, configuration.recoverySKUs)
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("stocksentry-bench-recovery-\(getpid())").path
        try? FileManager.default.removeItem(atPath: directory)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "bench.recovery")
        let serviceConfiguration = StockSentryConfiguration(bootstrapServers: "unused")

        // Build the task the way `run` does: records through the merge, the book and the log.
        var task = TaskProcessor(partition: 0, configuration: serviceConfiguration)
        var discarded: [OutgoingRecord] = []
        try task.attachLog(directory: directory, logger: logger, into: &discarded)
        let finalCounts: [InputTopic: Int64] = [.inventory: Int64(skus), .orders: Int64(2 * skus), .carts: Int64(skus), .interactions: Int64(skus)]
        for (role, count) in finalCounts { task.updateHighWatermark(role, count) }
        var offsets: [InputTopic: Int64] = [:]
        func record(_ role: InputTopic, _ sku: String, _ json: String) -> KafkaRecord {
            let offset = offsets[role, default: 0]
            offsets[role] = offset + 1
            return KafkaRecord(topic: role.rawValue, partition: 0, offset: offset, timestampMilliseconds: nil,
                               key: Array(sku.utf8), value: Array(json.utf8))
        }
        let base: Int64 = 1_795_000_000_000
        let buildStart = ContinuousClock.now
        let chunk = 10_000
        for first in stride(from: 0, to: skus, by: chunk) {
            for index in first..<min(skus, first + chunk) {
                let sku = "SKU-\(index)"
                let ts = base + Int64(index) * 10
                task.accept(record(.inventory, sku, #"{"event_id":"i\#(index)","sku":"\#(sku)","kind":"set","qty":100,"ts":\#(ts),"tier":"profit"}"#), role: .inventory)
                task.accept(record(.carts, sku, #"{"event_id":"c\#(index)","sku":"\#(sku)","action":"add","qty":1,"ts":\#(ts + 1)}"#), role: .carts)
                task.accept(record(.interactions, sku, #"{"event_id":"l\#(index)","sku":"\#(sku)","kind":"like","ts":\#(ts + 2)}"#), role: .interactions)
                task.accept(record(.orders, sku, #"{"event_id":"oc\#(index)","order_id":"o\#(index)","sku":"\#(sku)","qty":1,"status":"created","ts":\#(ts + 3)}"#), role: .orders)
                task.accept(record(.orders, sku, #"{"event_id":"op\#(index)","order_id":"o\#(index)","sku":"\#(sku)","qty":1,"status":"paid","ts":\#(ts + 4)}"#), role: .orders)
            }
            try task.drain(now: .now, maximumRecords: .max, into: &discarded)
            discarded.removeAll(keepingCapacity: true)
            try await task.commitLog()
        }
        let records = Double(5 * skus)
        let buildSeconds = buildStart.duration(to: .now).seconds
        let logBytes = try directorySize(directory, suffix: ".log")

        // The whole log, as a task without a snapshot replays it; first, because the snapshot's
        // retention may delete the segments it covers.
        var replayed = TaskProcessor(partition: 0, configuration: serviceConfiguration)
        let replayStart = ContinuousClock.now
        _ = try replayed.foldOutputs(logDirectory: directory)
        let replaySeconds = replayStart.duration(to: .now).seconds
        report.add(.recovery, "replay of the whole log", replaySeconds, "s", "\(Int(records / replaySeconds)) records/s (decode + fold)")

        let snapshotStart = ContinuousClock.now
        try await task.snapshotIfDue(SnapshotSchedule(everyEvents: 1, everyInterval: .seconds(3_600)), now: .now)
        let snapshotSeconds = snapshotStart.duration(to: .now).seconds
        let snapshotBytes = try directorySize(directory, suffix: ".snapshot")
        // A log tail after the snapshot, as a task has when it stops between snapshots: a tenth of the
        // records logged so far, new paid orders spread over the SKUs.
        let tailRecords = max(1, skus / 2)
        for index in 0..<tailRecords {
            let sku = "SKU-\(index % skus)"
            let ts = base + Int64(skus) * 10 + Int64(index)
            task.accept(record(.orders, sku, #"{"event_id":"t\#(index)","order_id":"t\#(index)","sku":"\#(sku)","qty":1,"status":"paid","ts":\#(ts)}"#), role: .orders)
        }
        try task.drain(now: .now, maximumRecords: .max, into: &discarded)
        discarded.removeAll(keepingCapacity: true)
        try await task.commitLog()
        task.detachLog()
        report.add(.recovery, "task built", records, "records", "\(skus) SKUs × 5 records, logged at \(Int(records / buildSeconds)) records/s")
        report.add(.recovery, "log size", Double(logBytes) / 1_048_576, "MiB", "\(logBytes / Int(records)) bytes per record, before the snapshot's retention")
        report.add(.recovery, "snapshot", Double(snapshotBytes) / 1_048_576, "MiB", "\(snapshotBytes / skus) bytes per SKU, written in \(BenchmarkReport.format(snapshotSeconds)) s")

        // From the snapshot and the tail after it: what `run` does on assignment.
        var restored = TaskProcessor(partition: 0, configuration: serviceConfiguration)
        let restoreStart = ContinuousClock.now
        try restored.attachLog(directory: directory, logger: logger, into: &discarded)
        let restoreSeconds = restoreStart.duration(to: .now).seconds
        guard restored.book.ledgers.count == skus else {
            throw StockSentryError(.io, "bench recovery: restored \(restored.book.ledgers.count) SKUs, expected \(skus)")
        }
        report.add(.recovery, "restore from snapshot + tail", restoreSeconds, "s",
                   "\(skus) SKUs: read and decode the snapshot, replay the \(tailRecords) records logged after it, open the log")
    }

    private static func directorySize(_ directory: String, suffix: String) throws -> Int {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(suffix) }.reduce(0) { total, name in
            let attributes = try FileManager.default.attributesOfItem(atPath: "\(directory)/\(name)")
            return total + ((attributes[.size] as? NSNumber)?.intValue ?? 0)
        }
    }
}
