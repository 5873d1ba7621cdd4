import Foundation
import Testing

@testable import EventLog

/// The etcd-style corruption harness: write a known log, damage it, recover, check what survives,
/// then append more and read everything back.
@Suite struct RecoveryTests {
    /// 12 records of 144 bytes each (100-byte payloads from `orders`) in 1 KiB segments:
    /// segment 0 holds records 0–6 (1008 bytes), segment 1 (base 1008) records 7–11 (720 bytes).
    static let recordCount = 12
    static let frameBytes: Int64 = 144
    static var configuration: EventLogConfiguration {
        var configuration = EventLogConfiguration()
        configuration.maximumSegmentBytes = 1024
        return configuration
    }

    enum Outcome: Sendable, CustomStringConvertible {
        /// Recovery succeeds with this many records; a torn tail of this many bytes is cut (nil: none).
        case recovers(survivors: Int, bytesCut: Int64?)
        /// Recovery throws `corrupted` naming this segment (by index) and byte offset.
        case corrupted(segment: Int, byteOffset: Int64)

        var description: String {
            switch self {
            case .recovers(let survivors, let bytesCut): "recovers \(survivors), cuts \(bytesCut.map(String.init) ?? "nothing")"
            case .corrupted(let segment, let byteOffset): "corrupted at segment \(segment) offset \(byteOffset)"
            }
        }
    }

    struct Corruption: Sendable, CustomTestStringConvertible {
        var name: String
        /// Damages the log, given the paths of its segments, oldest first.
        var corrupt: @Sendable ([String]) throws -> Void
        var outcome: Outcome

        var testDescription: String { "\(name) → \(outcome)" }
    }

    static let corruptions: [Corruption] = {
        var cases: [Corruption] = []
        // The last record starts at offset 576 of the newest segment (4 × 144).
        for cut in 0..<frameBytes {
            cases.append(Corruption(
                name: "truncate the last record after \(cut) bytes",
                corrupt: { segments in try truncate(segments[1], to: 576 + cut) },
                outcome: .recovers(survivors: recordCount - 1, bytesCut: cut == 0 ? nil : cut)))
        }
        cases.append(Corruption(
            name: "zero the last 512-byte sector",
            // The newest segment is 720 bytes: its last sector [512, 720) starts inside record 10 (at 432).
            corrupt: { segments in try modifyFile(segments[1]) { bytes in
                for index in 512..<bytes.count { bytes[index] = 0 }
            } },
            outcome: .recovers(survivors: 10, bytesCut: 720 - 432)))
        cases.append(Corruption(
            name: "zero the newest segment from a frame boundary",
            corrupt: { segments in try modifyFile(segments[1]) { bytes in
                for index in 432..<bytes.count { bytes[index] = 0 }
            } },
            outcome: .recovers(survivors: 10, bytesCut: 720 - 432)))
        cases.append(Corruption(
            name: "garbage after the last record",
            corrupt: { segments in try modifyFile(segments[1]) { bytes in bytes += [0xFF, 0x01, 0x02, 0x03, 0x04] } },
            outcome: .recovers(survivors: recordCount, bytesCut: 5)))
        cases.append(Corruption(
            name: "flip a bit in an early record",
            corrupt: { segments in try modifyFile(segments[0]) { bytes in bytes[144 + 60] ^= 0x10 } },
            outcome: .corrupted(segment: 0, byteOffset: 144)))
        cases.append(Corruption(
            name: "flip a bit in the middle of the newest segment",
            corrupt: { segments in try modifyFile(segments[1]) { bytes in bytes[288 + 40] ^= 0x01 } },
            outcome: .corrupted(segment: 1, byteOffset: 288)))
        cases.append(Corruption(
            name: "flip a bit in the last record's length word",
            corrupt: { segments in try modifyFile(segments[1]) { bytes in bytes[576] ^= 0x40 } },
            outcome: .corrupted(segment: 1, byteOffset: 576)))
        cases.append(Corruption(
            name: "zero a sector of an older segment",
            // [512, 1008) of segment 0 is zero from a sector boundary to its end: it would look torn,
            // but only the newest segment may be cut.
            corrupt: { segments in try modifyFile(segments[0]) { bytes in
                for index in 512..<bytes.count { bytes[index] = 0 }
            } },
            outcome: .corrupted(segment: 0, byteOffset: 432)))
        cases.append(Corruption(
            name: "truncate an older segment",
            corrupt: { segments in try truncate(segments[0], to: 900) },
            outcome: .corrupted(segment: 0, byteOffset: 864)))
        return cases
    }()

