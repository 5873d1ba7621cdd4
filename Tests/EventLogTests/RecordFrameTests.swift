import Testing

import EventLog

@Suite struct RecordFrameTests {
    let source = SourcePosition(topic: "orders", partition: 7, offset: 123_456_789_012)

    @Test("a frame round-trips its source and payload and is 8-byte aligned")
    func roundTrip() throws {
        for payloadBytes in [0, 1, 2, 7, 100, 1000] {
            let payload = (0..<payloadBytes).map { UInt8(truncatingIfNeeded: $0 * 13) }
            var buffer: [UInt8] = []
            let written = payload.withUnsafeBytes { RecordFrame.append(source: source, bytes: $0, to: &buffer) }
            #expect(written == buffer.count)
            #expect(written % RecordFrame.alignmentBytes == 0)
            #expect(written == RecordFrame.frameBytes(topicBytes: 6, payloadBytes: payloadBytes))
            let result = buffer.withUnsafeBytes { RecordFrame.parse($0, maximumFrameBytes: 1 << 20) }
            guard case .frame(let parsed) = result else {
                Issue.record("expected a frame, got \(result)")
                return
            }
            #expect(parsed.source == source)
            #expect(parsed.frameBytes == written)
            #expect(Array(buffer[parsed.payloadRange]) == payload)
        }
    }

    @Test("the header of a 100-byte record from orders costs 44 bytes on disk")
    func overhead() {
        #expect(RecordFrame.frameBytes(topicBytes: 6, payloadBytes: 100) - 100 == 44)
        #expect(RecordFrame.headerBytes == 32)
    }

    @Test("every prefix of a frame asks for more bytes instead of trapping")
    func shortInput() {
        var buffer: [UInt8] = []
        _ = [UInt8](repeating: 9, count: 50).withUnsafeBytes { RecordFrame.append(source: source, bytes: $0, to: &buffer) }
        for length in 0..<buffer.count {
            let result = buffer.withUnsafeBytes {
                RecordFrame.parse(UnsafeRawBufferPointer(rebasing: $0[0..<length]), maximumFrameBytes: 1 << 20)
            }
            if length < RecordFrame.headerBytes {
                #expect(result == .needMoreBytes(frameBytes: RecordFrame.headerBytes))
            } else {
                #expect(result == .needMoreBytes(frameBytes: buffer.count))
            }
        }
    }

    @Test("any flipped bit in a frame is detected")
    func flippedBits() {
        var frame: [UInt8] = []
        _ = [UInt8](repeating: 0x5A, count: 37).withUnsafeBytes { RecordFrame.append(source: source, bytes: $0, to: &frame) }
        for byte in 0..<frame.count {
            for bit in 0..<8 {
                var damaged = frame
                damaged[byte] ^= UInt8(1 << bit)
                let result = damaged.withUnsafeBytes { RecordFrame.parse($0, maximumFrameBytes: 1 << 20) }
                switch result {
                case .frame: Issue.record("flip of bit \(bit) in byte \(byte) went unnoticed")
                case .invalid, .needMoreBytes, .zeroHeader: break
                }
            }
        }
    }

    @Test("zeros read as unwritten space and an oversized length as invalid")
    func zerosAndLengths() {
        let zeros = [UInt8](repeating: 0, count: 64)
        #expect(zeros.withUnsafeBytes { RecordFrame.parse($0, maximumFrameBytes: 1 << 20) } == .zeroHeader)
        var frame: [UInt8] = []
        _ = [UInt8](repeating: 1, count: 100).withUnsafeBytes { RecordFrame.append(source: source, bytes: $0, to: &frame) }
        #expect(frame.withUnsafeBytes { RecordFrame.parse($0, maximumFrameBytes: 64) } == .invalid(.badLength(138)))
    }
}
