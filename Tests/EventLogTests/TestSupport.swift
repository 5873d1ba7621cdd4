import Foundation
import Testing

@testable import EventLog

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<Result>(_ body: (String) throws -> Result) throws -> Result {
    var template = Array((NSTemporaryDirectory() + "/eventlog-test-XXXXXX").utf8CString)
    let path = try template.withUnsafeMutableBufferPointer { buffer -> String in
        guard let result = mkdtemp(buffer.baseAddress!) else { throw CocoaError(.fileWriteUnknown) }
        return String(cString: result)
    }
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// A record as the tests write and read it.
struct TestRecord: Hashable, Sendable, CustomStringConvertible {
    var source: SourcePosition
    var payload: [UInt8]

    var description: String { "\(source) [\(payload.count) bytes]" }

    /// The `index`-th record of a test log: 100-byte payloads from `orders`, partition 3.
    static func numbered(_ index: Int, payloadBytes: Int = 100) -> TestRecord {
        TestRecord(
            source: SourcePosition(topic: "orders", partition: 3, offset: Int64(1_000 + index)),
            payload: (0..<payloadBytes).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) })
    }
}

/// Appends `records` as one batch and commits it.
@discardableResult
func appendAndCommit(_ records: [TestRecord], to writer: LogWriter) throws -> LogPosition {
    for record in records { try writer.append(source: record.source, payload: record.payload) }
    return try writer.commit()
}

/// Every record of the log in `directory` from `start`, with its position.
func readAll(_ directory: String, from start: LogPosition = .zero, configuration: EventLogConfiguration = .init())
    throws -> [TestRecord]
{
    var records: [TestRecord] = []
    try LogReader(directory: directory, configuration: configuration).forEachRecord(from: start) { record, payload in
        records.append(TestRecord(source: record.source, payload: Array(payload)))
    }
    return records
}

/// Replays `recovery`, collecting the records.
func replayAll(_ recovery: Recovery) throws -> (records: [TestRecord], report: RecoveryReport) {
    var records: [TestRecord] = []
    let report = try recovery.replay { record, payload in
        records.append(TestRecord(source: record.source, payload: Array(payload)))
    }
    return (records, report)
}

func fileSize(_ path: String) throws -> Int64 {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.size] as! NSNumber).int64Value
}

/// Rewrites part of a file in place.
func modifyFile(_ path: String, _ change: (inout [UInt8]) -> Void) throws {
    var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    change(&bytes)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}
