/// A task's state at one log position, with the next input offset of every source it reflects.
///
/// The state is the caller's opaque bytes (the service stores its SKU states there). Encoded form,
/// all integers little-endian:
///
/// ```
/// offset  size  field
///      0     4  magic         "SSNP"
///      4     4  version       snapshot format version, currently 1
///      8     8  logPosition   the log end this snapshot reflects: replay starts here
///     16     4  sourceCount   number of next-offset entries
///     20     8  stateBytes    length of the state
///     28     …  sources       per entry: UInt16 key length, key (UTF-8 "topic/partition"), Int64 next offset;
///                             sorted by key, so equal snapshots encode to equal bytes
///      …     …  state         the caller's bytes
///  end-4     4  crc           CRC-32C of every byte before it
/// ```
public struct Snapshot: Hashable, Sendable {
    /// The snapshot format version this build writes and reads.
    public static let formatVersion: UInt32 = 1
    /// The magic bytes at the start of every snapshot file.
    static let magic: [UInt8] = Array("SSNP".utf8)
    static let fixedHeaderBytes = 28

    /// The log position this snapshot reflects: every record before it is folded into `state`.
    public var logPosition: LogPosition
    /// Per source (`"topic/partition"`, see `sourceKey`), the next offset to consume.
    public var nextOffsets: [String: Int64]
    /// The caller's state, opaque to the log.
    public var state: [UInt8]

    /// Creates a snapshot.
    public init(logPosition: LogPosition, nextOffsets: [String: Int64], state: [UInt8]) {
        self.logPosition = logPosition
        self.nextOffsets = nextOffsets
        self.state = state
    }

    /// The key of a source in `nextOffsets`: `topic/partition`.
    public static func sourceKey(topic: String, partition: Int32) -> String { "\(topic)/\(partition)" }

    /// The snapshot's bytes, checksum included.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.fixedHeaderBytes + state.count + nextOffsets.count * 32 + 4)
        bytes.append(contentsOf: Self.magic)
        Self.append(Self.formatVersion, to: &bytes)
        Self.append(logPosition.byteOffset, to: &bytes)
        Self.append(UInt32(nextOffsets.count), to: &bytes)
        Self.append(UInt64(state.count), to: &bytes)
        for key in nextOffsets.keys.sorted() {
            let utf8 = Array(key.utf8)
            precondition(utf8.count <= Int(UInt16.max), "source key longer than 65535 bytes")
            Self.append(UInt16(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
            Self.append(UInt64(bitPattern: nextOffsets[key]!), to: &bytes)
        }
        bytes.append(contentsOf: state)
        Self.append(CRC32C.checksum(bytes), to: &bytes)
        return bytes
    }

    /// Decodes and verifies a snapshot.
    ///
    /// - Parameters:
    ///   - bytes: A snapshot file's contents.
    ///   - path: The file's path, for error reports.
    /// - Throws: `corrupted` when the checksum or structure is wrong, `unsupportedVersion` for a newer format.
    public init(decoding bytes: [UInt8], path: String = "<memory>") throws {
        func corrupted(_ why: String, at offset: Int) -> EventLogError {
            EventLogError(
                code: .corrupted,
                message: "Snapshot \(why). It is skipped: recovery falls back to an older snapshot and a longer replay.",
                path: path, byteOffset: Int64(offset))
        }
        guard bytes.count >= Self.fixedHeaderBytes + 4 else {
            throw corrupted("is \(bytes.count) bytes, shorter than any snapshot", at: 0)
        }
        let body = bytes.count - 4
        let stored = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: body, as: UInt32.self).littleEndian }
        let computed = bytes.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<body])) }
        guard stored == computed else {
            throw corrupted(
                "fails its checksum (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))",
                at: body)
        }
        guard Array(bytes[0..<4]) == Self.magic else { throw corrupted("does not start with \"SSNP\"", at: 0) }
        var cursor = 4
        func read<Integer: FixedWidthInteger>(_: Integer.Type) throws -> Integer {
            guard cursor + MemoryLayout<Integer>.size <= body else { throw corrupted("ends inside a field", at: cursor) }
            let value = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: cursor, as: Integer.self) }
            cursor += MemoryLayout<Integer>.size
            return Integer(littleEndian: value)
        }
        let version = try read(UInt32.self)
        guard version == Self.formatVersion else {
            throw EventLogError(
                code: .unsupportedVersion,
                message: "Snapshot format version \(version); this build reads version \(Self.formatVersion). "
                    + "Run the newer version, or remove the snapshot to recover from an older one.",
                path: path, byteOffset: 4)
        }
        let logPosition = LogPosition(try read(UInt64.self))
        let sourceCount = try read(UInt32.self)
        let stateBytes = try read(UInt64.self)
        var nextOffsets: [String: Int64] = [:]
        for _ in 0..<sourceCount {
            let keyBytes = Int(try read(UInt16.self))
            guard cursor + keyBytes <= body else { throw corrupted("ends inside a source key", at: cursor) }
            let key = String(decoding: bytes[cursor..<(cursor + keyBytes)], as: UTF8.self)
            cursor += keyBytes
            nextOffsets[key] = Int64(bitPattern: try read(UInt64.self))
        }
        guard stateBytes == UInt64(body - cursor) else {
            throw corrupted("says its state is \(stateBytes) bytes but \(body - cursor) remain", at: cursor)
        }
        self.init(logPosition: logPosition, nextOffsets: nextOffsets, state: Array(bytes[cursor..<body]))
    }

    private static func append<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
