/// Typed access to a payload's fields, with rejection reasons that name the field and the value.
struct PayloadFields {
    let object: JSONObject

    func requiredNonEmptyString(_ name: String) throws(EventRejection) -> String {
        guard let value = object[name] else {
            throw EventRejection(reason: "missing required field \"\(name)\"")
        }
        guard case .string(let string) = value, !string.isEmpty else {
            throw EventRejection(reason: "\(name) must be a non-empty string, got \(value.shortDescription)")
        }
        return string
    }

    func optionalString(_ name: String) throws(EventRejection) -> String? {
        guard let value = object[name] else { return nil }
        switch value {
        case .null: return nil
        case .string(let string): return string
        default: throw EventRejection(reason: "\(name) must be a string, got \(value.shortDescription)")
        }
    }

    func optionalNumber(_ name: String) throws(EventRejection) -> Double? {
        guard let value = object[name] else { return nil }
        if case .null = value { return nil }
        guard let number = value.numberValue else {
            throw EventRejection(reason: "\(name) must be a number ≥ 0, got \(value.shortDescription)")
        }
        return number
    }

    func requiredEnum<Value: RawRepresentable & CaseIterable>(_ name: String) throws(EventRejection) -> Value
    where Value.RawValue == String {
        guard let value = object[name] else {
            throw EventRejection(reason: "missing required field \"\(name)\"")
        }
        return try enumValue(name, value)
    }

    func optionalEnum<Value: RawRepresentable & CaseIterable>(_ name: String) throws(EventRejection) -> Value?
    where Value.RawValue == String {
        guard let value = object[name] else { return nil }
        if case .null = value { return nil }
        return try enumValue(name, value)
    }

    private func enumValue<Value: RawRepresentable & CaseIterable>(_ name: String, _ value: JSONValue) throws(EventRejection)
        -> Value
    where Value.RawValue == String {
        if case .string(let string) = value, let parsed = Value(rawValue: string) {
            return parsed
        }
        let choices = Value.allCases.map(\.rawValue).joined(separator: ", ")
        throw EventRejection(reason: "\(name) must be one of \(choices), got \(value.shortDescription)")
    }

    /// `qty` as an integer in `minimum…EventDecoder.maximumQuantity`; `rule` words the lower bound.
    func quantity(minimum: Int64, rule: String) throws(EventRejection) -> Int64 {
        guard let value = object["qty"] else {
            throw EventRejection(reason: "missing required field \"qty\"")
        }
        guard case .integer(let quantity) = value, quantity >= minimum else {
            throw EventRejection(reason: "qty must be \(rule), got \(value.shortDescription)")
        }
        guard quantity <= EventDecoder.maximumQuantity else {
            throw EventRejection(reason: "qty must be at most \(EventDecoder.maximumQuantity), got \(quantity)")
        }
        return quantity
    }

    /// `ts` as epoch milliseconds or RFC 3339; the record timestamp when absent.
    func time(recordTimestamp: EventTime?) throws(EventRejection) -> EventTime {
        let rule = "ts must be epoch milliseconds (an integer ≥ 0) or an RFC 3339 string"
        switch object["ts"] {
        case nil, .null?:
            guard let recordTimestamp else {
                throw EventRejection(reason: "missing required field \"ts\" and the record has no timestamp")
            }
            return recordTimestamp
        case .integer(let milliseconds)? where milliseconds >= 0:
            return EventTime(millisecondsSinceEpoch: milliseconds)
        case .string(let text)?:
            guard let time = EventTime(rfc3339: text), time.millisecondsSinceEpoch >= 0 else {
                throw EventRejection(reason: "\(rule) such as \"2026-11-23T08:30:00Z\", got \(JSONValue.string(text).shortDescription)")
            }
            return time
        case let value?:
            throw EventRejection(reason: "\(rule), got \(value.shortDescription)")
        }
    }
}
