/// The known fields of one payload, found by a single pass over its bytes: the decoder's fast path.
///
/// The pass walks the top-level object with ``JSONReader``'s own primitives but builds no tree: keys
/// are matched as bytes, numbers parsed in place, and a plain string is kept as a byte range until the
/// decoder asks for it. It gives up (nil) on whatever it does not handle exactly as the tree path
/// would: any syntax error, a key that is not plain ASCII, a repeated key, many unknown keys. The
/// decoder then takes the tree path, which also words every rejection, so both paths accept and
/// reject the same records with the same reasons.
struct PayloadScan {
    /// A member's value as far as the decoder needs it; plain data, so a scan copies no references.
    enum Value {
        case absent
        case null
        case bool
        case integer(Int64)
        case number(Double)
        /// ASCII without escapes: the bytes between the quotes.
        case asciiString(start: Int, end: Int)
        /// Escaped or non-ASCII text (already validated once), by the offset of its opening quote.
        case encodedString(quote: Int)
        case container
    }

    /// The fields any topic's payload may carry.
    enum Field: Int {
        case eventID, sku, ts, orderID, qty, status, price, roomID, userID, channel, action, kind, text, tier, name
    }

    /// How many distinct unknown keys are compared for duplicates before giving up to the tree path.
    private static let unknownKeyLimit = 8

    let bytes: UnsafeRawBufferPointer
    private var values: (
        Value, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value, Value
    ) = (
        .absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent, .absent,
        .absent, .absent, .absent
    )

    /// Prepares a scan of `bytes`; nothing is read until ``scan(maximumDepth:)``.
    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The value of `field`, `.absent` when the payload has no such member.
    subscript(field: Field) -> Value {
        get {
            withUnsafeBytes(of: values) { $0.load(fromByteOffset: field.rawValue * MemoryLayout<Value>.stride, as: Value.self) }
        }
        set {
            withUnsafeMutableBytes(of: &values) {
                $0.storeBytes(of: newValue, toByteOffset: field.rawValue * MemoryLayout<Value>.stride, as: Value.self)
            }
        }
    }

    /// Scans the payload; false when the tree path must decide.
    mutating func scan(maximumDepth: Int) -> Bool {
        guard maximumDepth >= 1 else { return false }
        let bytes = self.bytes
        var reader = JSONReader(bytes: bytes, maximumDepth: maximumDepth)
        var seen: UInt16 = 0
        return withUnsafeTemporaryAllocation(of: (start: Int, end: Int).self, capacity: Self.unknownKeyLimit) { unknownKeys in
            var unknownCount = 0
            do throws(JSONReader.SyntaxError) {
                reader.skipWhitespace()
                guard reader.current == UInt8(ascii: "{") else { return false }
                reader.offset += 1
                reader.skipWhitespace()
                guard reader.current != UInt8(ascii: "}") else { return false }
                while true {
                    reader.skipWhitespace()
                    guard reader.current == UInt8(ascii: "\""), let keyEnd = Self.plainKeyEnd(bytes, from: reader.offset + 1)
                    else { return false }
                    let keyStart = reader.offset + 1
                    reader.offset = keyEnd + 1
                    let field = Self.knownField(bytes, start: keyStart, end: keyEnd)
                    if let field {
                        let bit: UInt16 = 1 << UInt16(field.rawValue)
                        guard seen & bit == 0 else { return false }
                        seen |= bit
                    } else {
                        for index in 0..<unknownCount where Self.equal(bytes, unknownKeys[index], (keyStart, keyEnd)) {
                            return false
                        }
                        guard unknownCount < Self.unknownKeyLimit else { return false }
                        unknownKeys[unknownCount] = (keyStart, keyEnd)
                        unknownCount += 1
                    }
                    reader.skipWhitespace()
                    guard reader.current == UInt8(ascii: ":") else { return false }
                    reader.offset += 1
                    reader.skipWhitespace()
                    let value = try Self.scanValue(&reader)
                    if let field { self[field] = value }
                    reader.skipWhitespace()
                    switch reader.current {
                    case UInt8(ascii: ","):
                        reader.offset += 1
                    case UInt8(ascii: "}"):
                        reader.offset += 1
                        reader.skipWhitespace()
                        return reader.offset == bytes.count
                    default:
                        return false
                    }
                }
            } catch {
                return false
            }
        }
    }

