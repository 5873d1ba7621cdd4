#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Rebuilds a task from its directory: the newest valid snapshot, then the log after it.
///
/// ```swift
/// let recovery = try Recovery(directory: taskDirectory, configuration: configuration)
/// var state = try recovery.snapshot.map { try MyState(decoding: $0.state) } ?? MyState()
/// let report = try recovery.replay { record, payload in state.apply(try MyEvent(decoding: payload)) }
/// let writer = try LogWriter(directory: taskDirectory, resumingAt: report.endPosition, configuration: configuration)
/// // resume consuming at report.nextOffsets
/// ```
///
/// What it does with damage:
/// - a snapshot that fails its checks is reported in `rejectedSnapshots` and the next older one is
///   used, with a longer replay (retention keeps the segments every kept snapshot needs);
/// - a torn write at the end of the newest segment is cut: the segment is first copied aside to
///   `<segment>.broken` (`.broken.1`, `.broken.2`, … for later repairs; the newest 3 copies are kept),
///   then truncated at the end of the last valid frame and fsynced; the cut is
///   reported in `RecoveryReport.tornTail` with the bytes cut;
/// - any other bad frame throws `corrupted` with the segment path and byte offset: nothing is
///   skipped silently;
/// - with no valid snapshot, a log whose oldest segment does not start at position 0 throws
///   `missingSegments`: the beginning of the history is gone.
public struct Recovery {
    /// The task directory.
    public let directory: String
    /// The log's bounds.
    public let configuration: EventLogConfiguration
    /// The newest snapshot that passed its checks, or nil to rebuild from the start of the log.
    public let snapshot: Snapshot?
    /// One error per newer snapshot that failed its checks and was passed over.
    public let rejectedSnapshots: [EventLogError]

    /// Where replay starts: the snapshot's log position, or `.zero`.
    public var replayStart: LogPosition { snapshot?.logPosition ?? .zero }

    /// Picks the snapshot and checks that the log still holds what must be replayed after it.
    ///
    /// - Parameters:
    ///   - directory: The task directory; created when missing (a new task).
    ///   - configuration: The log's bounds.
    ///   - snapshotStore: Where snapshots live. Default: a `SnapshotStore` over `directory`.
    /// - Throws: `missingSegments` when the segments needed after the chosen snapshot are gone, or `io`.
    public init(directory: String, configuration: EventLogConfiguration, snapshotStore: SnapshotStore? = nil) throws {
        try LogFile.createDirectory(directory)
        let store = snapshotStore ?? SnapshotStore(directory: directory)
        let (snapshot, rejected) = try store.loadNewestValid()
        self.directory = directory
        self.configuration = configuration
        self.snapshot = snapshot
        self.rejectedSnapshots = rejected

        let segments = try Segment.list(in: directory)
        let start = snapshot?.logPosition ?? .zero
        if let oldest = segments.first, oldest.basePosition > start {
            let rejectedNote = rejected.isEmpty ? "" : " \(rejected.count) newer snapshot(s) failed their checks."
            throw EventLogError(
                code: .missingSegments,
                message: (snapshot == nil
                    ? "There is no valid snapshot and the oldest log segment starts at \(oldest.basePosition), not 0: "
                    : "The snapshot at \(start) needs the log from there, but the oldest segment starts at \(oldest.basePosition): ")
                    + "the records before were removed.\(rejectedNote) The state cannot be rebuilt from this directory; "
                    + "restore a snapshot, or delete the directory and rebuild the task from its input topics.",
                path: oldest.path)
        }
        if segments.isEmpty && start != .zero {
            throw EventLogError(
                code: .missingSegments,
                message: "The snapshot at \(start) needs the log from there, but there are no segments. Restore the "
                    + "directory, or delete it to rebuild the task from its inputs.",
                path: directory)
        }
    }

    /// Replays the log after the snapshot, cutting a torn tail of the newest segment.
    ///
    /// - Parameters:
    ///   - repairingTornTail: Whether to cut a torn tail (the default, before a `LogWriter` opens
    ///     the log). Pass false to look without changing anything, e.g. to inspect a directory:
    ///     the tail is then reported in `RecoveryReport.tornTail` with `isCut` false, replay
    ///     stops before it, and no writer may be opened on the result.
    ///   - body: Receives each record after `replayStart`, in order, with its payload (valid only
    ///     during the call).
    /// - Returns: What was replayed and repaired, the log's end and where to resume consuming.
    /// - Throws: `corrupted` (with path and offset) for a bad frame that is not a torn tail, or `io`.
    ///   Records already passed to `body` must then be discarded with the rest of the state.
    public func replay(
        repairingTornTail: Bool = true,
        _ body: (LogRecord, UnsafeRawBufferPointer) throws -> Void
    ) throws -> RecoveryReport {
        // Keyed by topic and partition while replaying; formatting "topic/partition" per record
        // would allocate a string for every record.
        struct Source: Hashable {
            var topic: String
            var partition: Int32
        }
        var replayedNextOffsets: [Source: Int64] = [:]
        var currentSource: Source?
        var currentNextOffset = Int64.min
        var recordCount = 0
        var tornTail: RecoveryReport.TornTail?
        let reader = LogReader(directory: directory, configuration: configuration)
        let start = replayStart
        let end = try reader.walk(
            from: start,
            onTornTail: { segment, file, offset, reason in
                if repairingTornTail {
                    tornTail = try Self.cutTornTail(segment: segment, file: file, offset: offset, reason: reason)
                } else {
                    tornTail = RecoveryReport.TornTail(
                        segmentPath: segment.path, byteOffset: offset, bytesCut: try file.size() - offset,
                        isCut: false, brokenCopyPath: nil, reason: reason)
                }
                return offset
            },
            { record, payload in
                try body(record, payload)
                recordCount += 1
                // Runs of records from one source are the common case: hash only when the source changes.
                if let current = currentSource, current.topic == record.source.topic,
                    current.partition == record.source.partition
                {
                    currentNextOffset = max(currentNextOffset, record.source.offset + 1)
                } else {
                    if let current = currentSource { replayedNextOffsets[current] = currentNextOffset }
                    let source = Source(topic: record.source.topic, partition: record.source.partition)
                    currentSource = source
                    currentNextOffset = max(replayedNextOffsets[source] ?? Int64.min, record.source.offset + 1)
                }
            })
        if let current = currentSource { replayedNextOffsets[current] = currentNextOffset }
        var nextOffsets = snapshot?.nextOffsets ?? [:]
        for (source, nextOffset) in replayedNextOffsets {
            let key = Snapshot.sourceKey(topic: source.topic, partition: source.partition)
            nextOffsets[key] = max(nextOffsets[key] ?? Int64.min, nextOffset)
        }
        return RecoveryReport(
            snapshotPosition: snapshot?.logPosition,
            rejectedSnapshots: rejectedSnapshots,
            replayStart: start,
            endPosition: end,
            replayedRecordCount: recordCount,
            tornTail: tornTail,
            nextOffsets: nextOffsets)
    }

