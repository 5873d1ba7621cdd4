/// Appends compact, deterministic JSON to a byte array; used for the output topics.
public enum JSONWriter {
    /// Appends `string` as a JSON string: quotes, backslash and control characters escaped, UTF-8 passed through.
    public static func appendString(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x00..<0x20, 0x7F:
                let hexDigits = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: Array("\\u00".utf8))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            default:
                bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends an integer.
    static func appendInteger<Integer: BinaryInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: Array(String(value).utf8))
    }

    /// Appends `value` rounded half away from zero to `decimals` places, without trailing zeros
    /// (at least one fractional digit); `null` when not finite.
    ///
    /// Fixed-point printing keeps outputs byte-identical across runs and platforms.
    static func appendDecimal(_ value: Double, decimals: Int, to bytes: inout [UInt8]) {
        guard value.isFinite else {
            appendNull(to: &bytes)
            return
        }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
        guard abs(scaled) < 9.0e15 else {
            // Beyond exact integers in a Double: Swift's shortest round-trip form is valid JSON and deterministic.
            bytes.append(contentsOf: Array(String(describing: value).utf8))
            return
        }
        let units = Int64(scaled)
        let magnitude = units.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<decimals { divisor *= 10 }
        if units < 0 { bytes.append(UInt8(ascii: "-")) }
        bytes.append(contentsOf: Array(String(magnitude / divisor).utf8))
        bytes.append(UInt8(ascii: "."))
        var fraction = Array(String(magnitude % divisor).utf8)
        while fraction.count < decimals { fraction.insert(UInt8(ascii: "0"), at: 0) }
        while fraction.count > 1, fraction.last == UInt8(ascii: "0") { fraction.removeLast() }
        if fraction.isEmpty { fraction = [UInt8(ascii: "0")] }
        bytes.append(contentsOf: fraction)
    }

    /// Appends `null`.
    static func appendNull(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: Array("null".utf8))
    }

    /// Appends `"key":`, with a leading comma unless it is the object's first key.
    static func appendKey(_ key: StaticString, first: Bool = false, to bytes: inout [UInt8]) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// Appends an optional string, or `null`.
    static func appendOptionalString(_ value: String?, to bytes: inout [UInt8]) {
        if let value { appendString(value, to: &bytes) } else { appendNull(to: &bytes) }
    }

    /// Appends an optional decimal, or `null`.
    static func appendOptionalDecimal(_ value: Double?, decimals: Int, to bytes: inout [UInt8]) {
        if let value { appendDecimal(value, decimals: decimals, to: &bytes) } else { appendNull(to: &bytes) }
    }
}
