/// A parsed JSON value; the model's own reader keeps StockModel free of Foundation.
///
/// Integers without a fraction or exponent that fit in `Int64` are `.integer`, so `5.0` can be told
/// apart from `5` when a field must be an integer.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// A short rendering of the value for rejection reasons: strings quoted, containers named.
    public var shortDescription: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): String(describing: value)
        case .string(let value):
            value.unicodeScalars.count > 64
                ? "\"\(String(String.UnicodeScalarView(value.unicodeScalars.prefix(64))))…\""
                : "\"\(value)\""
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The value as a `Double` when it is a number of either kind.
    public var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
}
