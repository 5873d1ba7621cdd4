/// Exact units per event-time minute for the last 30 minutes: a ring of 30 buckets (O(1) memory).
///
/// `rate_per_min` is what operators compute by hand, "units sold in the last 30 minutes ÷ 30", so it
/// is counted exactly here rather than approximated by a decayed counter: the current (partial)
/// minute plus the 29 before it. A unit older than the ring when it arrives (a very late event) is
/// not counted here; ``droppedUnits`` says how many.
public struct TrailingMinuteCounts: Sendable, Equatable {
    /// How many one-minute buckets the ring holds.
    public static let minutes = 30
    var units = MinuteBuckets(repeating: 0)
    var bucketMinute = MinuteBuckets(repeating: .min)
    /// Units that arrived too late for the ring.
    public internal(set) var droppedUnits: Int64 = 0

    /// Creates an empty ring.
    public init() {}

    static func minute(of time: EventTime) -> Int64 {
        let milliseconds = time.millisecondsSinceEpoch
        return milliseconds >= 0 ? milliseconds / 60_000 : (milliseconds + 1) / 60_000 - 1
    }

    /// Adds `quantity` units at `time`.
    public mutating func add(_ quantity: Int64, at time: EventTime) {
        let minute = Self.minute(of: time)
        let index = Int(((minute % Int64(Self.minutes)) + Int64(Self.minutes)) % Int64(Self.minutes))
        if bucketMinute[index] == minute {
            units[index] = SKULedger.saturatingAdd(units[index], quantity)
        } else if bucketMinute[index] < minute {
            bucketMinute[index] = minute
            units[index] = quantity
        } else {
            droppedUnits = SKULedger.saturatingAdd(droppedUnits, quantity)
        }
    }

    /// Units in the minute of `time` and the 29 minutes before it.
    public func total(at time: EventTime) -> Int64 {
        let minute = Self.minute(of: time)
        var total: Int64 = 0
        for index in 0..<Self.minutes where bucketMinute[index] <= minute && bucketMinute[index] > minute - Int64(Self.minutes) {
            total = SKULedger.saturatingAdd(total, units[index])
        }
        return total
    }
}

/// Thirty `Int64`s stored inline: a SKU's ring costs no allocation and no array header.
struct MinuteBuckets: Sendable, Equatable {
    private var storage: (
        Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64,
        Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64
    )

    /// Every bucket set to `value`.
    init(repeating value: Int64) {
        storage = (
            value, value, value, value, value, value, value, value, value, value, value, value, value, value, value,
            value, value, value, value, value, value, value, value, value, value, value, value, value, value, value
        )
    }

    /// Bucket `index`, 0..<30; the index is checked.
    subscript(index: Int) -> Int64 {
        get {
            precondition(index >= 0 && index < TrailingMinuteCounts.minutes, "bucket index out of range")
            return withUnsafeBytes(of: storage) { $0.load(fromByteOffset: index * 8, as: Int64.self) }
        }
        set {
            precondition(index >= 0 && index < TrailingMinuteCounts.minutes, "bucket index out of range")
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: newValue, toByteOffset: index * 8, as: Int64.self) }
        }
    }

    static func == (lhs: MinuteBuckets, rhs: MinuteBuckets) -> Bool {
        (0..<TrailingMinuteCounts.minutes).allSatisfy { lhs[$0] == rhs[$0] }
    }
}
