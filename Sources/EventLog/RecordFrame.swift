/// One record on disk. This comment is the format specification of a segment file.
///
/// A segment file (`Segment`) is a sequence of frames and nothing else: no file header, no
/// preallocation. Every frame starts at an 8-byte-aligned offset. All integers are little-endian.
///
/// ```
/// offset  size  field
///      0     4  length      unpadded frame length in bytes, header included (32 + T + P); never 0
///      4     4  headerCRC   CRC-32C (Castagnoli) of header bytes [0, 4) and [8, 32)
///      8     8  offset      source record offset (Int64)
///     16     4  partition   source partition (Int32)
///     20     1  topicBytes  T, length of the topic name (0...255)
///     21     1  version     frame format version, currently 1
///     22     2  reserved    zero
///     24     4  bodyCRC     CRC-32C of bytes [32, padded length): topic, payload and padding
///     28     4  reserved    zero
///     32     T  topic       source topic name, UTF-8
///   32+T     P  payload     the caller's opaque bytes (P ≤ maximumRecordBytes)
///      …   0–7  padding     zeros up to the next multiple of 8
/// ```
///
/// Overhead per record: 32 header bytes + the topic name + 0–7 padding bytes
/// (e.g. 32 + 6 + 6 = 44 bytes for a 100-byte payload from `orders`: a 144-byte frame).
///
/// Why this shape:
/// - The header has its own checksum, so a header is trusted before its length is used. A frame
///   whose checked header says it runs past the end of the file is a write cut short by a crash;
///   a damaged length word fails the header checksum and is reported as corruption instead of
///   being mistaken for a torn tail (which would silently cut durable records after it).
/// - The length word is 4 bytes at an 8-byte-aligned offset, so it never straddles a sector.
/// - A zero length word cannot start a real frame (the header alone is 32 bytes), so a run of
///   zeros reads as unwritten space, never as a record.
/// - The source position travels with each record, so recovery knows the next offset of every
///   source without trusting anything but the log.
///
/// How a reader classifies what it finds at a frame boundary (see `Recovery`):
/// - end of file: the segment ends cleanly;
/// - fewer than 32 bytes left, an all-zero header, a valid header whose frame runs past the end of
///   the file, or a checksum mismatch with a zero-filled stretch (a whole 512-byte sector, or at
///   least 8 bytes from a sector boundary to the end of the file): a torn write. Recovery cuts it,
///   and everything after it, only in the newest segment;
/// - any other checksum mismatch, or a checked length outside the bounds: corruption, reported
///   with the segment path and byte offset, never skipped.
public enum RecordFrame {
    /// Bytes of the fixed header.
    public static let headerBytes = 32
    /// Every frame starts at a multiple of this many bytes.
    public static let alignmentBytes = 8
    /// The frame format version this build writes and reads.
    public static let formatVersion: UInt8 = 1
    /// The longest topic name, in UTF-8 bytes, a frame can carry.
    public static let maximumTopicBytes = 255

    /// Bytes a frame takes on disk for a topic name and payload of the given sizes, padding included.
    public static func frameBytes(topicBytes: Int, payloadBytes: Int) -> Int {
        paddedBytes(headerBytes + topicBytes + payloadBytes)
    }

    /// `length` rounded up to a multiple of `alignmentBytes`.
    static func paddedBytes(_ length: Int) -> Int { (length + alignmentBytes - 1) & ~(alignmentBytes - 1) }

