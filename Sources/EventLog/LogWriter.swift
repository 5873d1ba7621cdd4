/// Appends records to a task's log and makes them durable in batches (group commit).
///
/// ```swift
/// let writer = try LogWriter(directory: taskDirectory, resumingAt: report.endPosition, configuration: configuration)
/// for event in batch { try writer.append(source: event.source, payload: event.bytes) }
/// let durable = try writer.commit()   // one write + one fsync for the whole batch
/// // only now publish the batch's effects and commit its offsets
/// ```
///
/// `append` only encodes into a bounded in-memory buffer (`maximumPendingBytes`; beyond that the
/// bytes are written to the segment, still unsynced). `commit` writes what is pending and calls
/// fsync once; only then does `durablePosition` move. When a segment rolls in the middle of a
/// batch, the full segment is synced and closed, and the directory synced for the new file:
/// one extra fsync per roll, never per record.
///
/// After any I/O failure the writer refuses further use (`closed`): whether a failed write or
/// fsync left bytes on disk cannot be known (after a failed fsync, Linux may even drop the dirty
/// pages), so the only safe continuation is `Recovery` on a fresh open.
///
/// Not `Sendable`: one task's processing loop owns its writer. Opening it only with the end
/// position from `Recovery` guarantees it never appends after a torn tail.
public final class LogWriter {
    /// The task directory holding the segments.
    public let directory: String
    /// The configuration the writer was opened with.
    public let configuration: EventLogConfiguration

    private var segment: Segment
    private var file: LogFile?
    /// Bytes of the current segment already written to its file (synced or not).
    private var writtenSegmentBytes: Int64
    private var pending: [UInt8] = []
    private var pendingRecords = 0
    private var isBroken = false

    /// The end of the log as of the last successful `commit`: every record before it is on disk.
    public private(set) var durablePosition: LogPosition

    /// The end of the log including appended records not yet committed.
    public var endPosition: LogPosition {
        LogPosition(segment.basePosition.byteOffset + UInt64(writtenSegmentBytes) + UInt64(pending.count))
    }

    /// Records appended since the last `commit`.
    public var uncommittedRecordCount: Int { pendingRecords }

    /// Opens the log for appending at `endPosition`.
    ///
    /// - Parameters:
    ///   - directory: The task directory (created if missing, for a new task).
    ///   - endPosition: The end of the log from `RecoveryReport.endPosition`. A new, empty log
    ///     starts at `.zero`.
    ///   - configuration: Segment and record bounds.
    /// - Throws: `EventLogError` with code `corrupted` when the newest segment does not end at
    ///   `endPosition` (the log was not recovered, or changed since), or an I/O error.
    public init(directory: String, resumingAt endPosition: LogPosition, configuration: EventLogConfiguration) throws {
        self.directory = directory
        self.configuration = configuration
        try LogFile.createDirectory(directory)
        if let newest = try Segment.list(in: directory).last {
            let file = try LogFile.openForWriting(newest.path)
            let size = try file.size()
            guard newest.basePosition.byteOffset + UInt64(size) == endPosition.byteOffset else {
                throw EventLogError(
                    code: .corrupted,
                    message: "The log ends at position \(newest.basePosition.byteOffset + UInt64(size)), not at \(endPosition) "
                        + "as the caller expects. Open the writer with the end position from Recovery, and let only one "
                        + "process use a task directory.",
                    path: newest.path, byteOffset: size)
            }
            self.segment = newest
            self.file = file
            self.writtenSegmentBytes = size
        } else {
            guard endPosition == .zero else {
                throw EventLogError(
                    code: .missingSegments,
                    message: "The task directory holds no log segment, but the log should end at \(endPosition). "
                        + "Restore the directory, or delete it to rebuild the task from its inputs.",
                    path: directory)
            }
            let first = Segment(directory: directory, basePosition: .zero)
            self.file = try LogFile.create(first.path)
            try LogFile.synchronizeDirectory(directory)
            self.segment = first
            self.writtenSegmentBytes = 0
        }
        self.durablePosition = endPosition
    }

