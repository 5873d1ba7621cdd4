import Dispatch
import EventLog
import Foundation
import Kafka
import Logging

/// The durable log of one task: every input record the task processed, in merge order, so that
/// the task's state is a fold of the log (DESIGN.md "Durability and delivery").
///
/// A batch's records are appended while it is processed and made durable with one fsync
/// (``commit()``) before the batch's outputs are published or its offsets stored. On assignment
/// the task replays its log instead of re-deriving the merge order from the topics.
///
/// `@unchecked Sendable` because it owns a non-`Sendable` `LogWriter`: one `TaskProcessor` owns a
/// `TaskLog`, appends to it only from the processing loop, and awaits each ``commit()``, whose
/// blocking write and fsync run on `queue`; so the writer is never used from two threads at once.
final class TaskLog: @unchecked Sendable {
    let directory: String
    private let writer: LogWriter
    /// Held for as long as this log is open.
    private let lock: TaskDirectoryLock
    private let queue: DispatchQueue
    private var payloadScratch: [UInt8] = []

    private init(directory: String, writer: LogWriter, lock: TaskDirectoryLock) {
        self.directory = directory
        self.writer = writer
        self.lock = lock
        self.queue = DispatchQueue(label: "stocksentry.tasklog.\(directory)")
    }

    /// The directory of task `partition` of `group` under `dataDirectory`.
    static func directory(dataDirectory: String, groupID: String, partition: Int32) -> String {
        "\(dataDirectory)/\(groupID)/task-\(partition)"
    }

    /// Opens (creating if needed) the task's log, handing every logged record to `replay` in order
    /// first. A torn last record is cut and reported; corruption anywhere else throws. The task
    /// directory stays locked against other processes until the log is released; another holder is
    /// waited for up to `lockWait`.
    static func open(
        directory: String, logger: Logger, lockWait: Duration = .seconds(15),
        restore: (Snapshot) throws -> Void, replay: (LoggedRecord) throws -> Void
    ) throws -> TaskLog {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StockSentryError(.io, "cannot create the task log directory \(directory): \(error); check --data-dir is writable")
        }
        let lock = try TaskDirectoryLock.acquire(directory: directory, wait: lockWait)
        guard let report = try read(directory: directory, repairingTornTail: true, restore: restore, replay) else {
            throw StockSentryError(.io, "task log \(directory): recovery produced no report")
        }
        for rejected in report.rejectedSnapshots {
            logger.warning("task log: skipped a snapshot that failed its checks; replaying more of the log instead",
                           metadata: ["error": .string("\(rejected)")])
        }
        if let torn = report.tornTail {
            logger.warning("task log: cut a torn last record", metadata: ["tornTail": .string("\(torn)")])
        }
        logger.info("task log recovered", metadata: [
            "directory": .string(directory), "records": .stringConvertible(report.replayedRecordCount),
            "snapshot": .string(report.snapshotPosition.map { "at \($0)" } ?? "none"),
        ])
        do {
            let writer = try LogWriter(directory: directory, resumingAt: report.endPosition, configuration: EventLogConfiguration())
            return TaskLog(directory: directory, writer: writer, lock: lock)
        } catch {
            throw StockSentryError(.io, "task log \(directory) cannot be opened for writing: \(error)", cause: error as? EventLogError)
        }
    }

    /// Hands every record of the log in `directory` to `body`, in order. Without
    /// `repairingTornTail` nothing on disk changes (for `inspect` and `log dump`).
    ///
    /// With `useSnapshots` the newest valid snapshot is handed to `restore` first and only the
    /// records after it follow (retention may have removed the earlier ones); without it the whole
    /// log is read from its start.
    @discardableResult
    static func read(
        directory: String, repairingTornTail: Bool, useSnapshots: Bool = true,
        restore: (Snapshot) throws -> Void, _ body: (LoggedRecord) throws -> Void
    ) throws -> RecoveryReport? {
        do {
            guard useSnapshots else {
                // Recovery always consults the directory's snapshots; a whole-log read walks the segments.
                let reader = LogReader(directory: directory, configuration: EventLogConfiguration())
                try reader.forEachRecord(from: .zero) { record, payload in
                    try body(try LoggedRecord(source: record.source, payload: payload, at: record.position))
                }
                return nil
            }
            let recovery = try Recovery(directory: directory, configuration: EventLogConfiguration())
            if let snapshot = recovery.snapshot { try restore(snapshot) }
            return try recovery.replay(repairingTornTail: repairingTornTail) { record, payload in
                try body(try LoggedRecord(source: record.source, payload: payload, at: record.position))
            }
        } catch let error as StockSentryError {
            throw error
        } catch {
            throw StockSentryError(.io, "task log \(directory) cannot be read: \(error); the task stops rather than skip data (move the directory aside to rebuild it from the input topics)",
                                   cause: error as? EventLogError)
        }
    }

    /// The offset after the last record the log in `directory` holds, per source (``Snapshot/sourceKey(topic:partition:)``):
    /// the newest valid snapshot's positions, advanced by the records logged after it. Read only;
    /// nil when there is no log yet. Consumption resumes here on assignment instead of at the
    /// group's committed offsets, which lag behind the log by up to a commit interval.
    static func nextOffsets(directory: String) throws -> [String: Int64]? {
        guard FileManager.default.fileExists(atPath: directory) else { return nil }
        var offsets: [String: Int64] = [:]
        try read(directory: directory, repairingTornTail: false, restore: { snapshot in
            offsets = snapshot.nextOffsets
        }) { logged in
            let key = Snapshot.sourceKey(topic: logged.record.topic, partition: logged.record.partition)
            offsets[key] = max(offsets[key] ?? 0, logged.record.offset + 1)
        }
        return offsets.isEmpty ? nil : offsets
    }

    /// Buffers `record` for the next commit.
    func append(_ record: KafkaRecord) throws {
        // One buffer for every record: the writer copies the payload into its pending batch.
        payloadScratch.removeAll(keepingCapacity: true)
        LoggedRecord.encode(key: record.key, timestampMilliseconds: record.timestampMilliseconds, value: record.value,
                            into: &payloadScratch)
        do {
            try writer.append(source: SourcePosition(topic: record.topic, partition: record.partition, offset: record.offset),
                              payload: payloadScratch)
        } catch {
            throw StockSentryError(.io, "task log \(directory): appending \(record.topic)[\(record.partition)]@\(record.offset) failed: \(error)",
                                   cause: error as? EventLogError)
        }
    }

    /// True when records were appended since the last commit.
    var hasPendingRecords: Bool { writer.uncommittedRecordCount > 0 }

    /// Writes a snapshot of `state` at the durable end of the log, then removes the segments no
    /// retained snapshot needs; off the cooperative pool. Call right after ``commit()``.
    func snapshot(state: [UInt8], nextOffsets: [String: Int64]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    let store = SnapshotStore(directory: self.directory)
                    try store.write(Snapshot(logPosition: self.writer.durablePosition, nextOffsets: nextOffsets, state: state))
                    try Retention.removeUnneededSegments(directory: self.directory, snapshotStore: store)
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: StockSentryError(
                        .io, "task log \(self.directory): snapshot failed: \(error); recovery replays more of the log instead",
                        cause: error as? EventLogError))
                }
            }
        }
    }

    /// Writes and fsyncs what was appended, off the cooperative pool.
    func commit() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                do {
                    _ = try self.writer.commit()
                    continuation.resume()
                } catch {
                    continuation.resume(throwing: StockSentryError(
                        .io, "task log \(self.directory): commit failed: \(error); nothing of this batch was published",
                        cause: error as? EventLogError))
                }
            }
        }
    }
}

