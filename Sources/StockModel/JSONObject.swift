/// A JSON object with its members in document order; keys are unique (the reader rejects duplicates).
public struct JSONObject: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue
    }

    public var members: [Member]

    /// The value for `key`, or nil when absent.
    public subscript(key: String) -> JSONValue? {
        for member in members where member.key == key {
            return member.value
        }
        return nil
    }

    /// The keys in document order.
    public var keys: [String] { members.map(\.key) }
}