    /// Encodes one record into the current batch. Nothing is durable before `commit`.
    ///
    /// - Parameters:
    ///   - source: The Kafka position the record came from.
    ///   - payload: The record's bytes, opaque to the log.
    /// - Returns: The log position where the record starts.
    /// - Throws: `tooLarge` for a payload over `maximumRecordBytes` or a topic name over 255 bytes
    ///   (the writer stays usable); I/O errors when pending bytes spill to disk or a segment rolls.
    @discardableResult
    @inlinable
    public func append(source: SourcePosition, payload: some Collection<UInt8>) throws -> LogPosition {
        if let position = try payload.withContiguousStorageIfAvailable({
            try append(source: source, bytes: UnsafeRawBufferPointer($0))
        }) {
            return position
        }
        return try Array(payload).withUnsafeBytes { try append(source: source, bytes: $0) }
    }

    /// ``append(source:payload:)`` for bytes in memory: the non-generic body, so a caller in another
    /// module runs specialized code rather than generic witnesses per byte.
    @discardableResult
    public func append(source: SourcePosition, bytes payload: UnsafeRawBufferPointer) throws -> LogPosition {
        try checkUsable()
        guard payload.count <= configuration.maximumRecordBytes else {
            throw EventLogError(
                code: .tooLarge,
                message: "A record of \(payload.count) bytes from \(source) exceeds maximumRecordBytes "
                    + "(\(configuration.maximumRecordBytes)). Raise the limit or reject the event upstream.",
                path: segment.path)
        }
        let topicBytes = source.topic.utf8.count
        guard topicBytes <= RecordFrame.maximumTopicBytes else {
            throw EventLogError(
                code: .tooLarge,
                message: "Topic name of \(topicBytes) bytes exceeds \(RecordFrame.maximumTopicBytes) bytes.",
                path: segment.path)
        }
        let frameBytes = RecordFrame.frameBytes(topicBytes: topicBytes, payloadBytes: payload.count)
        let segmentBytes = writtenSegmentBytes + Int64(pending.count)
        if segmentBytes > 0 && segmentBytes + Int64(frameBytes) > Int64(configuration.maximumSegmentBytes) {
            try guardFailures { try rollSegment() }
        }
        let position = endPosition
        RecordFrame.append(source: source, bytes: payload, to: &pending)
        pendingRecords += 1
        if pending.count >= configuration.maximumPendingBytes {
            try guardFailures { try writePending() }
        }
        return position
    }

    /// Writes the batch and syncs it with one fsync, then reports the new durable end.
    ///
    /// - Returns: `durablePosition`: every record appended so far is on disk before it.
    /// - Throws: `diskFull` or `io`; the batch is then not durable and the writer is closed.
    @discardableResult
    public func commit() throws -> LogPosition {
        try checkUsable()
        let end = endPosition
        guard end != durablePosition else { return durablePosition }
        try guardFailures {
            try writePending()
            try file!.synchronize()
        }
        durablePosition = end
        pendingRecords = 0
        return durablePosition
    }

    /// Commits what is pending and closes the segment file.
    /// - Throws: As `commit`.
    public func close() throws {
        guard !isBroken, file != nil else { return }
        try commit()
        try guardFailures { try file?.close() }
        file = nil
    }

    private func checkUsable() throws {
        guard !isBroken, file != nil else {
            throw EventLogError(
                code: .closed,
                message: isBroken
                    ? "The writer failed earlier and refuses further use. Reopen the task through Recovery."
                    : "The writer was closed.",
                path: segment.path)
        }
    }

    /// Marks the writer broken when `body` throws: the file's state is then unknown.
    private func guardFailures(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch {
            isBroken = true
            pending = []
            throw error
        }
    }

    private func writePending() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try file!.write($0, at: writtenSegmentBytes) }
        writtenSegmentBytes += Int64(pending.count)
        pending.removeAll(keepingCapacity: true)
    }

    private func rollSegment() throws {
        try writePending()
        try file!.synchronize()
        try file!.close()
        let next = Segment(directory: directory, basePosition: endPosition)
        file = try LogFile.create(next.path)
        try LogFile.synchronizeDirectory(directory)
        segment = next
        writtenSegmentBytes = 0
    }
}