    @Test("a damaged log recovers every whole record or reports the corruption", arguments: corruptions)
    func corruptionHarness(corruption: Corruption) throws {
        try withTemporaryDirectory { directory in
            let configuration = Self.configuration
            let records = (0..<Self.recordCount).map { TestRecord.numbered($0) }
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            for record in records { try appendAndCommit([record], to: writer) }
            try writer.close()
            let segments = try Segment.list(in: directory)
            try #require(segments.map(\.basePosition) == [.zero, LogPosition(1008)])
            let segmentPaths = segments.map(\.path)

            try corruption.corrupt(segmentPaths)
            let sizesBefore = try segmentPaths.map(fileSize)

            switch corruption.outcome {
            case .corrupted(let segment, let byteOffset):
                let error = try #require(throws: EventLogError.self) {
                    try replayAll(try Recovery(directory: directory, configuration: configuration))
                }
                #expect(error.code == .corrupted)
                #expect(error.path == segmentPaths[segment])
                #expect(error.byteOffset == byteOffset)
                #expect(try segmentPaths.map(fileSize) == sizesBefore, "nothing is cut on corruption")

            case .recovers(let survivors, let bytesCut):
                let (recovered, report) = try replayAll(try Recovery(directory: directory, configuration: configuration))
                #expect(recovered == Array(records.prefix(survivors)))
                #expect(report.tornTail?.bytesCut == bytesCut)
                if let tornTail = report.tornTail {
                    #expect(tornTail.segmentPath == segmentPaths[1])
                    #expect(tornTail.isCut)
                    #expect(try fileSize(try #require(tornTail.brokenCopyPath)) == sizesBefore[1])
                    #expect(try fileSize(segmentPaths[1]) == tornTail.byteOffset)
                }
                #expect(report.endPosition == LogPosition(UInt64(survivors) * UInt64(Self.frameBytes)))
                #expect(report.nextOffsets == ["orders/3": Int64(1_000 + survivors)])

                // After the repair: append more, then everything reads back, and a second recovery is clean.
                let more = (100..<103).map { TestRecord.numbered($0) }
                let reopened = try LogWriter(directory: directory, resumingAt: report.endPosition, configuration: configuration)
                try appendAndCommit(more, to: reopened)
                try reopened.close()
                #expect(try readAll(directory, configuration: configuration) == Array(records.prefix(survivors)) + more)
                let (again, secondReport) = try replayAll(try Recovery(directory: directory, configuration: configuration))
                #expect(again == Array(records.prefix(survivors)) + more)
                #expect(secondReport.tornTail == nil)
                if let first = report.tornTail {
                    // A second tear is cut too, and the first repair's evidence is kept.
                    // (The records appended after the repair may have rolled a new segment.)
                    let newest = try #require(try Segment.list(in: directory).last).path
                    try modifyFile(newest) { bytes in bytes += [0xEE, 0xEE, 0xEE] }
                    let (_, thirdReport) = try replayAll(try Recovery(directory: directory, configuration: configuration))
                    #expect(thirdReport.tornTail?.bytesCut == 3)
                    let firstCopy = try #require(first.brokenCopyPath)
                    #expect(thirdReport.tornTail?.brokenCopyPath == (newest == first.segmentPath ? firstCopy + ".1" : newest + ".broken"))
                    #expect(try fileSize(firstCopy) == sizesBefore[1])
                }
            }
        }
    }

    @Test("repeated torn-tail repairs keep the newest 3 copies of the segment; retention removes a segment's copies with it")
    func brokenCopiesAreBounded() throws {
        try withTemporaryDirectory { directory in
            var configuration = EventLogConfiguration()
            configuration.maximumSegmentBytes = 1024
            var position = LogPosition.zero
            for round in 0..<5 {
                let writer = try LogWriter(directory: directory, resumingAt: position, configuration: configuration)
                try appendAndCommit([TestRecord.numbered(round, payloadBytes: 10)], to: writer)
                try writer.close()
                let newest = try #require(try Segment.list(in: directory).last)
                try Self.truncate(newest.path, to: try fileSize(newest.path) - 3)
                let (_, report) = try replayAll(try Recovery(directory: directory, configuration: configuration))
                #expect(report.tornTail?.isCut == true)
                position = report.endPosition
            }
            let segment = try #require(try Segment.list(in: directory).first)
            let copies = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".broken") }.sorted()
            let name = URL(fileURLWithPath: segment.path).lastPathComponent
            #expect(copies == [name + ".broken.2", name + ".broken.3", name + ".broken.4"])

            // Fill further segments, snapshot past the first: retention takes the segment and its copies.
            let writer = try LogWriter(directory: directory, resumingAt: position, configuration: configuration)
            for index in 0..<20 { try appendAndCommit([TestRecord.numbered(100 + index)], to: writer) }
            let store = SnapshotStore(directory: directory, snapshotsToKeep: 1)
            try store.write(Snapshot(logPosition: writer.durablePosition, nextOffsets: [:], state: []))
            try writer.close()
            let removed = try Retention.removeUnneededSegments(directory: directory, snapshotStore: store)
            #expect(removed.map(\.path).contains(segment.path))
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".broken") }.isEmpty)
        }
    }

    @Test("a seeded crash in the middle of a batch loses only records after the tear", arguments: 0..<60 as Range<UInt64>)
    func seededCrash(seed: UInt64) throws {
        try withTemporaryDirectory { directory in
            var random = SplitMix64(seed: seed)
            var configuration = EventLogConfiguration()
            configuration.maximumSegmentBytes = 4096
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            var index = 0
            func batch() -> [TestRecord] {
                (0..<(1 + Int(random.next() % 20))).map { _ in
                    index += 1
                    return TestRecord.numbered(index, payloadBytes: Int(random.next() % 300))
                }
            }
            for _ in 0..<(1 + random.next() % 4) { try appendAndCommit(batch(), to: writer) }
            let durable = writer.durablePosition
            // The batch in flight at the crash reaches the disk, then the crash tears it.
            try appendAndCommit(batch(), to: writer)
            try writer.close()
            var written: [(record: TestRecord, end: LogPosition)] = []
            try LogReader(directory: directory, configuration: configuration).forEachRecord { record, payload in
                written.append((TestRecord(source: record.source, payload: Array(payload)), record.nextPosition))
            }

            // Tear only bytes after the durable position, inside the newest segment: cut the file
            // somewhere, and maybe zero one sector (a block that never reached the disk).
            let newest = try #require(try Segment.list(in: directory).last)
            let base = Int64(newest.basePosition.byteOffset)
            let size = try fileSize(newest.path)
            let lowest = max(Int64(durable.byteOffset) - base, 0)
            let cut = lowest + Int64(random.next() % UInt64(size - lowest + 1))
            try Self.truncate(newest.path, to: cut)
            var tear = cut
            let firstSector = (lowest + 511) / 512
            if random.next() % 2 == 0, firstSector * 512 + 8 <= cut {
                let sector = firstSector + Int64(random.next() % UInt64((cut - 8 - firstSector * 512) / 512 + 1))
                tear = sector * 512
                try modifyFile(newest.path) { bytes in
                    for offset in Int(tear)..<min(Int(tear) + 512, bytes.count) { bytes[offset] = 0 }
                }
            }

            let survivors = written.filter { $0.end.byteOffset <= UInt64(base + tear) }
            let (recovered, report) = try replayAll(try Recovery(directory: directory, configuration: configuration))
            #expect(recovered == survivors.map(\.record), "seed \(seed)")
            #expect(recovered.count >= written.filter { $0.end <= durable }.count, "seed \(seed): committed records survive")
            let expectedEnd = max(UInt64(base), survivors.last?.end.byteOffset ?? 0)
            #expect(report.endPosition == LogPosition(expectedEnd), "seed \(seed)")
            #expect((report.tornTail?.bytesCut ?? 0) == cut - Int64(expectedEnd - UInt64(base)), "seed \(seed)")

            let more = [TestRecord.numbered(9_999)]
            try appendAndCommit(more, to: try LogWriter(directory: directory, resumingAt: report.endPosition, configuration: configuration))
            #expect(try readAll(directory, configuration: configuration) == survivors.map(\.record) + more, "seed \(seed)")
        }
    }

    @Test("a look-only replay reports a torn tail without changing the directory")
    func lookOnly() throws {
        try withTemporaryDirectory { directory in
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            try appendAndCommit((0..<3).map { TestRecord.numbered($0) }, to: writer)
            try writer.close()
            let path = Segment(directory: directory, basePosition: .zero).path
            try Self.truncate(path, to: 300)
            var records: [TestRecord] = []
            let report = try Recovery(directory: directory, configuration: .init()).replay(repairingTornTail: false) { record, payload in
                records.append(TestRecord(source: record.source, payload: Array(payload)))
            }
            #expect(records == (0..<2).map { TestRecord.numbered($0) })
            let tornTail = try #require(report.tornTail)
            #expect(!tornTail.isCut && tornTail.brokenCopyPath == nil)
            #expect(tornTail.byteOffset == 288 && tornTail.bytesCut == 12)
            #expect(try fileSize(path) == 300)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == [Segment.fileName(for: .zero)])
        }
    }

    @Test("a reader that meets a torn tail says to recover first")
    func readerRefusesTornTail() throws {
        try withTemporaryDirectory { directory in
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            try appendAndCommit((0..<3).map { TestRecord.numbered($0) }, to: writer)
            try writer.close()
            let path = Segment(directory: directory, basePosition: .zero).path
            try Self.truncate(path, to: 300)
            let error = try #require(throws: EventLogError.self) { try readAll(directory) }
            #expect(error.code == .tornTail)
            #expect(error.path == path)
            #expect(error.byteOffset == 288)
        }
    }

    @Test("recovery returns the snapshot's position and exactly the records after it")
    func snapshotPlusReplay() throws {
        try withTemporaryDirectory { directory in
            let configuration = Self.configuration
            let store = SnapshotStore(directory: directory)
            let records = (0..<30).map { TestRecord.numbered($0) }
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            try appendAndCommit(Array(records[0..<17]), to: writer)
            // The "state" is the straight fold of the events so far: here, the sum of payload bytes.
            let snapshotPosition = writer.durablePosition
            let folded = Self.fold(records[0..<17])
            try store.write(Snapshot(logPosition: snapshotPosition, nextOffsets: ["orders/3": 1_017], state: folded))
            try appendAndCommit(Array(records[17...]), to: writer)
            try writer.close()

            let recovery = try Recovery(directory: directory, configuration: configuration)
            let snapshot = try #require(recovery.snapshot)
            #expect(snapshot.logPosition == snapshotPosition)
            #expect(recovery.rejectedSnapshots.isEmpty)
            let (replayed, report) = try replayAll(recovery)
            #expect(replayed == Array(records[17...]))
            #expect(report.snapshotPosition == snapshotPosition)
            #expect(report.replayedRecordCount == 13)
            #expect(report.nextOffsets == ["orders/3": 1_030])
            // Snapshot + replay equals the straight fold of all events.
            #expect(Self.fold(snapshot.state, replayed[...]) == Self.fold(records[...]))
        }
    }

    @Test("recovery advances the snapshot's next offsets past every replayed record of every source")
    func nextOffsetsPerSource() throws {
        try withTemporaryDirectory { directory in
            let store = SnapshotStore(directory: directory)
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            try store.write(Snapshot(logPosition: .zero, nextOffsets: ["carts/3": 40, "orders/3": 5], state: []))
            let sources = [("orders", 5), ("orders", 6), ("inventory", 0), ("orders", 7), ("inventory", 1), ("inventory", 2)]
            for (topic, offset) in sources {
                try writer.append(source: SourcePosition(topic: topic, partition: 3, offset: Int64(offset)), payload: [1])
            }
            try writer.commit()
            let (_, report) = try replayAll(try Recovery(directory: directory, configuration: .init()))
            #expect(report.nextOffsets == ["carts/3": 40, "orders/3": 8, "inventory/3": 3])
        }
    }

    @Test("without a valid snapshot, a log that no longer starts at 0 is a clear error")
    func missingHistory() throws {
        try withTemporaryDirectory { directory in
            let configuration = Self.configuration
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            try appendAndCommit((0..<20).map { TestRecord.numbered($0) }, to: writer)
            try writer.close()
            try EventLog.Retention.removeSegments(directory: directory, entirelyBefore: LogPosition(2000))
            let error = try #require(throws: EventLogError.self) {
                try Recovery(directory: directory, configuration: configuration)
            }
            #expect(error.code == .missingSegments)
            #expect(error.message.contains("no valid snapshot"))
        }
    }

    @Test("a new task directory recovers to an empty log")
    func emptyDirectory() throws {
        try withTemporaryDirectory { parent in
            let directory = parent + "/task-0"
            let (records, report) = try replayAll(try Recovery(directory: directory, configuration: .init()))
            #expect(records.isEmpty)
            #expect(report.endPosition == .zero)
            let writer = try LogWriter(directory: directory, resumingAt: report.endPosition, configuration: .init())
            try appendAndCommit([TestRecord.numbered(0)], to: writer)
            #expect(try readAll(directory) == [TestRecord.numbered(0)])
        }
    }

    static func fold(_ start: [UInt8] = [0, 0, 0, 0], _ records: ArraySlice<TestRecord>) -> [UInt8] {
        var sum = start.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
        for record in records { sum &+= record.payload.reduce(UInt32(record.source.offset)) { $0 &+ UInt32($1) } }
        return withUnsafeBytes(of: sum.littleEndian) { Array($0) }
    }

    static func fold(_ records: ArraySlice<TestRecord>) -> [UInt8] { fold([0, 0, 0, 0], records) }

    static func truncate(_ path: String, to size: Int64) throws {
        let file = try LogFile.openForWriting(path)
        try file.truncate(to: size)
    }
}
