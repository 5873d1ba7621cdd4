#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An error raised by the `EventLog` module.
///
/// `message` says what happened and what to do about it. `path` and `byteOffset` locate the
/// problem on disk (a segment or snapshot file and the offset inside it), `systemErrorNumber`
/// carries the `errno` of a failed system call, and `cause` an underlying error, if any.
public struct EventLogError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure. New codes may be added, so `switch` with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case corrupted, tornTail, io, diskFull, tooLarge, unsupportedVersion, missingSegments, closed
        }

        private let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// A record or snapshot failed its checksum or is malformed somewhere it cannot be a torn
        /// write. The data is not skipped: the task must stop until an operator decides.
        public static let corrupted = Code(.corrupted)
        /// The newest segment ends in a partly written record (a crash during a write). Recovery
        /// cuts it; a reader that meets one was opened on a log that was not recovered.
        public static let tornTail = Code(.tornTail)
        /// A system call on a file or directory failed; `systemErrorNumber` says why.
        public static let io = Code(.io)
        /// The file system is full (`ENOSPC` or `EDQUOT`). Nothing after the last commit is durable.
        public static let diskFull = Code(.diskFull)
        /// A record is larger than `maximumRecordBytes`, or a topic name longer than 255 bytes.
        public static let tooLarge = Code(.tooLarge)
        /// A frame or snapshot was written by a newer format version than this build reads.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// Log segments needed to rebuild the state are missing (removed by retention, or a gap).
        public static let missingSegments = Code(.missingSegments)
        /// The writer was closed, or refuses further use after an earlier I/O failure.
        public static let closed = Code(.closed)

        /// The code's name, e.g. `corrupted`.
        public var description: String {
            switch backing {
            case .corrupted: "corrupted"
            case .tornTail: "tornTail"
            case .io: "io"
            case .diskFull: "diskFull"
            case .tooLarge: "tooLarge"
            case .unsupportedVersion: "unsupportedVersion"
            case .missingSegments: "missingSegments"
            case .closed: "closed"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened and what to do about it.
    public var message: String
    /// The segment, snapshot or directory the failure concerns, when there is one.
    public var path: String?
    /// The byte offset inside `path` where the bad data starts, when known.
    public var byteOffset: Int64?
    /// The `errno` of the failed system call, when the failure came from one.
    public var systemErrorNumber: Int32?
    /// The underlying error, when there is one.
    public var cause: (any Error & Sendable)?
    /// The file (`#fileID`) that raised the error.
    public var file: String
    /// The line that raised the error.
    public var line: UInt

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What happened and what to do.
    ///   - path: The file or directory concerned.
    ///   - byteOffset: The offset of the bad data inside `path`.
    ///   - systemErrorNumber: The `errno` of a failed system call.
    ///   - cause: An underlying error.
    public init(
        code: Code,
        message: String,
        path: String? = nil,
        byteOffset: Int64? = nil,
        systemErrorNumber: Int32? = nil,
        cause: (any Error & Sendable)? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.byteOffset = byteOffset
        self.systemErrorNumber = systemErrorNumber
        self.cause = cause
        self.file = file
        self.line = line
    }

    /// `EventLogError.<code>: <message>`, then the path, offset, errno, cause and source location.
    public var description: String {
        var text = "EventLogError.\(code): \(message)"
        if let path { text += "\n  path: \(path)" }
        if let byteOffset { text += "\n  byte offset: \(byteOffset)" }
        if let systemErrorNumber {
            text += "\n  errno: \(systemErrorNumber) (\(String(cString: strerror(systemErrorNumber))))"
        }
        if let cause { text += "\n  cause: \(cause)" }
        text += "\n  at: \(file):\(line)"
        return text
    }
}

extension EventLogError {
    /// An error for a failed system call; `ENOSPC` and `EDQUOT` become `diskFull` with advice.
    static func systemCall(
        _ operation: String,
        path: String,
        errorNumber: Int32,
        byteOffset: Int64? = nil,
        file: String = #fileID,
        line: UInt = #line
    ) -> EventLogError {
        let reason = String(cString: strerror(errorNumber))
        if errorNumber == ENOSPC || errorNumber == EDQUOT {
            return EventLogError(
                code: .diskFull,
                message: """
                    \(operation) failed: \(reason). The batch in hand is not durable: do not publish it or commit its \
                    offsets. Free space (older snapshots, `.broken` copies, other data) or grow the volume, then \
                    restart the task; recovery cuts any partial write.
                    """,
                path: path, byteOffset: byteOffset, systemErrorNumber: errorNumber, file: file, line: line)
        }
        return EventLogError(
            code: .io,
            message: "\(operation) failed: \(reason). Check the path, its permissions and the device, then restart the task.",
            path: path, byteOffset: byteOffset, systemErrorNumber: errorNumber, file: file, line: line)
    }
}
