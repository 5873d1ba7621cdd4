/// One file of a task's log: the frames (`RecordFrame`) from `basePosition` on, until the next segment.
///
/// Segment files are named after the log position of their first byte, in 20 decimal digits so
/// that names sort like positions: `00000000000000000000.log`, `00000000000067108880.log`, …
/// Segments are contiguous: each one's base position plus its size is the next one's base position.
/// A segment is rolled by size (`EventLogConfiguration.maximumSegmentBytes`) and never rewritten,
/// except that recovery may cut a torn tail off the newest one.
public struct Segment: Hashable, Sendable, CustomStringConvertible {
    /// The log position of the segment's first byte.
    public var basePosition: LogPosition
    /// The segment file's path.
    public var path: String

    /// The segment starting at `basePosition` in `directory`.
    public init(directory: String, basePosition: LogPosition) {
        self.basePosition = basePosition
        self.path = directory + "/" + Segment.fileName(for: basePosition)
    }

    /// The file name extension of segments.
    public static let fileExtension = ".log"

    /// `%020llu.log` of the position.
    public static func fileName(for position: LogPosition) -> String {
        let digits = String(position.byteOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + fileExtension
    }

    /// The base position a segment file name encodes, or nil when `name` is not a segment's name.
    public static func basePosition(fromFileName name: String) -> LogPosition? {
        guard name.hasSuffix(fileExtension) else { return nil }
        let digits = name.dropLast(fileExtension.count)
        guard digits.count == 20, digits.allSatisfy(\.isASCII), let value = UInt64(digits) else { return nil }
        return LogPosition(value)
    }

    /// The segments in `directory`, oldest first. Other files (snapshots, `.broken` copies) are ignored.
    /// - Throws: `EventLogError` when the directory cannot be listed.
    public static func list(in directory: String) throws -> [Segment] {
        try LogFile.entries(of: directory)
            .compactMap { basePosition(fromFileName: $0) }
            .sorted()
            .map { Segment(directory: directory, basePosition: $0) }
    }

    /// The path.
    public var description: String { path }
}
