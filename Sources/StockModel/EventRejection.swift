/// Why a record was not accepted as an event; the service routes it to the dead-letter topic.
public struct EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in words, naming the field and the value.
    public var reason: String

    /// Creates a rejection with its reason.
    public init(reason: String) {
        self.reason = reason
    }

    /// The reason.
    public var description: String { reason }
}
