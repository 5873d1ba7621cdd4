/// Where a record lies in the log and where it came from. Its payload is handed out separately,
/// as an `UnsafeRawBufferPointer` valid only for the duration of the closure that receives it.
public struct LogRecord: Hashable, Sendable, CustomStringConvertible {
    /// The log position where the record's frame starts.
    public var position: LogPosition
    /// The log position just past the frame: where the next record starts.
    public var nextPosition: LogPosition
    /// The Kafka position the record came from.
    public var source: SourcePosition

    /// Creates a record description.
    public init(position: LogPosition, nextPosition: LogPosition, source: SourcePosition) {
        self.position = position
        self.nextPosition = nextPosition
        self.source = source
    }

    /// `position: source`.
    public var description: String { "\(position): \(source)" }
}
