import Foundation
import Testing

@testable import EventLog

@Suite struct SnapshotStoreTests {
    static func snapshot(at position: UInt64, state: String = "state") -> Snapshot {
        Snapshot(
            logPosition: LogPosition(position),
            nextOffsets: ["orders/3": Int64(position) + 1, "inventory/3": 7, "carts/3": 0],
            state: Array(state.utf8))
    }

    @Test("a snapshot round-trips and encodes deterministically")
    func roundTrip() throws {
        let original = Self.snapshot(at: 4096, state: String(repeating: "sku", count: 1000))
        let bytes = original.encoded()
        #expect(try Snapshot(decoding: bytes) == original)
        #expect(Self.snapshot(at: 4096, state: String(repeating: "sku", count: 1000)).encoded() == bytes)
    }

    @Test("a flipped byte anywhere in a snapshot fails its checksum")
    func flippedByte() throws {
        let bytes = Self.snapshot(at: 144).encoded()
        for index in bytes.indices {
            var damaged = bytes
            damaged[index] ^= 0x08
            let error = try #require(throws: EventLogError.self) { try Snapshot(decoding: damaged, path: "s") }
            #expect(error.code == .corrupted, "byte \(index)")
        }
    }

    @Test("a leftover temp file is ignored and removed by the next write")
    func leftoverTemporaryFile() throws {
        try withTemporaryDirectory { directory in
            let store = SnapshotStore(directory: directory)
            try store.write(Self.snapshot(at: 144))
            // A crash between writing the temp file and renaming it leaves this behind.
            let leftover = store.path(for: LogPosition(288)) + SnapshotStore.temporaryExtension
            try Data(Self.snapshot(at: 288).encoded().prefix(20)).write(to: URL(fileURLWithPath: leftover))
            let (snapshot, rejected) = try store.loadNewestValid()
            #expect(snapshot == Self.snapshot(at: 144))
            #expect(rejected.isEmpty)
            try store.write(Self.snapshot(at: 432))
            #expect(!FileManager.default.fileExists(atPath: leftover))
        }
    }

    @Test("a corrupt newest snapshot falls back to the previous one and a longer replay")
    func fallback() throws {
        try withTemporaryDirectory { directory in
            let store = SnapshotStore(directory: directory)
            let records = (0..<10).map { TestRecord.numbered($0) }
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: .init())
            try appendAndCommit(Array(records[0..<4]), to: writer)
            try store.write(Snapshot(logPosition: writer.durablePosition, nextOffsets: ["orders/3": 1_004], state: [4]))
            try appendAndCommit(Array(records[4..<7]), to: writer)
            let newest = try store.write(Snapshot(logPosition: writer.durablePosition, nextOffsets: ["orders/3": 1_007], state: [7]))
            try appendAndCommit(Array(records[7...]), to: writer)
            try writer.close()
            try modifyFile(newest) { bytes in bytes[bytes.count / 2] ^= 0x01 }

            let recovery = try Recovery(directory: directory, configuration: .init())
            #expect(recovery.snapshot?.state == [4])
            #expect(recovery.rejectedSnapshots.count == 1)
            #expect(recovery.rejectedSnapshots.first?.code == .corrupted)
            #expect(recovery.rejectedSnapshots.first?.path == newest)
            #expect(recovery.rejectedSnapshots.first?.message.contains("fails its checksum") == true)
            let (replayed, report) = try replayAll(recovery)
            #expect(replayed == Array(records[4...]))
            #expect(report.nextOffsets == ["orders/3": 1_010])
            #expect(report.rejectedSnapshots.count == 1)
        }
    }

    @Test("only the newest K snapshots are kept and retention removes exactly the segments none of them needs")
    func keepLastAndRetention() throws {
        try withTemporaryDirectory { directory in
            var configuration = EventLogConfiguration()
            configuration.maximumSegmentBytes = 1024  // 7 records of 144 bytes per segment
            let store = SnapshotStore(directory: directory, snapshotsToKeep: 2)
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            var snapshotPositions: [LogPosition] = []
            for index in 0..<40 {
                try appendAndCommit([TestRecord.numbered(index)], to: writer)
                if index % 10 == 9 {
                    try store.write(Snapshot(logPosition: writer.durablePosition, nextOffsets: [:], state: []))
                    snapshotPositions.append(writer.durablePosition)
                }
            }
            try writer.close()
            // Snapshots after records 10, 20, 30 and 40: positions 1440, 2880, 4320, 5760. Keep the last two.
            #expect(try store.files().map(\.logPosition) == [snapshotPositions[3], snapshotPositions[2]])

            let before = try Segment.list(in: directory)
            #expect(before.map(\.basePosition.byteOffset) == [0, 1008, 2016, 3024, 4032, 5040])
            let removed = try Retention.removeUnneededSegments(directory: directory, snapshotStore: store)
            // The oldest kept snapshot is at 4320, inside the segment starting at 4032: every segment
            // before that one goes, and that one stays.
            #expect(removed.map(\.basePosition.byteOffset) == [0, 1008, 2016, 3024])
            #expect(try Segment.list(in: directory).map(\.basePosition.byteOffset) == [4032, 5040])

            // Both kept snapshots still recover, the older one with a longer replay.
            let (replayed, _) = try replayAll(try Recovery(directory: directory, configuration: configuration))
            #expect(replayed.isEmpty)
            try FileManager.default.removeItem(atPath: store.path(for: snapshotPositions[3]))
            let (longer, _) = try replayAll(try Recovery(directory: directory, configuration: configuration))
            #expect(longer == (30..<40).map { TestRecord.numbered($0) })
        }
    }

    @Test("retention keeps everything while there is no snapshot")
    func noSnapshotNoRetention() throws {
        try withTemporaryDirectory { directory in
            var configuration = EventLogConfiguration()
            configuration.maximumSegmentBytes = 1024
            let writer = try LogWriter(directory: directory, resumingAt: .zero, configuration: configuration)
            try appendAndCommit((0..<20).map { TestRecord.numbered($0) }, to: writer)
            let removed = try Retention.removeUnneededSegments(directory: directory, snapshotStore: SnapshotStore(directory: directory))
            #expect(removed.isEmpty)
            #expect(try Segment.list(in: directory).count == 3)
        }
    }
}

@Suite struct SnapshotScheduleTests {
    static let cases: [(Int, Duration, Bool)] = [
        (0, .seconds(3600), false),
        (1, .seconds(59), false),
        (1, .seconds(60), true),
        (9_999, .zero, false),
        (10_000, .zero, true),
        (25_000, .seconds(1), true),
    ]

    @Test("a snapshot is due after N events or T seconds, and never with nothing new", arguments: cases)
    func schedule(events: Int, elapsed: Duration, due: Bool) {
        #expect(SnapshotSchedule().shouldSnapshot(eventsSinceLast: events, elapsed: elapsed) == due)
    }
}
