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
    // One stored property per field, read through a switch: a field read loads one value, where an
    // indexed tuple was copied whole (15 values) on every read.
    private var eventIDValue = Value.absent
    private var skuValue = Value.absent
    private var tsValue = Value.absent
    private var orderIDValue = Value.absent
    private var qtyValue = Value.absent
    private var statusValue = Value.absent
    private var priceValue = Value.absent
    private var roomIDValue = Value.absent
    private var userIDValue = Value.absent
    private var channelValue = Value.absent
    private var actionValue = Value.absent
    private var kindValue = Value.absent
    private var textValue = Value.absent
    private var tierValue = Value.absent
    private var nameValue = Value.absent

    /// Prepares a scan of `bytes`; nothing is read until ``scan(maximumDepth:)``.
    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The value of `field`, `.absent` when the payload has no such member.
    subscript(field: Field) -> Value {
        get {
            switch field {
            case .eventID: eventIDValue
            case .sku: skuValue
            case .ts: tsValue
            case .orderID: orderIDValue
            case .qty: qtyValue
            case .status: statusValue
            case .price: priceValue
            case .roomID: roomIDValue
            case .userID: userIDValue
            case .channel: channelValue
            case .action: actionValue
            case .kind: kindValue
            case .text: textValue
            case .tier: tierValue
            case .name: nameValue
            }
        }
        set {
            switch field {
            case .eventID: eventIDValue = newValue
            case .sku: skuValue = newValue
            case .ts: tsValue = newValue
            case .orderID: orderIDValue = newValue
            case .qty: qtyValue = newValue
            case .status: statusValue = newValue
            case .price: priceValue = newValue
            case .roomID: roomIDValue = newValue
            case .userID: userIDValue = newValue
            case .channel: channelValue = newValue
            case .action: actionValue = newValue
            case .kind: kindValue = newValue
            case .text: textValue = newValue
            case .tier: tierValue = newValue
            case .name: nameValue = newValue
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
                    guard reader.current == UInt8(ascii: "\""), let key = Self.plainKey(bytes, from: reader.offset + 1)
                    else { return false }
                    let keyStart = reader.offset + 1
                    let keyEnd = key.end
                    reader.offset = keyEnd + 1
                    let field = keyEnd - keyStart <= 8 ? Self.knownField(word: key.word) : nil
                    if let field {
                        let bit: UInt16 = 1 << UInt16(field.rawValue)
                        guard seen & bit == 0 else { return false }
                        seen |= bit
                    } else {
                        for index in 0..<unknownCount where Self.bytesEqual(
                            UnsafeRawBufferPointer(rebasing: bytes[unknownKeys[index].start..<unknownKeys[index].end]),
                            UnsafeRawBufferPointer(rebasing: bytes[keyStart..<keyEnd])) {
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

    /// The end (closing quote) of a key made of printable ASCII without escapes, and its first 8
    /// bytes as one little-endian word; nil otherwise.
    private static func plainKey(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (end: Int, word: UInt64)? {
        var index = start
        var word: UInt64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") { return (index, word) }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            if index - start < 8 { word |= UInt64(byte) << (UInt64(index - start) * 8) }
            index += 1
        }
        return nil
    }

    /// The field a key of at most 8 bytes names, matched as one little-endian word of its bytes:
    /// keys are printable ASCII (no zero bytes), so no two keys share a word.
    private static func knownField(word: UInt64) -> Field? {
        switch word {
        case 0x7374: .ts  // "ts"
        case 0x75_6b73: .sku  // "sku"
        case 0x79_7471: .qty  // "qty"
        case 0x646e_696b: .kind  // "kind"
        case 0x7478_6574: .text  // "text"
        case 0x7265_6974: .tier  // "tier"
        case 0x656d_616e: .name  // "name"
        case 0x65_6369_7270: .price  // "price"
        case 0x7375_7461_7473: .status  // "status"
        case 0x6e6f_6974_6361: .action  // "action"
        case 0x64_695f_6d6f_6f72: .roomID  // "room_id"
        case 0x64_695f_7265_7375: .userID  // "user_id"
        case 0x6c_656e_6e61_6863: .channel  // "channel"
        case 0x6469_5f74_6e65_7665: .eventID  // "event_id"
        case 0x6469_5f72_6564_726f: .orderID  // "order_id"
        default: nil
        }
    }

    /// True when the two buffers hold the same bytes.
    private static func bytesEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: UnsafeRawBufferPointer) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<lhs.count where lhs[index] != rhs[index] { return false }
        return true
    }

    /// One member value; every string is validated here, but only located, not created.
    private static func scanValue(_ reader: inout JSONReader) throws(JSONReader.SyntaxError) -> Value {
        if let integer = plainInteger(&reader) { return .integer(integer) }
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

    /// An integer of at most 18 digits without fraction or exponent, read in place; nil (nothing
    /// consumed) for anything else, which `JSONReader.parseValue` then reads, so both agree on every
    /// number, including leading zeros and overflow.
    private static func plainInteger(_ reader: inout JSONReader) -> Int64? {
        let bytes = reader.bytes
        var index = reader.offset
        guard index < bytes.count else { return nil }
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let digitsStart = index
        var value: Int64 = 0
        while index < bytes.count, index - digitsStart < 19 {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { break }
            value = value &* 10 &+ Int64(digit)
            index += 1
        }
        let digits = index - digitsStart
        guard digits >= 1, digits <= 18, digits == 1 || bytes[digitsStart] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count {
            let next = bytes[index]
            guard next != UInt8(ascii: "."), next != UInt8(ascii: "e"), next != UInt8(ascii: "E") else { return nil }
        }
        reader.offset = index
        return negative ? 0 &- value : value
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
        case .asciiString(let start, let end): Self.bytesEqual(other, UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
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
            return cases.first { candidate in
                var raw = candidate.rawValue
                return raw.withUTF8 { Self.bytesEqual(UnsafeRawBufferPointer($0), text) }
            }
        case .encodedString:
            return string(value).flatMap { Case(rawValue: $0) }
        default:
            return nil
        }
    }
}
