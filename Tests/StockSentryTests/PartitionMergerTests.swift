import Kafka
import StockModel
import Testing

@testable import StockSentry

@Suite struct PartitionMergerTests {
    static let start = ContinuousClock.now

    static func record(_ role: InputTopic, offset: Int64, time: Int64, bad: Bool = false) -> BufferedRecord {
        let kafka = KafkaRecord(topic: role.rawValue, partition: 0, offset: offset, timestampMilliseconds: time,
                                key: Array("SKU".utf8), value: [])
        let decoded: Result<StockEvent, EventRejection> = bad
            ? .failure(EventRejection(reason: "bad"))
            : .success(.interaction(InteractionEvent(eventID: "\(role)-\(offset)", sku: "SKU", kind: .like,
                                                     time: EventTime(millisecondsSinceEpoch: time), roomID: nil, text: nil)))
        return BufferedRecord(record: kafka, role: role, decoded: decoded,
                              mergeTime: EventTime(millisecondsSinceEpoch: bad ? .min : time))
    }

    /// A merger whose every lane is known to be caught up, so it never waits.
    static func caughtUp() -> PartitionMerger {
        var merger = PartitionMerger(maximumIdle: .milliseconds(500))
        for role in InputTopic.allCases { merger.updateHighWatermark(role, 0) }
        return merger
    }

    static func drain(_ merger: inout PartitionMerger, at now: ContinuousClock.Instant = start) -> [String] {
        var released: [String] = []
        while case .process(let record) = merger.next(now: now) {
            released.append("\(record.role.rawValue)@\(record.record.offset)")
        }
        return released
    }

    @Test("the head with the smallest event time goes first across partitions")
    func smallestTimeFirst() {
        var merger = Self.caughtUp()
        merger.enqueue(Self.record(.orders, offset: 0, time: 300))
        merger.enqueue(Self.record(.carts, offset: 0, time: 100))
        merger.enqueue(Self.record(.inventory, offset: 0, time: 200))
        for role in [InputTopic.orders, .carts, .inventory] { merger.updateHighWatermark(role, 1) }
        #expect(Self.drain(&merger) == ["carts@0", "inventory@0", "orders@0"])
    }

    @Test("ties go to inventory, then orders, carts, interactions, then offset")
    func tieBreak() {
        var merger = Self.caughtUp()
        merger.enqueue(Self.record(.interactions, offset: 0, time: 100))
        merger.enqueue(Self.record(.carts, offset: 0, time: 100))
        merger.enqueue(Self.record(.orders, offset: 0, time: 100))
        merger.enqueue(Self.record(.inventory, offset: 0, time: 100))
        merger.enqueue(Self.record(.inventory, offset: 1, time: 100))
        for role in InputTopic.allCases { merger.updateHighWatermark(role, 1) }
        merger.updateHighWatermark(.inventory, 2)
        #expect(Self.drain(&merger) == ["inventory@0", "inventory@1", "orders@0", "carts@0", "interactions@0"])
    }

    @Test("an empty partition with unknown lag is waited for, but no longer than the idle limit")
    func waitsForUnknownLag() {
        var merger = PartitionMerger(maximumIdle: .milliseconds(500))
        merger.enqueue(Self.record(.orders, offset: 0, time: 100))
        guard case .wait = merger.next(now: Self.start) else { Issue.record("expected a wait"); return }
        guard case .wait = merger.next(now: Self.start + .milliseconds(499)) else { Issue.record("expected a wait"); return }
        guard case .process(let record) = merger.next(now: Self.start + .milliseconds(500)) else {
            Issue.record("expected the record after the idle limit"); return
        }
        #expect(record.role == .orders)
    }

    @Test("a partition known to have more records is waited for; a caught-up one is not")
    func waitsOnlyForLag() {
        var merger = Self.caughtUp()
        merger.enqueue(Self.record(.orders, offset: 0, time: 100))
        merger.updateHighWatermark(.orders, 1)
        merger.updateHighWatermark(.inventory, 5)
        guard case .wait = merger.next(now: Self.start) else { Issue.record("inventory has lag 5: expected a wait"); return }
        merger.enqueue(Self.record(.inventory, offset: 4, time: 50))
        #expect(Self.drain(&merger) == ["inventory@4", "orders@0"])
    }

    @Test("records behind the stream time are released in arrival order and counted late")
    func lateRecords() {
        var merger = Self.caughtUp()
        merger.enqueue(Self.record(.orders, offset: 0, time: 500))
        merger.enqueue(Self.record(.orders, offset: 1, time: 100))
        merger.updateHighWatermark(.orders, 2)
        #expect(Self.drain(&merger) == ["orders@0", "orders@1"])
        #expect(merger.lateRecords == 1)
        #expect(merger.streamTime == EventTime(millisecondsSinceEpoch: 500))
    }

    @Test("a rejected record goes out first and does not move the stream time")
    func rejectedFirst() {
        var merger = Self.caughtUp()
        merger.enqueue(Self.record(.inventory, offset: 0, time: 100))
        merger.enqueue(Self.record(.orders, offset: 0, time: 0, bad: true))
        for role in [InputTopic.orders, .inventory] { merger.updateHighWatermark(role, 1) }
        #expect(Self.drain(&merger) == ["orders@0", "inventory@0"])
        #expect(merger.streamTime == EventTime(millisecondsSinceEpoch: 100))
        #expect(merger.lateRecords == 0)
    }
}