/// One input record as the task log keeps it: where it came from, its key, timestamp and value,
/// so replay decodes it exactly as the live run did.
///
/// Payload layout (little-endian): flags `u8` (bit 0: has key, bit 1: has timestamp), timestamp
/// `i64` when present, key length `u32` and key bytes when present, then the value bytes.
struct LoggedRecord: Sendable {
    var record: KafkaRecord

    static func encode(key: [UInt8]?, timestampMilliseconds: Int64?, value: [UInt8], into out: inout [UInt8]) {
        out.reserveCapacity(out.count + 1 + 8 + 4 + (key?.count ?? 0) + value.count)
        out.append((key == nil ? 0 : 1) | (timestampMilliseconds == nil ? 0 : 2))
        if let timestampMilliseconds {
            withUnsafeBytes(of: timestampMilliseconds.littleEndian) { out.append(contentsOf: $0) }
        }
        if let key {
            withUnsafeBytes(of: UInt32(key.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: key)
        }
        out.append(contentsOf: value)
    }

    init(source: SourcePosition, payload: UnsafeRawBufferPointer, at position: LogPosition) throws {
        func corrupt(_ what: String) -> StockSentryError {
            StockSentryError(.io, "task log record at position \(position) (\(source)): \(what)")
        }
        guard let flags = payload.first else { throw corrupt("empty payload") }
        var index = 1
        var timestamp: Int64?
        if flags & 2 != 0 {
            guard payload.count >= index + 8 else { throw corrupt("payload ends inside its timestamp") }
            timestamp = Int64(littleEndian: payload.loadUnaligned(fromByteOffset: index, as: Int64.self))
            index += 8
        }
        var key: [UInt8]?
        if flags & 1 != 0 {
            guard payload.count >= index + 4 else { throw corrupt("payload ends inside its key length") }
            let length = Int(UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
            index += 4
            guard payload.count >= index + length else { throw corrupt("key of \(length) bytes runs past the payload") }
            key = Array(payload[index..<(index + length)])
            index += length
        }
        record = KafkaRecord(topic: source.topic, partition: source.partition, offset: source.offset,
                             timestampMilliseconds: timestamp, key: key, value: Array(payload[index...]))
    }
}
