/// A strict RFC 8259 JSON reader over raw bytes, with a bounded nesting depth.
///
/// Errors name the byte offset (0-based) so a rejection reason points at the bad input.
public struct JSONReader {
    /// Why the bytes are not valid JSON.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    let bytes: UnsafeRawBufferPointer
    private let maximumDepth: Int
    var offset = 0

    init(bytes: UnsafeRawBufferPointer, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    /// Parses one JSON value that must span all of `bytes` (surrounding whitespace allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer, maximumDepth: Int = 32) throws(SyntaxError) -> JSONValue {
        var reader = JSONReader(bytes: bytes, maximumDepth: maximumDepth)
        reader.skipWhitespace()
        let value = try reader.parseValue(depth: 1)
        reader.skipWhitespace()
        if reader.offset < bytes.count {
            throw reader.unexpected()
        }
        return value
    }

    /// Parses `bytes` as one JSON value.
    public static func parse(_ bytes: [UInt8], maximumDepth: Int = 32) throws(SyntaxError) -> JSONValue {
        let result: Result<JSONValue, SyntaxError> = bytes.withUnsafeBytes { buffer in
            do throws(SyntaxError) {
                return .success(try parse(buffer, maximumDepth: maximumDepth))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    func unexpected() -> SyntaxError {
        guard offset < bytes.count else {
            return SyntaxError(message: "unexpected end of input at byte \(offset)")
        }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F {
            return SyntaxError(message: "unexpected character '\(Character(Unicode.Scalar(byte)))' at byte \(offset)")
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return SyntaxError(message: "unexpected byte 0x\(hex.count == 1 ? "0" + hex : hex) at byte \(offset)")
    }

    var current: UInt8? { offset < bytes.count ? bytes[offset] : nil }

    @inline(__always)
    mutating func skipWhitespace() {
        while offset < bytes.count {
            let byte = bytes[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            offset += 1
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let pointer = literal.utf8Start
        for index in 0..<literal.utf8CodeUnitCount {
            guard current == pointer[index] else { throw unexpected() }
            offset += 1
        }
    }

    mutating func parseValue(depth: Int) throws(SyntaxError) -> JSONValue {
        guard let byte = current else { throw unexpected() }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw unexpected()
        }
    }

    private mutating func enter(depth: Int) throws(SyntaxError) {
        if depth > maximumDepth {
            throw SyntaxError(message: "nesting deeper than \(maximumDepth) levels at byte \(offset)")
        }
    }

    private mutating func parseObject(depth: Int) throws(SyntaxError) -> JSONValue {
        try enter(depth: depth)
        offset += 1  // {
        var members: [JSONObject.Member] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            offset += 1
            return .object(JSONObject(members: []))
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw unexpected() }
            let keyOffset = offset
            let key = try parseString()
            // Payload objects have a handful of members: a scan beats hashing every key.
            if members.contains(where: { $0.key == key }) {
                throw SyntaxError(message: "duplicate key \"\(key)\" at byte \(keyOffset)")
            }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw unexpected() }
            offset += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            members.append(JSONObject.Member(key: key, value: value))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "}"):
                offset += 1
                return .object(JSONObject(members: members))
            default:
                throw unexpected()
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(SyntaxError) -> JSONValue {
        try enter(depth: depth)
        offset += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            offset += 1
            return .array([])
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","):
                offset += 1
            case UInt8(ascii: "]"):
                offset += 1
                return .array(elements)
            default:
                throw unexpected()
            }
        }
    }

    private mutating func parseHexQuad() throws(SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw unexpected() }
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw unexpected()
            }
            value = value << 4 | digit
            offset += 1
        }
        return value
    }

    mutating func parseString() throws(SyntaxError) -> String {
        let start = offset
        offset += 1  // opening quote
        // Fast path: no escapes, so the string is exactly the bytes up to the closing quote.
        var end = offset
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                guard let string = Self.string(UnsafeRawBufferPointer(rebasing: bytes[offset..<end])) else {
                    throw SyntaxError(message: "string starting at byte \(start) is not valid UTF-8")
                }
                offset = end + 1
                return string
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            end += 1
        }
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw unexpected() }
            switch byte {
            case UInt8(ascii: "\""):
                offset += 1
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw SyntaxError(message: "string starting at byte \(start) is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                offset += 1
                guard let escape = current else { throw unexpected() }
                offset += 1
                switch escape {
                case UInt8(ascii: "\""): utf8.append(0x22)
                case UInt8(ascii: "\\"): utf8.append(0x5C)
                case UInt8(ascii: "/"): utf8.append(0x2F)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    let escapeOffset = offset - 2
                    var scalarValue = try parseHexQuad()
                    if (0xD800...0xDBFF).contains(scalarValue) {
                        guard current == UInt8(ascii: "\\"), offset + 1 < bytes.count, bytes[offset + 1] == UInt8(ascii: "u") else {
                            throw SyntaxError(message: "unpaired surrogate escape at byte \(escapeOffset)")
                        }
                        offset += 2
                        let low = try parseHexQuad()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw SyntaxError(message: "unpaired surrogate escape at byte \(escapeOffset)")
                        }
                        scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(scalarValue) else {
                        throw SyntaxError(message: "unpaired surrogate escape at byte \(escapeOffset)")
                    }
                    utf8.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    offset -= 1
                    throw unexpected()
                }
            default:
                if byte < 0x20 {
                    throw unexpected()
                }
                utf8.append(byte)
                offset += 1
            }
        }
    }

    /// The UTF-8 `bytes` as a string, nil when they are not valid UTF-8.
    ///
    /// ASCII, by far the most common case, skips the generic validating initialiser, whose metadata
    /// look-ups and validation dominated decoding; for ASCII both give the same string.
    static func string(_ bytes: UnsafeRawBufferPointer) -> String? {
        bytes.withMemoryRebound(to: UInt8.self) { codeUnits in
            var combined: UInt8 = 0
            for byte in codeUnits { combined |= byte }
            if combined < 0x80 { return String(decoding: codeUnits, as: UTF8.self) }
            return String(validating: codeUnits, as: UTF8.self)
        }
    }

    /// An optional minus and decimal digits as `Int64`, nil on overflow (the caller falls back to `Double`).
    private static func integer(_ digits: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let negative = digits.first == UInt8(ascii: "-")
        if negative { index = 1 }
        var value: Int64 = 0
        while index < digits.count {
            let digit = Int64(digits[index] &- UInt8(ascii: "0"))
            let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflowShift || overflowAdd { return nil }
            value = next
            index += 1
        }
        return value
    }

    private mutating func consumeDigits() -> Int {
        var count = 0
        while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
            offset += 1
            count += 1
        }
        return count
    }

    private mutating func parseNumber() throws(SyntaxError) -> JSONValue {
        let start = offset
        var isInteger = true
        if current == UInt8(ascii: "-") { offset += 1 }
        if current == UInt8(ascii: "0") {
            offset += 1
        } else if consumeDigits() == 0 {
            throw unexpected()
        }
        if current == UInt8(ascii: ".") {
            isInteger = false
            offset += 1
            if consumeDigits() == 0 { throw unexpected() }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            offset += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { offset += 1 }
            if consumeDigits() == 0 { throw unexpected() }
        }
        if isInteger, let integer = Self.integer(UnsafeRawBufferPointer(rebasing: bytes[start..<offset])) {
            return .integer(integer)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        guard let number = Double(text), number.isFinite else {
            throw SyntaxError(message: "number \(text) at byte \(start) is out of range")
        }
        return .number(number)
    }
}
