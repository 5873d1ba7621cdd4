/// The bounds of one task's event log. Plain data; pass it explicitly to every type that opens files.
public struct EventLogConfiguration: Sendable, Hashable {
    /// A segment is closed and a new one started when the next frame would make it larger than
    /// this. A single frame larger than this still goes, alone, into its own segment.
    ///
    /// Default: 64 MiB.
    public var maximumSegmentBytes: Int = 64 << 20 {
        didSet { precondition(maximumSegmentBytes >= RecordFrame.headerBytes, "maximumSegmentBytes too small") }
    }

    /// The largest payload `LogWriter.append` accepts; larger ones throw `tooLarge`. Readers also
    /// refuse frames longer than this plus the header and topic, so a damaged length word never
    /// makes them allocate a huge buffer.
    ///
    /// Default: 1 MiB.
    public var maximumRecordBytes: Int = 1 << 20 {
        didSet { precondition(maximumRecordBytes > 0, "maximumRecordBytes must be positive") }
    }

    /// Appended frames are written to the segment (not yet synced) once this many bytes are
    /// pending, so a large batch never holds more than this in memory.
    ///
    /// Default: 1 MiB.
    public var maximumPendingBytes: Int = 1 << 20 {
        didSet { precondition(maximumPendingBytes > 0, "maximumPendingBytes must be positive") }
    }

    /// Readers read segments in chunks of this many bytes (more only for a frame that is larger).
    ///
    /// Default: 64 KiB.
    public var readChunkBytes: Int = 64 << 10 {
        didSet { precondition(readChunkBytes >= RecordFrame.headerBytes, "readChunkBytes too small") }
    }

    /// Creates a configuration with the defaults.
    public init() {}

    /// The longest unpadded frame a reader accepts.
    var maximumFrameBytes: Int { RecordFrame.headerBytes + RecordFrame.maximumTopicBytes + maximumRecordBytes }
}
