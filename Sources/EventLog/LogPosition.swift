/// A byte position in a task's log: the number of log bytes written before it, across all segments.
///
/// Positions only grow. A segment file is named after the position of its first byte, so the
/// position of any record maps to one segment and one offset inside it without an index.
/// The position just past the last record is the log's end, where the next record goes.
public struct LogPosition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The byte position.
    public var byteOffset: UInt64

    /// A position from a raw byte offset.
    public init(_ byteOffset: UInt64) { self.byteOffset = byteOffset }

    /// The start of every log.
    public static let zero = LogPosition(0)

    /// Orders positions by byte offset.
    public static func < (lhs: LogPosition, rhs: LogPosition) -> Bool { lhs.byteOffset < rhs.byteOffset }

    /// The byte offset in decimal.
    public var description: String { String(byteOffset) }
}
