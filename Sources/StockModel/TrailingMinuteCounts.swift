/// Exact units per event-time minute for the last 30 minutes: a ring of 30 buckets (O(1) memory).
///
/// `rate_per_min` is what operators compute by hand, "units sold in the last 30 minutes ÷ 30", so it
/// is counted exactly here rather than approximated by a decayed counter: the current (partial)
/// minute plus the 29 before it. A unit older than the ring when it arrives (a very late event) is
/// not counted here; ``droppedUnits`` says how many.
///
/// A bucket's minute is stored as an `Int32` offset from ``baseMinute`` (epoch-millisecond minutes fit
/// from base 0 for thousands of years). A minute that does not fit moves the base when every used
/// bucket still fits from the new one; otherwise (say, microsecond timestamps mixed with millisecond
/// ones) the ring keeps every minute in full in ``wideMinutes`` from then on. Units are `Int32` the
/// same way, with ``wideUnits`` once a bucket's units do not fit. Either way what reads back is
/// exactly what was stored: 30 × 4 + 30 × 4 bytes instead of 30 × 8 + 30 × 8.
public struct TrailingMinuteCounts: Sendable {
    /// How many one-minute buckets the ring holds.
    public static let minutes = 30
    /// The offset of a bucket never used; its minute reads as `Int64.min`.
    private static let emptyOffset = Int32.min
    /// The minute a bucket never used reads as.
    static let emptyMinute = Int64.min

    /// Each bucket's units; unused once ``wideUnits`` is set.
    private var narrowUnits = MinuteBuckets<Int32>(repeating: 0)
    /// Each bucket's minute − ``baseMinute``, or ``emptyOffset``; unused once ``wideMinutes`` is set.
    private var minuteOffsets = MinuteBuckets<Int32>(repeating: emptyOffset)
    /// The minute the offsets count from.
    private var baseMinute: Int64 = 0
    /// Every bucket's full minute, once some minute did not fit an offset; nil until then.
    private var wideMinutes: [Int64]?
    /// Every bucket's units in full, once some bucket's units did not fit an `Int32`; nil until then.
    private var wideUnits: [Int64]?
    /// Units that arrived too late for the ring.
    public internal(set) var droppedUnits: Int64 = 0

    /// Creates an empty ring.
    public init() {}

    static func minute(of time: EventTime) -> Int64 {
        let milliseconds = time.millisecondsSinceEpoch
        return milliseconds >= 0 ? milliseconds / 60_000 : (milliseconds + 1) / 60_000 - 1
    }

    /// True once the ring keeps full minutes (some minute did not fit an `Int32` offset).
    var storesWideMinutes: Bool { wideMinutes != nil }
    /// True once the ring keeps full units (some bucket's units did not fit an `Int32`).
    var storesWideUnits: Bool { wideUnits != nil }

    /// The units of bucket `index`, 0..<30.
    func bucketUnits(_ index: Int) -> Int64 {
        if let wideUnits { return wideUnits[index] }
        return Int64(narrowUnits[index])
    }

    /// Sets the units of bucket `index` to `units`, exactly.
    mutating func setBucketUnits(_ index: Int, to units: Int64) {
        if wideUnits != nil {
            wideUnits![index] = units
        } else if let narrow = Int32(exactly: units) {
            narrowUnits[index] = narrow
        } else {
            var wide = (0..<Self.minutes).map { bucketUnits($0) }
            wide[index] = units
            wideUnits = wide
        }
    }

    /// The minute of bucket `index`, 0..<30; `Int64.min` for a bucket never used.
    func bucketMinute(_ index: Int) -> Int64 {
        if let wideMinutes { return wideMinutes[index] }
        let offset = minuteOffsets[index]
        return offset == Self.emptyOffset ? Self.emptyMinute : baseMinute &+ Int64(offset)
    }

    /// Sets the minute of bucket `index` to `minute` (not `Int64.min`), exactly.
    mutating func setBucketMinute(_ index: Int, to minute: Int64) {
        if wideMinutes != nil {
            wideMinutes![index] = minute
            return
        }
        if let offset = Self.offset(of: minute, from: baseMinute) {
            minuteOffsets[index] = offset
            return
        }
        let used = (0..<Self.minutes).filter { minuteOffsets[$0] != Self.emptyOffset }
        let rebased = used.compactMap { usedIndex in
            Self.offset(of: bucketMinute(usedIndex), from: minute).map { (usedIndex, $0) }
        }
        if rebased.count == used.count {
            for (usedIndex, offset) in rebased { minuteOffsets[usedIndex] = offset }
            baseMinute = minute
            minuteOffsets[index] = 0
        } else {
            var wide = (0..<Self.minutes).map { bucketMinute($0) }
            wide[index] = minute
            wideMinutes = wide
        }
    }

