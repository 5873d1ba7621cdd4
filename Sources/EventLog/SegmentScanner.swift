/// Walks the frames of one segment file in bounded chunks, calling a closure for each valid frame.
///
/// The scanner decides nothing about what a bad frame means: it returns where the valid frames end
/// and, if it stopped early, why and whether the damage looks like a torn write. `Recovery` and
/// `LogReader` decide (cut it, or throw).
struct SegmentScanner {
    /// How a scan ended.
    enum End {
        /// Every frame up to the end of the file was valid.
        case endOfFile(offset: Int64)
        /// The frame at `offset` is not valid.
        case badFrame(offset: Int64, reason: String, looksTorn: Bool)
    }

    /// Bytes of a disk sector: a torn write leaves whole sectors unwritten (zero).
    static let sectorBytes: Int64 = 512

    let file: LogFile
    let configuration: EventLogConfiguration

    /// Scans from `startOffset` (a frame boundary) to the end of the file.
    ///
    /// - Parameter body: Called for each valid frame with its offset in the segment, its source and
    ///   its payload. The payload points into the read buffer: it is valid only during the call.
    func scan(
        from startOffset: Int64,
        _ body: (_ offset: Int64, _ frameBytes: Int, _ source: SourcePosition, _ payload: UnsafeRawBufferPointer) throws -> Void
    ) throws -> End {
        let fileSize = try file.size()
        guard startOffset <= fileSize else {
            throw EventLogError(
                code: .corrupted,
                message: "Position \(startOffset) lies beyond the end of the segment (\(fileSize) bytes): the log is "
                    + "shorter than a snapshot or caller expects. Keep the directory for inspection; restore it from a copy.",
                path: file.path, byteOffset: startOffset)
        }
        var buffer = [UInt8](repeating: 0, count: configuration.readChunkBytes)
        var bufferFileOffset = startOffset  // file offset of buffer[0]
        var filled = 0
        var cursor = 0
        let maximumFrameBytes = configuration.maximumFrameBytes

        while true {
            let frameOffset = bufferFileOffset + Int64(cursor)
            if frameOffset == fileSize { return .endOfFile(offset: frameOffset) }
            enum Step { case advance(Int), refill(Int), stop(End) }
            let step: Step = try buffer.withUnsafeBytes { raw in
                let window = UnsafeRawBufferPointer(rebasing: raw[cursor..<filled])
                switch RecordFrame.parse(window, maximumFrameBytes: maximumFrameBytes) {
                case .frame(let parsed):
                    try body(frameOffset, parsed.frameBytes, parsed.source, UnsafeRawBufferPointer(rebasing: window[parsed.payloadRange]))
                    return .advance(parsed.frameBytes)
                case .needMoreBytes(let frameBytes):
                    // Either fewer bytes than a header remain, or a checked header promises more bytes
                    // than the file holds: the write of this frame was cut short.
                    if frameOffset + Int64(frameBytes) > fileSize {
                        return .stop(.badFrame(
                            offset: frameOffset,
                            reason: "a frame of \(frameBytes) bytes starts \(fileSize - frameOffset) bytes before the end of the file",
                            looksTorn: true))
                    }
                    return .refill(frameBytes)
                case .zeroHeader:
                    return .stop(.badFrame(offset: frameOffset, reason: "zero-filled header (unwritten space)", looksTorn: true))
                case .invalid(.unsupportedVersion(let version)):
                    throw EventLogError(
                        code: .unsupportedVersion,
                        message: "Frame format version \(version) was written by a newer StockSentry; this build reads "
                            + "version \(RecordFrame.formatVersion). Run the newer version, or rebuild the task from its inputs.",
                        path: file.path, byteOffset: frameOffset)
                case .invalid(let problem):
                    // Only a checksum mismatch next to unwritten (zero) sectors is a torn write.
                    var checkedBytes: Int?
                    switch problem {
                    case .headerChecksumMismatch: checkedBytes = RecordFrame.headerBytes
                    case .bodyChecksumMismatch:
                        let length = Int(window.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian)
                        checkedBytes = RecordFrame.paddedBytes(length)
                    default: checkedBytes = nil
                    }
                    let looksTorn = try checkedBytes.map {
                        try containsUnwrittenSector(frameOffset: frameOffset, frameBytes: $0, fileSize: fileSize)
                    } ?? false
                    return .stop(.badFrame(offset: frameOffset, reason: problem.description, looksTorn: looksTorn))
                }
            }
            switch step {
            case .advance(let bytes):
                cursor += bytes
            case .stop(let end):
                return end
            case .refill(let frameBytes):
                // Move the unread bytes to the front, grow only for a frame larger than a chunk, then read.
                if cursor > 0 {
                    buffer.withUnsafeMutableBytes { raw in
                        raw.baseAddress!.copyMemory(from: raw.baseAddress! + cursor, byteCount: filled - cursor)
                    }
                    bufferFileOffset += Int64(cursor)
                    filled -= cursor
                    cursor = 0
                }
                if frameBytes > buffer.count { buffer.append(contentsOf: repeatElement(0, count: frameBytes - buffer.count)) }
                let wanted = min(buffer.count - filled, Int(fileSize - (bufferFileOffset + Int64(filled))))
                let read = try buffer.withUnsafeMutableBytes { raw in
                    try file.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled..<(filled + wanted)]), at: bufferFileOffset + Int64(filled))
                }
                guard read == wanted, read > 0 else {
                    throw EventLogError(
                        code: .io,
                        message: "The segment shrank while it was being read (expected \(wanted) more bytes, got \(read)). "
                            + "Only one process may open a task directory at a time.",
                        path: file.path, byteOffset: bufferFileOffset + Int64(filled))
                }
                filled += read
            }
        }
    }

    /// True when some sector-sized stretch of the frame reads as zeros: a whole 512-byte sector, or
    /// at least 8 bytes from a sector boundary to the end of the file. That is what a write cut
    /// short by a crash leaves (the file system hands back unwritten blocks as zeros); a flipped bit
    /// in written data does not. Padding is at most 7 bytes, so it cannot pass for a tear by itself.
    private func containsUnwrittenSector(frameOffset: Int64, frameBytes: Int, fileSize: Int64) throws -> Bool {
        let frameEnd = min(frameOffset + Int64(frameBytes), fileSize)
        var sectorStart = (frameOffset / Self.sectorBytes) * Self.sectorBytes
        while sectorStart < frameEnd {
            let start = max(frameOffset, sectorStart)
            let end = min(sectorStart + Self.sectorBytes, fileSize)
            let isWholeSector = start == sectorStart && end == sectorStart + Self.sectorBytes
            let runsToEndOfFile = end == fileSize && start == sectorStart && end - start >= 8
            if isWholeSector || runsToEndOfFile {
                let bytes = try file.read(count: Int(end - start), at: start)
                if bytes.allSatisfy({ $0 == 0 }) { return true }
            }
            sectorStart += Self.sectorBytes
        }
        return false
    }
}
