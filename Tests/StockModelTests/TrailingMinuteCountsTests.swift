import Testing

@testable import StockModel

@Suite struct TrailingMinuteCountsTests {
    static func time(_ seconds: Int64) -> EventTime { EventTime(millisecondsSinceEpoch: 60_000_000 + seconds * 1000) }

    @Test("the total covers the current minute and the 29 before it, exactly")
    func lastThirtyMinutes() {
        var counts = TrailingMinuteCounts()
        for minute in Int64(0)..<40 { counts.add(minute + 1, at: Self.time(minute * 60 + 30)) }
        // At minute 39: minutes 10…39 hold 11…40 units.
        #expect(counts.total(at: Self.time(39 * 60 + 59)) == (11...40).reduce(0, +))
        // Ten minutes with no sales later, minutes 20…39 remain.
        #expect(counts.total(at: Self.time(49 * 60)) == (21...40).reduce(0, +))
        #expect(counts.total(at: Self.time(100 * 60)) == 0)
    }

    @Test("a unit older than the ring is not counted, and is reported")
    func tooLate() {
        var counts = TrailingMinuteCounts()
        counts.add(5, at: Self.time(40 * 60))
        counts.add(3, at: Self.time(35 * 60))  // late but within the ring
        counts.add(2, at: Self.time(5 * 60))  // 35 minutes late
        #expect(counts.total(at: Self.time(40 * 60)) == 8)
        #expect(counts.droppedUnits == 2)
    }
}
