import Testing

@testable import EventLog

@Suite struct LogWriterTests {
    @Test("many records across several segment rolls read back exactly")
    func segmentRolls() throws {
        try withTemporaryDirectory { directory in
            var configuration = EventLogConfiguration()
            configuration.maximumSegmentBytes = 4096
            configuration.maximumPendingBytes = 1000
            configuration.readChunkBytes = 256  // smaller than some frames: exercises buffer refills and growth
            var generator = SplitMix64(seed: 7)
            let records = (0..<500).map { index in
                TestRecord.numbered(index, payloadBytes: Int(generator.next() % 700))
            }
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            var durable = LogPosition.zero
            for batch in stride(from: 0, to: records.count, by: 37) {
                durable = try appendAndCommit(Array(records[batch..<min(batch + 37, records.count)]), to: writer)
            }
            try writer.close()

            let segments = try Segment.list(in: directory)
            #expect(segments.count > 10)
            #expect(segments.first?.basePosition == .zero)
            for (segment, next) in zip(segments, segments.dropFirst()) {
                let size = try fileSize(segment.path)
                #expect(size <= Int64(configuration.maximumSegmentBytes))
                #expect(segment.basePosition.byteOffset + UInt64(size) == next.basePosition.byteOffset)
            }
            #expect(try readAll(directory, configuration: configuration) == records)
            let end = try LogReader(directory: directory, configuration: configuration).forEachRecord { _, _ in }
            #expect(end == durable)
        }
    }

    @Test("segment files are named by their first log position")
    func segmentNames() {
        #expect(Segment.fileName(for: LogPosition(67_108_880)) == "00000000000067108880.log")
        #expect(Segment.basePosition(fromFileName: "00000000000067108880.log") == LogPosition(67_108_880))
        #expect(Segment.basePosition(fromFileName: "00000000000067108880.log.broken") == nil)
        #expect(Segment.basePosition(fromFileName: "12.log") == nil)
    }

    @Test("commit moves the durable position once per batch and append returns each record's start")
    func groupCommit() throws {
        try withTemporaryDirectory { directory in
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            let first = try writer.append(source: TestRecord.numbered(0).source, payload: TestRecord.numbered(0).payload)
            let second = try writer.append(source: TestRecord.numbered(1).source, payload: TestRecord.numbered(1).payload)
            #expect(first == .zero)
            #expect(second == LogPosition(144))
            #expect(writer.durablePosition == .zero)
            #expect(writer.uncommittedRecordCount == 2)
            #expect(try fileSize(Segment(directory: directory, basePosition: .zero).path) == 0)
            #expect(try writer.commit() == LogPosition(288))
            #expect(writer.durablePosition == LogPosition(288))
            #expect(writer.uncommittedRecordCount == 0)
            #expect(try readAll(directory) == [TestRecord.numbered(0), TestRecord.numbered(1)])
        }
    }

    @Test("a record over maximumRecordBytes is refused and the writer stays usable")
    func tooLarge() throws {
        try withTemporaryDirectory { directory in
            var configuration = EventLogConfiguration()
            configuration.maximumRecordBytes = 64
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            let error = try #require(throws: EventLogError.self) {
                try writer.append(source: TestRecord.numbered(0).source, payload: [UInt8](repeating: 1, count: 65))
            }
            #expect(error.code == .tooLarge)
            try appendAndCommit([TestRecord.numbered(1, payloadBytes: 64)], to: writer)
            #expect(try readAll(directory, configuration: configuration) == [TestRecord.numbered(1, payloadBytes: 64)])
        }
    }

    @Test("reading from a record boundary in a later segment returns exactly the records after it")
    func readFromPosition() throws {
        try withTemporaryDirectory { directory in
            var configuration = EventLogConfiguration()
            configuration.maximumSegmentBytes = 1024
            let records = (0..<40).map { TestRecord.numbered($0) }
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            try appendAndCommit(records, to: writer)
            var positions: [LogPosition] = []
            try LogReader(directory: directory, configuration: configuration).forEachRecord { record, _ in
                positions.append(record.position)
            }
            for index in [0, 6, 7, 8, 21, 39] {
                #expect(try readAll(directory, from: positions[index], configuration: configuration) == Array(records[index...]))
            }
        }
    }

    @Test("a writer refuses to open anywhere but the end of the log")
    func openAtWrongEnd() throws {
        try withTemporaryDirectory { directory in
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            try appendAndCommit([TestRecord.numbered(0)], to: writer)
            try writer.close()
            let error = try #require(throws: EventLogError.self) {
                try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            }
            #expect(error.code == .corrupted)
            let reopened = try LogWriter(directory: directory, resumingAt: LogPosition(144), configuration: .init())
            try appendAndCommit([TestRecord.numbered(1)], to: reopened)
            #expect(try readAll(directory) == [TestRecord.numbered(0), TestRecord.numbered(1)])
        }
    }
}