    /// Copies of a segment kept by torn-tail repairs, newest first; older ones are removed.
    static let keptBrokenCopies = 3

    /// Copies the segment aside to `.broken`, truncates it at `offset` and syncs both; keeps the
    /// newest ``keptBrokenCopies`` copies of the segment.
    static func cutTornTail(segment: Segment, file: LogFile, offset: Int64, reason: String) throws -> RecoveryReport.TornTail {
        let size = try file.size()
        let directory = String(segment.path[..<(segment.path.lastIndex(of: "/") ?? segment.path.startIndex)])
        // Never overwrite the evidence of an earlier repair: the next number after the newest copy.
        let earlier = try Retention.brokenCopies(of: segment, in: directory.isEmpty ? "." : directory)
        let number = (earlier.last?.number ?? -1) + 1
        let brokenPath = segment.path + (number == 0 ? ".broken" : ".broken.\(number)")
        let copy = try LogFile.create(brokenPath, truncating: true)
        var copied: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while copied < size {
            let read = try chunk.withUnsafeMutableBytes { try file.read(into: $0, at: copied) }
            guard read > 0 else { break }
            try chunk.withUnsafeBytes { try copy.write(UnsafeRawBufferPointer(rebasing: $0[0..<read]), at: copied) }
            copied += Int64(read)
        }
        try copy.synchronize()
        try copy.close()
        try LogFile.synchronizeDirectory(directory.isEmpty ? "." : directory)
        let writable = try LogFile.openForWriting(segment.path)
        try writable.truncate(to: offset)
        try writable.synchronize()
        try writable.close()
        // Each repair copies the whole segment; repeated crashes must not fill the disk with them.
        for stale in (earlier + [(number, brokenPath)]).dropLast(keptBrokenCopies) {
            try LogFile.remove(stale.path)
        }
        return RecoveryReport.TornTail(
            segmentPath: segment.path, byteOffset: offset, bytesCut: size - offset, isCut: true, brokenCopyPath: brokenPath,
            reason: reason)
    }
}

/// What `Recovery.replay` found and did.
public struct RecoveryReport: Sendable, CustomStringConvertible {
    /// A torn tail found at the end of the newest segment, and cut unless replay was asked not to.
    public struct TornTail: Hashable, Sendable, CustomStringConvertible {
        /// The segment that was cut.
        public var segmentPath: String
        /// The offset in the segment where the valid frames end and the cut starts.
        public var byteOffset: Int64
        /// How many bytes were cut (or would be, when `isCut` is false).
        public var bytesCut: Int64
        /// Whether the segment was truncated.
        public var isCut: Bool
        /// Where the segment was copied before the cut; nil when it was not cut.
        public var brokenCopyPath: String?
        /// What was wrong with the first cut frame.
        public var reason: String

        /// One line for the log.
        public var description: String {
            guard isCut, let brokenCopyPath else {
                return "found (did not cut) a torn tail of \(bytesCut) bytes at offset \(byteOffset) of \(segmentPath) (\(reason))"
            }
            return "cut a torn tail of \(bytesCut) bytes at offset \(byteOffset) of \(segmentPath) (\(reason)); "
                + "the original is kept at \(brokenCopyPath)"
        }
    }

    /// The log position of the snapshot used, or nil when replay started at the beginning.
    public var snapshotPosition: LogPosition?
    /// One error per snapshot that failed its checks and was passed over.
    public var rejectedSnapshots: [EventLogError]
    /// Where replay started.
    public var replayStart: LogPosition
    /// The end of the log after recovery: open the `LogWriter` here.
    public var endPosition: LogPosition
    /// Records replayed after the snapshot.
    public var replayedRecordCount: Int
    /// The torn tail found (and cut, unless replay was asked not to), if there was one.
    public var tornTail: TornTail?
    /// Per source (`"topic/partition"`), the next offset to consume: the snapshot's offsets advanced
    /// past every replayed record.
    public var nextOffsets: [String: Int64]

    /// A summary for the log.
    public var description: String {
        var text = "recovered from "
            + (snapshotPosition.map { "snapshot at \($0)" } ?? "the start of the log")
            + ", replayed \(replayedRecordCount) records from \(replayStart) to \(endPosition)"
        if let tornTail { text += "; \(tornTail)" }
        for rejected in rejectedSnapshots { text += "; rejected snapshot: \(rejected.message) (\(rejected.path ?? "?"))" }
        return text
    }
}