    /// The end (closing quote) of a key made of printable ASCII without escapes; nil otherwise.
    private static func plainKeyEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return index }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    private static func knownField(_ bytes: UnsafeRawBufferPointer, start: Int, end: Int) -> Field? {
        let key = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
        func matches(_ literal: StaticString) -> Bool {
            literal.utf8CodeUnitCount == key.count && memoryEqual(key, literal)
        }
        switch key.count {
        case 2: return matches("ts") ? .ts : nil
        case 3: return matches("sku") ? .sku : matches("qty") ? .qty : nil
        case 4: return matches("kind") ? .kind : matches("text") ? .text : matches("tier") ? .tier : matches("name") ? .name : nil
        case 5: return matches("price") ? .price : nil
        case 6: return matches("status") ? .status : matches("action") ? .action : nil
        case 7: return matches("room_id") ? .roomID : matches("user_id") ? .userID : matches("channel") ? .channel : nil
        case 8: return matches("event_id") ? .eventID : matches("order_id") ? .orderID : nil
        default: return nil
        }
    }

    /// True when `bytes` are the bytes of `literal` (the caller checked the lengths).
    private static func memoryEqual(_ bytes: UnsafeRawBufferPointer, _ literal: StaticString) -> Bool {
        let pointer = literal.utf8Start
        for index in 0..<bytes.count where bytes[index] != pointer[index] { return false }
        return true
    }

    private static func equal(_ bytes: UnsafeRawBufferPointer, _ lhs: (start: Int, end: Int), _ rhs: (start: Int, end: Int)) -> Bool {
        guard lhs.end - lhs.start == rhs.end - rhs.start else { return false }
        for index in 0..<(lhs.end - lhs.start) where bytes[lhs.start + index] != bytes[rhs.start + index] { return false }
        return true
    }

    /// One member value; every string is validated here, but only located, not created.
    private static func scanValue(_ reader: inout JSONReader) throws(JSONReader.SyntaxError) -> Value {
        guard reader.current == UInt8(ascii: "\"") else {
            switch try reader.parseValue(depth: 2) {
            case .null: return .null
            case .bool: return .bool
            case .integer(let value): return .integer(value)
            case .number(let value): return .number(value)
            case .string, .array, .object: return .container
            }
        }
        let bytes = reader.bytes
        let quote = reader.offset
        var index = quote + 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                reader.offset = index + 1
                return .asciiString(start: quote + 1, end: index)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
            index += 1
        }
        _ = try reader.parseString()
        return .encodedString(quote: quote)
    }

    /// The text of a string value; nil for any other kind.
    func string(_ value: Value) -> String? {
        switch value {
        case .asciiString(let start, let end):
            return JSONReader.string(UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
        case .encodedString(let quote):
            var reader = JSONReader(bytes: bytes, maximumDepth: 1)
            reader.offset = quote
            return try? reader.parseString()
        default:
            return nil
        }
    }

    /// True when `value` is a string whose UTF-8 equals `other` byte for byte.
    func stringEquals(_ value: Value, _ other: UnsafeRawBufferPointer) -> Bool {
        switch value {
        case .asciiString(let start, let end): other.elementsEqual(bytes[start..<end])
        case .encodedString: string(value).map { other.elementsEqual($0.utf8) } ?? false
        default: false
        }
    }

    /// The case whose raw value the string equals, as `Case(rawValue:)` would find it.
    func enumCase<Case: RawRepresentable & CaseIterable>(_ value: Value, in cases: [Case]) -> Case?
    where Case.RawValue == String {
        switch value {
        case .asciiString(let start, let end):
            // ASCII text equals a String exactly when its bytes are equal.
            let text = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
            return cases.first { $0.rawValue.utf8.elementsEqual(text) }
        case .encodedString:
            return string(value).flatMap { Case(rawValue: $0) }
        default:
            return nil
        }
    }
}
