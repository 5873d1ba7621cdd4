/// A JSON object with its members in document order; keys are unique (the reader rejects duplicates).
struct JSONObject: Sendable, Equatable {
    struct Member: Sendable, Equatable {
        var key: String
        var value: JSONValue
    }

    var members: [Member]

    /// The value for `key`, or nil when absent.
    subscript(key: String) -> JSONValue? {
        for member in members where member.key == key {
            return member.value
        }
        return nil
    }

    /// The keys in document order.
    var keys: [String] { members.map(\.key) }
}
