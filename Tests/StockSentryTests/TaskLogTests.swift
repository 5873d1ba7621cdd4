import EventLog
import Foundation
import Kafka
import Logging
import StockModel
import Testing

@testable import StockSentry

@Suite struct TaskLogTests {
    static let records: [(String, InputTopic, String)] = [
        ("inventory", .inventory, #"{"event_id":"i1","sku":"SKU-A","kind":"set","qty":10,"ts":1000}"#),
        ("orders", .orders, #"{"event_id":"o1","order_id":"o1","sku":"SKU-A","qty":9,"status":"paid","ts":2000}"#),
        ("orders", .orders, #"{"event_id":"bad","order_id":"o2","sku":"SKU-A","qty":-1,"status":"paid","ts":2500}"#),
        ("orders", .orders, #"{"event_id":"o3","order_id":"o3","sku":"SKU-A","qty":1,"status":"paid","ts":3000}"#),
    ]

    static func kafkaRecords() -> [(KafkaRecord, InputTopic)] {
        var offsets: [InputTopic: Int64] = [:]
        return records.map { topic, role, json in
            let offset = offsets[role, default: 0]
            offsets[role] = offset + 1
            return (KafkaRecord(topic: topic, partition: 0, offset: offset, timestampMilliseconds: 1, key: Array("SKU-A".utf8),
                                value: Array(json.utf8)), role)
        }
    }

    static func freshTask() -> TaskProcessor {
        var task = TaskProcessor(partition: 0, configuration: StockSentryConfiguration(bootstrapServers: "unused:9092"))
        for role in InputTopic.allCases {
            task.updateHighWatermark(role, role == .inventory ? 1 : role == .orders ? 3 : 0)
            task.setRestoreBoundary(role, committedOffset: nil)
        }
        return task
    }

    static func directory() throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tasklog-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a task that replays its log has the state of the live run and republishes only past the committed offsets")
    func replayRestoresState() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var live = Self.freshTask()
        var liveOutputs: [OutgoingRecord] = []
        try live.attachLog(directory: directory, logger: .init(label: "test"), into: &liveOutputs)
        for (record, role) in Self.kafkaRecords() { live.accept(record, role: role) }
        try live.drain(now: .now, maximumRecords: .max, into: &liveOutputs)
        try await live.commitLog()
        #expect(liveOutputs.map(\.topic) == ["stock-alerts", "stock-deadletter", "stock-alerts", "stock-commands"])
        live.detachLog()

        // Restart: the group had committed inventory@1 and orders@2 (o1 and the bad record), so
        // only orders@2 (o3: critical + freeze) may have been lost in flight.
        var restarted = Self.freshTask()
        restarted.setRestoreBoundary(.inventory, committedOffset: 1)
        restarted.setRestoreBoundary(.orders, committedOffset: 2)
        var replayOutputs: [OutgoingRecord] = []
        try restarted.attachLog(directory: directory, logger: .init(label: "test"), into: &replayOutputs)
        #expect(replayOutputs == Array(liveOutputs.suffix(2)), "the outputs of uncommitted records are published again, identical")
        #expect(restarted.book.ledger(for: "SKU-A") == live.book.ledger(for: "SKU-A"))
        #expect(restarted.processedPositions == live.processedPositions)

        // The consumer re-reads from the beginning: records the log holds are skipped.
        for (record, role) in Self.kafkaRecords() { restarted.accept(record, role: role) }
        var afterOutputs: [OutgoingRecord] = []
        #expect(try restarted.drain(now: .now, maximumRecords: .max, into: &afterOutputs) == 0)
        #expect(afterOutputs.isEmpty)
    }

    @Test("a task directory is locked while its log is open; a second owner waits, then is refused with the holder's pid")
    func directoryLock() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let logger = Logger(label: "test")
        var first: TaskLog? = try TaskLog.open(directory: directory, logger: logger, restore: { _ in }, replay: { _ in })
        let error = try #require(throws: StockSentryError.self) {
            _ = try TaskLog.open(directory: directory, logger: logger, lockWait: .milliseconds(200), restore: { _ in }, replay: { _ in })
        }
        #expect(error.message.contains("in use by another process (pid \(getpid()))"), "\(error.message)")
        #expect(first != nil)
        first = nil
        let second = try TaskLog.open(directory: directory, logger: logger, lockWait: .milliseconds(200), restore: { _ in }, replay: { _ in })
        #expect(second.directory == directory, "released with the first log, so the next owner gets it")
        #expect(try TaskLog.nextOffsets(directory: directory) == nil, "an empty log resumes nowhere: its partitions start from the beginning")
    }

    @Test("a corrupt task log record is reported with its position, not skipped")
    func corruptPayloadIsReported() throws {
        let bytes: [UInt8] = [0b11, 1, 2]  // claims a timestamp but ends inside it
        #expect {
            try bytes.withUnsafeBytes { buffer in
                _ = try LoggedRecord(source: .init(topic: "orders", partition: 0, offset: 7), payload: buffer, at: .init(64))
            }
        } throws: { "\($0)".contains("position 64") && "\($0)".contains("timestamp") }
    }

    @Test("a task restored from a snapshot plus the log after it has the state of a full replay")
    func snapshotThenTail() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let records = Self.kafkaRecords()
        var live = Self.freshTask()
        var outputs: [OutgoingRecord] = []
        try live.attachLog(directory: directory, logger: .init(label: "test"), into: &outputs)
        // The first two records, a snapshot, then the rest.
        for (record, role) in records.prefix(2) { live.accept(record, role: role) }
        live.updateHighWatermark(.orders, 1)
        try live.drain(now: .now, maximumRecords: .max, into: &outputs)
        try await live.commitLog()
        try await live.snapshotIfDue(SnapshotSchedule(everyEvents: 1, everyInterval: .seconds(3_600)), now: .now)
        #expect(FileManager.default.fileExists(atPath: directory + "/00000000000000000000.log"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).contains { $0.hasSuffix(".snapshot") })
        live.updateHighWatermark(.orders, 3)
        for (record, role) in records.dropFirst(2) { live.accept(record, role: role) }
        try live.drain(now: .now, maximumRecords: .max, into: &outputs)
        try await live.commitLog()
        live.detachLog()

        var restored = Self.freshTask()
        for role in InputTopic.allCases { restored.setRestoreBoundary(role, committedOffset: .max) }
        var none: [OutgoingRecord] = []
        try restored.attachLog(directory: directory, logger: .init(label: "test"), into: &none)
        #expect(none.isEmpty)
        #expect(restored.book.ledger(for: "SKU-A") == live.book.ledger(for: "SKU-A"))
        #expect(restored.book.snapshotBytes() == live.book.snapshotBytes(), "the whole book, not just the ledger")
        #expect(restored.processedPositions == live.processedPositions)
    }
}
