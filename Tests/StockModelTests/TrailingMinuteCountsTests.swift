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

/// The ring as it was before minutes became `Int32` offsets and units `Int32`: full `Int64`s, the reference
/// the compact ring must match exactly.
private struct ReferenceMinuteCounts {
    var units = [Int64](repeating: 0, count: 30)
    var bucketMinute = [Int64](repeating: .min, count: 30)
    var droppedUnits: Int64 = 0

    mutating func add(_ quantity: Int64, at time: EventTime) {
        let minute = TrailingMinuteCounts.minute(of: time)
        let index = Int(((minute % 30) + 30) % 30)
        if bucketMinute[index] == minute {
            units[index] = SKULedger.saturatingAdd(units[index], quantity)
        } else if bucketMinute[index] < minute {
            bucketMinute[index] = minute
            units[index] = quantity
        } else {
            droppedUnits = SKULedger.saturatingAdd(droppedUnits, quantity)
        }
    }

    func total(at time: EventTime) -> Int64 {
        let minute = TrailingMinuteCounts.minute(of: time)
        var total: Int64 = 0
        for index in 0..<30 where bucketMinute[index] <= minute && bucketMinute[index] > minute - 30 {
            total = SKULedger.saturatingAdd(total, units[index])
        }
        return total
    }
}

@Suite struct CompactRingTests {
    /// One input shape: how event times and quantities are drawn.
    struct Shape: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var time: @Sendable (inout SplitMix64) -> Int64
        var quantity: @Sendable (inout SplitMix64) -> Int64
    }

    static let milliseconds: Int64 = 1_795_422_600_000

    static let shapes: [Shape] = [
        Shape(
            testDescription: "millisecond times, small quantities",
            time: { milliseconds + Int64($0.next() % 3_600_000) }, quantity: { Int64($0.next() % 5) + 1 }),
        Shape(
            testDescription: "microsecond times (offsets from base 0 do not fit; the base moves)",
            time: { milliseconds * 1000 + Int64($0.next() % 3_600_000_000) }, quantity: { Int64($0.next() % 5) + 1 }),
        Shape(
            testDescription: "millisecond and microsecond times mixed (full minutes)",
            time: { $0.next() % 2 == 0 ? milliseconds + Int64($0.next() % 3_600_000) : milliseconds * 1000 },
            quantity: { Int64($0.next() % 5) + 1 }),
        Shape(
            testDescription: "extreme times and quantities beyond Int32",
            time: {
                switch $0.next() % 4 {
                case 0: Int64.max - Int64($0.next() % 7_200_000)
                case 1: Int64.min + Int64($0.next() % 7_200_000)
                case 2: -Int64($0.next() % 7_200_000)
                default: milliseconds + Int64($0.next() % 7_200_000)
                }
            },
            quantity: { $0.next() % 3 == 0 ? Int64.max / 3 : Int64($0.next() % 3_000_000_000) - 1_000_000_000 }),
    ]

    @Test("the compact ring gives exactly the totals and drops of full Int64 buckets", arguments: shapes)
    func matchesReference(_ shape: Shape) throws {
        var random = SplitMix64(seed: 0x5EED)
        var ring = TrailingMinuteCounts()
        var reference = ReferenceMinuteCounts()
        for _ in 0..<2_000 {
            let time = EventTime(millisecondsSinceEpoch: shape.time(&random))
            let quantity = shape.quantity(&random)
            ring.add(quantity, at: time)
            reference.add(quantity, at: time)
            let query = EventTime(millisecondsSinceEpoch: shape.time(&random))
            #expect(ring.total(at: query) == reference.total(at: query))
            #expect(ring.total(at: time) == reference.total(at: time))
        }
        #expect(ring.droppedUnits == reference.droppedUnits)
        for index in 0..<TrailingMinuteCounts.minutes {
            #expect(ring.bucketMinute(index) == reference.bucketMinute[index])
            #expect(ring.bucketUnits(index) == reference.units[index])
        }
    }

    @Test("a minute that fits no Int32 offset switches to full minutes, exactly")
    func wideMinutes() {
        var ring = TrailingMinuteCounts()
        // Minute 29,923,711 (slot 1) in milliseconds, then the same instant in microseconds (slot 0):
        // 29,923,710,000 minutes, whose distance to the first does not fit an Int32 from any base.
        let milliseconds = EventTime(millisecondsSinceEpoch: Self.milliseconds + 60_000)
        let microseconds = EventTime(millisecondsSinceEpoch: Self.milliseconds * 1000)
        ring.add(3, at: milliseconds)
        #expect(!ring.storesWideMinutes)
        ring.add(4, at: microseconds)
        #expect(ring.storesWideMinutes)
        #expect(ring.total(at: milliseconds) == 3)
        #expect(ring.total(at: microseconds) == 4)
    }

    @Test("units beyond Int32 switch to full units, exactly")
    func wideUnits() {
        var ring = TrailingMinuteCounts()
        let time = EventTime(millisecondsSinceEpoch: Self.milliseconds)
        ring.add(Int64(Int32.max), at: time)
        #expect(!ring.storesWideUnits)
        ring.add(1, at: time)
        #expect(ring.storesWideUnits)
        #expect(ring.total(at: time) == Int64(Int32.max) + 1)
    }

    @Test("a ring with full minutes and units survives a snapshot round trip byte for byte", arguments: shapes)
    func snapshotRoundTrip(_ shape: Shape) throws {
        var random = SplitMix64(seed: 0xB17E5)
        var ring = TrailingMinuteCounts()
        for _ in 0..<200 {
            // The snapshot keeps times within ±10^18 ms, so extreme shapes are folded into that range.
            let time = shape.time(&random) % 1_000_000_000_000_000
            ring.add(shape.quantity(&random), at: EventTime(millisecondsSinceEpoch: time))
        }
        var writer = SnapshotWriter()
        ring.writeSnapshot(to: &writer)
        var reader = SnapshotReader(writer.bytes)
        let restored = try TrailingMinuteCounts(snapshotFrom: &reader, "the ring")
        #expect(restored == ring)
        var rewriter = SnapshotWriter()
        restored.writeSnapshot(to: &rewriter)
        #expect(rewriter.bytes == writer.bytes)
    }
}