    /// `minute − base` when it is a valid offset (fits `Int32` and is not ``emptyOffset``).
    private static func offset(of minute: Int64, from base: Int64) -> Int32? {
        let (difference, overflow) = minute.subtractingReportingOverflow(base)
        guard !overflow, difference > Int64(emptyOffset), difference <= Int64(Int32.max) else { return nil }
        return Int32(difference)
    }

    /// Adds `quantity` units at `time`.
    public mutating func add(_ quantity: Int64, at time: EventTime) {
        let minute = Self.minute(of: time)
        let index = Int(((minute % Int64(Self.minutes)) + Int64(Self.minutes)) % Int64(Self.minutes))
        let current = bucketMinute(index)
        if current == minute {
            setBucketUnits(index, to: SKULedger.saturatingAdd(bucketUnits(index), quantity))
        } else if current < minute {
            setBucketMinute(index, to: minute)
            setBucketUnits(index, to: quantity)
        } else {
            droppedUnits = SKULedger.saturatingAdd(droppedUnits, quantity)
        }
    }

    /// Units in the minute of `time` and the 29 minutes before it.
    public func total(at time: EventTime) -> Int64 {
        let minute = Self.minute(of: time)
        if wideMinutes == nil && wideUnits == nil {
            // The common, narrow case reads both rings once instead of bucket by bucket. An empty bucket
            // would read as `Int64.min`, outside every window; 30 `Int32`s cannot saturate an `Int64`.
            let base = baseMinute
            return minuteOffsets.withBuckets { offsets in
                narrowUnits.withBuckets { units in
                    var total: Int64 = 0
                    for index in 0..<Self.minutes where offsets[index] != Self.emptyOffset {
                        let bucket = base &+ Int64(offsets[index])
                        if bucket <= minute && bucket > minute - Int64(Self.minutes) { total += Int64(units[index]) }
                    }
                    return total
                }
            }
        }
        var total: Int64 = 0
        for index in 0..<Self.minutes {
            let bucket = bucketMinute(index)
            if bucket <= minute && bucket > minute - Int64(Self.minutes) {
                total = SKULedger.saturatingAdd(total, bucketUnits(index))
            }
        }
        return total
    }
}

extension TrailingMinuteCounts: Equatable {
    /// Equal when every bucket has the same minute and units and the dropped units match, however they are stored.
    public static func == (lhs: TrailingMinuteCounts, rhs: TrailingMinuteCounts) -> Bool {
        lhs.droppedUnits == rhs.droppedUnits
            && (0..<minutes).allSatisfy {
                lhs.bucketMinute($0) == rhs.bucketMinute($0) && lhs.bucketUnits($0) == rhs.bucketUnits($0)
            }
    }
}

/// Thirty integers stored inline: a SKU's ring costs no allocation and no array header.
struct MinuteBuckets<Element: FixedWidthInteger & Sendable>: Sendable, Equatable {
    private var storage: (
        Element, Element, Element, Element, Element, Element, Element, Element, Element, Element,
        Element, Element, Element, Element, Element, Element, Element, Element, Element, Element,
        Element, Element, Element, Element, Element, Element, Element, Element, Element, Element
    )

    /// Every bucket set to `value`.
    init(repeating value: Element) {
        storage = (
            value, value, value, value, value, value, value, value, value, value,
            value, value, value, value, value, value, value, value, value, value,
            value, value, value, value, value, value, value, value, value, value
        )
    }

    /// Bucket `index`, 0..<30; the index is checked.
    subscript(index: Int) -> Element {
        get {
            precondition(index >= 0 && index < TrailingMinuteCounts.minutes, "bucket index out of range")
            return withUnsafeBytes(of: storage) {
                $0.load(fromByteOffset: index * MemoryLayout<Element>.stride, as: Element.self)
            }
        }
        set {
            precondition(index >= 0 && index < TrailingMinuteCounts.minutes, "bucket index out of range")
            withUnsafeMutableBytes(of: &storage) {
                $0.storeBytes(of: newValue, toByteOffset: index * MemoryLayout<Element>.stride, as: Element.self)
            }
        }
    }

    /// Calls `body` with the 30 buckets as one buffer, valid only during the call.
    func withBuckets<Result>(_ body: (UnsafeBufferPointer<Element>) -> Result) -> Result {
        withUnsafeBytes(of: storage) { body($0.assumingMemoryBound(to: Element.self)) }
    }

    static func == (lhs: MinuteBuckets, rhs: MinuteBuckets) -> Bool {
        (0..<TrailingMinuteCounts.minutes).allSatisfy { lhs[$0] == rhs[$0] }
    }
}
