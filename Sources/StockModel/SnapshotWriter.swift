/// Appends the fixed-width little-endian fields of a ``StockBookSnapshot``.
struct SnapshotWriter {
    private(set) var bytes: [UInt8] = []

    init(reservingCapacity capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func raw(_ value: [UInt8]) { bytes.append(contentsOf: value) }

    mutating func uint8(_ value: UInt8) { bytes.append(value) }

    mutating func uint32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func int64(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// An `Int` as an `Int64`.
    mutating func int(_ value: Int) { int64(Int64(value)) }

    /// A `Double` as its IEEE 754 bit pattern, so it reads back bit-exact (NaN payloads and −0 included).
    mutating func double(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func time(_ value: EventTime) { int64(value.millisecondsSinceEpoch) }

    /// A count as a `UInt32`; the book never holds 2³² of anything, and the decoder bounds it anyway.
    mutating func count(_ value: Int) {
        precondition(value >= 0 && value <= Int(UInt32.max), "snapshot count out of range")
        uint32(UInt32(value))
    }

    /// A `UInt32` byte length, then the string's UTF-8 bytes.
    mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }
}
