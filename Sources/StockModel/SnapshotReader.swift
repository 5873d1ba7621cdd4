/// Reads the fields of a ``StockBookSnapshot`` with every read bounds-checked: bad bytes become a
/// ``SnapshotDecodingError`` naming the field and its byte offset, never a trap.
struct SnapshotReader {
    /// The largest magnitude accepted for an event time (ms), 10¹⁸ (about ±31 million years): far beyond
    /// what RFC 3339 input can carry, and small enough that the fold's time differences cannot overflow.
    static let maximumTimeMagnitude: Int64 = 1_000_000_000_000_000

    let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    func error(_ message: String, at offset: Int? = nil) -> SnapshotDecodingError {
        SnapshotDecodingError(message: message, byteOffset: offset ?? self.offset)
    }

    private mutating func take(_ size: Int, _ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> Int {
        guard size <= remaining else {
            throw error("the snapshot ends inside \(what()) (needs \(size) bytes, \(remaining) remain)")
        }
        let start = offset
        offset += size
        return start
    }

    private mutating func load<Integer: FixedWidthInteger>(_: Integer.Type, _ what: @autoclosure () -> String) throws(SnapshotDecodingError)
        -> Integer
    {
        let start = try take(MemoryLayout<Integer>.size, what())
        let raw = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: start, as: Integer.self) }
        return Integer(littleEndian: raw)
    }

    mutating func uint8(_ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> UInt8 { try load(UInt8.self, what()) }

    mutating func uint32(_ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> UInt32 { try load(UInt32.self, what()) }

    mutating func int64(_ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> Int64 { try load(Int64.self, what()) }

    /// An `Int64` that must be within `range`.
    mutating func int64(_ what: @autoclosure () -> String, in range: ClosedRange<Int64>) throws(SnapshotDecodingError) -> Int64 {
        let start = offset
        let value = try int64(what())
        guard range.contains(value) else {
            throw error("\(what()) \(value) is outside \(range.lowerBound)...\(range.upperBound)", at: start)
        }
        return value
    }

    /// An `Int64` that must fit an `Int` and be ≥ 0 (counters).
    mutating func counter(_ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> Int {
        let start = offset
        let value = try int64(what())
        guard value >= 0, let result = Int(exactly: value) else {
            throw error("\(what()) \(value) is not a valid counter", at: start)
        }
        return result
    }

    mutating func double(_ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> Double {
        Double(bitPattern: try load(UInt64.self, what()))
    }

    /// An event time within ±``maximumTimeMagnitude``.
    mutating func time(_ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> EventTime {
        let milliseconds = try int64(what(), in: -Self.maximumTimeMagnitude...Self.maximumTimeMagnitude)
        return EventTime(millisecondsSinceEpoch: milliseconds)
    }

    /// A `UInt32` element count, bounded by the bytes left: each element needs at least `minimumElementBytes`.
    mutating func count(_ what: @autoclosure () -> String, minimumElementBytes: Int) throws(SnapshotDecodingError) -> Int {
        let start = offset
        let value = Int(try uint32(what()))
        guard value <= remaining / max(1, minimumElementBytes) else {
            throw error(
                "\(what()) \(value) needs at least \(value * max(1, minimumElementBytes)) bytes but \(remaining) remain",
                at: start)
        }
        return value
    }

    /// A `UInt32` byte length, then that many bytes of valid UTF-8.
    mutating func string(_ what: @autoclosure () -> String) throws(SnapshotDecodingError) -> String {
        let start = offset
        let length = Int(try uint32("the length of \(what())"))
        guard length <= remaining else {
            throw error("\(what()) is \(length) bytes long but \(remaining) remain", at: start)
        }
        let body = offset
        offset += length
        guard let value = String(validating: bytes[body..<(body + length)], as: UTF8.self) else {
            throw error("\(what()) is not valid UTF-8", at: body)
        }
        return value
    }

    /// A byte whose bits outside `allowed` must be zero.
    mutating func flags(_ what: @autoclosure () -> String, allowed: UInt8) throws(SnapshotDecodingError) -> UInt8 {
        let start = offset
        let value = try uint8(what())
        guard value & ~allowed == 0 else {
            throw error("\(what()) 0x\(String(value, radix: 16)) has unknown bits set", at: start)
        }
        return value
    }
}
