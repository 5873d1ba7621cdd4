import Foundation
import Testing

@testable import EventLog

@Suite struct EventLogErrorTests {
    @Test("ENOSPC and EDQUOT map to diskFull with advice, other errnos to io")
    func errnoMapping() {
        let full = EventLogError.systemCall("pwrite", path: "/data/task-0/00000000000000000000.log", errorNumber: ENOSPC, byteOffset: 4096)
        #expect(full.code == .diskFull)
        #expect(full.message.contains("not durable"))
        #expect(EventLogError.systemCall("pwrite", path: "p", errorNumber: EDQUOT).code == .diskFull)
        #expect(EventLogError.systemCall("open", path: "p", errorNumber: EACCES).code == .io)
        #expect(full.description.contains("path: /data/task-0/00000000000000000000.log"))
        #expect(full.description.contains("byte offset: 4096"))
        #expect(full.description.contains("errno: \(ENOSPC)"))
    }

    @Test("a full disk fails the commit with diskFull and the writer then refuses further use", .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func diskFull() throws {
        try withTemporaryDirectory { directory in
            // /dev/full accepts the open and fails every write with ENOSPC: a disk that just filled up.
            try FileManager.default.createSymbolicLink(
                atPath: Segment(directory: directory, basePosition: .zero).path, withDestinationPath: "/dev/full")
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            try writer.append(source: TestRecord.numbered(0).source, payload: TestRecord.numbered(0).payload)
            let error = try #require(throws: EventLogError.self) { try writer.commit() }
            #expect(error.code == .diskFull)
            #expect(error.systemErrorNumber == ENOSPC)
            #expect(writer.durablePosition == .zero)
            let refused = try #require(throws: EventLogError.self) {
                try writer.append(source: TestRecord.numbered(1).source, payload: TestRecord.numbered(1).payload)
            }
            #expect(refused.code == .closed)
        }
    }
}
