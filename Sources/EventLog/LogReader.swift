/// Streams a task's log from a position, one segment and one bounded chunk at a time.
///
/// Memory is one read buffer of `readChunkBytes` (grown only for a frame larger than that, up to
/// `maximumRecordBytes` plus a header) — never a whole segment. Payloads are handed to the
/// closure as an `UnsafeRawBufferPointer` into that buffer: zero-copy, valid only during the
/// call. Decode the payload there, or copy it (`Array(payload)`) to keep it. A closure-scoped
/// pointer rather than an escaping slice keeps the hot path free of allocations and copies, and
/// the lifetime rule is the same as `withUnsafeBytes`.
///
/// The reader trusts nothing it reads: every frame is checked (length bounds, CRC-32C). A bad
/// frame throws `corrupted` with the segment path and byte offset; a torn write at the end of the
/// newest segment throws `tornTail` (open the log through `Recovery`, which cuts it).
///
/// Not `Sendable`; use one reader per task and thread.
public final class LogReader {
    /// The task directory holding the segments.
    public let directory: String
    /// The configuration the reader uses for its bounds.
    public let configuration: EventLogConfiguration

    /// A reader over the segments in `directory`.
    public init(directory: String, configuration: EventLogConfiguration) {
        self.directory = directory
        self.configuration = configuration
    }

    /// Calls `body` for each record from `start` to the end of the log, in order.
    ///
    /// - Parameters:
    ///   - start: A record boundary: `.zero`, a snapshot's `logPosition`, or a `LogRecord.nextPosition`.
    ///   - body: Receives each record and its payload. The payload pointer must not escape the call.
    ///     Throwing from `body` stops the read and rethrows.
    /// - Returns: The end of the log (the position after the last record).
    /// - Throws: `EventLogError` with code `corrupted`, `tornTail`, `missingSegments` or `io`.
    @discardableResult
    public func forEachRecord(
        from start: LogPosition = .zero,
        _ body: (LogRecord, UnsafeRawBufferPointer) throws -> Void
    ) throws -> LogPosition {
        try walk(from: start, onTornTail: { segment, _, offset, reason in
            throw EventLogError(
                code: .tornTail,
                message: "The newest segment ends in a torn write (\(reason)). Open the task through Recovery, which cuts it.",
                path: segment.path, byteOffset: offset)
        }, body)
    }

    /// Walks the segments from `start`. `onTornTail` decides about a torn write in the newest
    /// segment and returns the segment offset where the log then ends; any other bad frame throws.
    func walk(
        from start: LogPosition,
        onTornTail: (Segment, LogFile, Int64, String) throws -> Int64,
        _ body: (LogRecord, UnsafeRawBufferPointer) throws -> Void
    ) throws -> LogPosition {
        let segments = try Segment.list(in: directory)
        guard !segments.isEmpty else {
            guard start == .zero else {
                throw EventLogError(
                    code: .missingSegments,
                    message: "The task directory holds no log segment, but reading should start at \(start). "
                        + "Restore the directory, or delete it to rebuild the task from its inputs.",
                    path: directory)
            }
            return .zero
        }
        guard let first = segments.lastIndex(where: { $0.basePosition <= start }) else {
            throw EventLogError(
                code: .missingSegments,
                message: "Position \(start) lies before the oldest segment (\(segments[0].basePosition)): the segments "
                    + "it needs were removed. Recover from a newer snapshot, or rebuild the task from its inputs.",
                path: segments[0].path)
        }
        var end = start
        for index in first..<segments.count {
            let segment = segments[index]
            let base = segment.basePosition.byteOffset
            if index > first && segment.basePosition != end {
                throw EventLogError(
                    code: .missingSegments,
                    message: "The log has a gap: the previous segment ends at \(end) but the next starts at "
                        + "\(segment.basePosition). A segment was removed or truncated by hand; restore it, or rebuild "
                        + "the task from its inputs.",
                    path: segment.path)
            }
            let file = try LogFile.openForReading(segment.path)
            let scanner = SegmentScanner(file: file, configuration: configuration)
            let startOffset = index == first ? Int64(start.byteOffset - base) : 0
            let outcome = try scanner.scan(from: startOffset) { offset, frameBytes, source, payload in
                let position = LogPosition(base + UInt64(offset))
                let record = LogRecord(
                    position: position, nextPosition: LogPosition(position.byteOffset + UInt64(frameBytes)), source: source)
                try body(record, payload)
            }
            switch outcome {
            case .endOfFile(let offset):
                end = LogPosition(base + UInt64(offset))
            case .badFrame(let offset, let reason, let looksTorn):
                if looksTorn && index == segments.count - 1 {
                    let cut = try onTornTail(segment, file, offset, reason)
                    end = LogPosition(base + UInt64(cut))
                } else {
                    let where_ = index == segments.count - 1 ? "does not look like a torn write" : "is not in the newest segment"
                    throw EventLogError(
                        code: .corrupted,
                        message: "Bad record frame: \(reason); it \(where_), so it is not cut. The task must stop: keep "
                            + "the directory for inspection, then restore it from a copy or rebuild the task from its inputs.",
                        path: segment.path, byteOffset: offset)
                }
            }
        }
        return end
    }
}