    /// Appends one encoded frame to `buffer`.
    ///
    /// - Precondition: the topic name is at most `maximumTopicBytes` UTF-8 bytes (callers check
    ///   and throw `tooLarge` first, as `LogWriter` does).
    /// - Returns: The number of bytes appended.
    @discardableResult
    public static func append(source: SourcePosition, bytes payload: UnsafeRawBufferPointer, to buffer: inout [UInt8]) -> Int {
        var topicName = source.topic
        return topicName.withUTF8 { topic in
            precondition(topic.count <= maximumTopicBytes, "topic name longer than \(maximumTopicBytes) bytes")
            let length = headerBytes + topic.count + payload.count
            precondition(length <= Int(UInt32.max), "frame longer than 4 GiB")
            let start = buffer.count
            let padded = paddedBytes(length)
            // Grow geometrically: reserving exactly what one more frame needs would reallocate and copy
            // the whole pending batch on every append (quadratic in the batch).
            if buffer.capacity < start + padded { buffer.reserveCapacity(max(start + padded, buffer.capacity * 2)) }
            // One zero-filled extension, then the fields written in place: per-field appends each
            // checked capacity and uniqueness, a third of a frame's cost.
            buffer.append(contentsOf: repeatElement(0, count: padded))
            buffer.withUnsafeMutableBytes { raw in
                let frame = UnsafeMutableRawBufferPointer(rebasing: raw[start..<(start + padded)])
                frame.storeBytes(of: UInt32(length).littleEndian, toByteOffset: 0, as: UInt32.self)
                // Bytes 4..<8: header CRC, filled in below.
                frame.storeBytes(of: UInt64(bitPattern: source.offset).littleEndian, toByteOffset: 8, as: UInt64.self)
                frame.storeBytes(of: UInt32(bitPattern: source.partition).littleEndian, toByteOffset: 16, as: UInt32.self)
                frame[20] = UInt8(topic.count)
                frame[21] = formatVersion
                // Bytes 22, 23 zero; 24..<28 body CRC, filled in below; 28..<32 reserved.
                UnsafeMutableRawBufferPointer(rebasing: frame[headerBytes..<(headerBytes + topic.count)]).copyBytes(from: UnsafeRawBufferPointer(topic))
                UnsafeMutableRawBufferPointer(rebasing: frame[(headerBytes + topic.count)..<length]).copyBytes(from: payload)
                let bodyCRC = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: frame[headerBytes...]))
                frame.storeBytes(of: bodyCRC.littleEndian, toByteOffset: 24, as: UInt32.self)
                let headerCRC = headerChecksum(UnsafeRawBufferPointer(rebasing: frame[0..<headerBytes]))
                frame.storeBytes(of: headerCRC.littleEndian, toByteOffset: 4, as: UInt32.self)
            }
            return padded
        }
    }

    /// A frame that passed its checks, as offsets into the bytes given to `parse`.
    public struct Parsed: Sendable, Equatable {
        /// The source position stored in the frame.
        public var source: SourcePosition
        /// Bytes the frame takes on disk, padding included; the next frame starts this far on.
        public var frameBytes: Int
        /// Where the payload lies in the bytes given to `parse`.
        public var payloadRange: Range<Int>
    }

    /// What `parse` found at the start of the bytes it was given.
    public enum ParseResult: Sendable, Equatable {
        /// A whole, valid frame.
        case frame(Parsed)
        /// The bytes end before the frame does; it needs this many bytes in total.
        case needMoreBytes(frameBytes: Int)
        /// The 24 header bytes are all zero: unwritten space, not a frame.
        case zeroHeader
        /// The bytes are not a valid frame; the words say why.
        case invalid(Problem)
    }

    /// Why bytes are not a valid frame.
    public enum Problem: Sendable, Equatable, CustomStringConvertible {
        /// The header's stored and computed CRC-32C differ.
        case headerChecksumMismatch(stored: UInt32, computed: UInt32)
        /// The body's (topic, payload, padding) stored and computed CRC-32C differ.
        case bodyChecksumMismatch(stored: UInt32, computed: UInt32)
        /// The length word is shorter than a header or longer than allowed.
        case badLength(UInt32)
        /// The checksum holds but the frame's version is one this build cannot read.
        case unsupportedVersion(UInt8)
        /// The header checksum holds but the reserved bytes are not zero.
        case malformed(String)

        /// The problem in words.
        public var description: String {
            switch self {
            case .headerChecksumMismatch(let stored, let computed):
                "header CRC-32C mismatch (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            case .bodyChecksumMismatch(let stored, let computed):
                "body CRC-32C mismatch (stored 0x\(String(stored, radix: 16)), computed 0x\(String(computed, radix: 16)))"
            case .badLength(let length): "impossible frame length \(length)"
            case .unsupportedVersion(let version):
                "frame format version \(version), this build reads version \(RecordFrame.formatVersion)"
            case .malformed(let why): "malformed frame: \(why)"
            }
        }
    }

    /// Parses the frame at the start of `bytes` without trapping on any input.
    ///
    /// - Parameters:
    ///   - bytes: Bytes starting at a frame boundary; they may end anywhere.
    ///   - maximumFrameBytes: The largest unpadded frame length to accept; anything longer is
    ///     `.invalid(.badLength)`, so a reader never allocates a huge buffer for it.
    /// - Returns: `.needMoreBytes` when `bytes` is too short to decide, never a partial frame.
    public static func parse(_ bytes: UnsafeRawBufferPointer, maximumFrameBytes: Int) -> ParseResult {
        guard bytes.count >= headerBytes else { return .needMoreBytes(frameBytes: headerBytes) }
        let header = UnsafeRawBufferPointer(rebasing: bytes[0..<headerBytes])
        if header.allSatisfy({ $0 == 0 }) { return .zeroHeader }
        let storedHeaderCRC = header.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
        let computedHeaderCRC = headerChecksum(header)
        guard storedHeaderCRC == computedHeaderCRC else {
            return .invalid(.headerChecksumMismatch(stored: storedHeaderCRC, computed: computedHeaderCRC))
        }
        // The header is what was written; its fields can be trusted from here on.
        let version = header[21]
        guard version == formatVersion else { return .invalid(.unsupportedVersion(version)) }
        guard header[22] == 0, header[23] == 0, header.loadUnaligned(fromByteOffset: 28, as: UInt32.self) == 0 else {
            return .invalid(.malformed("reserved header bytes are not zero"))
        }
        let length = header.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian
        let topicBytes = Int(header[20])
        guard Int(length) >= headerBytes + topicBytes, Int(length) <= maximumFrameBytes else {
            return .invalid(.badLength(length))
        }
        let padded = paddedBytes(Int(length))
        guard bytes.count >= padded else { return .needMoreBytes(frameBytes: padded) }
        let body = UnsafeRawBufferPointer(rebasing: bytes[headerBytes..<padded])
        let storedBodyCRC = header.loadUnaligned(fromByteOffset: 24, as: UInt32.self).littleEndian
        let computedBodyCRC = CRC32C.checksum(body)
        guard storedBodyCRC == computedBodyCRC else {
            return .invalid(.bodyChecksumMismatch(stored: storedBodyCRC, computed: computedBodyCRC))
        }
        let offset = Int64(bitPattern: header.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian)
        let partition = Int32(bitPattern: header.loadUnaligned(fromByteOffset: 16, as: UInt32.self).littleEndian)
        let topic = String(decoding: bytes[headerBytes..<(headerBytes + topicBytes)], as: UTF8.self)
        return .frame(
            Parsed(
                source: SourcePosition(topic: topic, partition: partition, offset: offset),
                frameBytes: padded,
                payloadRange: (headerBytes + topicBytes)..<Int(length)))
    }

    /// The CRC of a header: bytes [0, 4) then [8, 32), skipping the header CRC field itself.
    static func headerChecksum(_ header: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32C()
        crc.update(UnsafeRawBufferPointer(rebasing: header[0..<4]))
        crc.update(UnsafeRawBufferPointer(rebasing: header[8..<headerBytes]))
        return crc.value
    }
}
