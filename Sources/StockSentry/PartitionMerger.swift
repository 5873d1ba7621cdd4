import Kafka
import StockModel

/// An input record held by a task, decoded once on arrival.
struct BufferedRecord: Sendable {
    var record: KafkaRecord
    var role: InputTopic
    /// The event, or why the record is rejected (it then goes to the dead-letter topic in its turn).
    var decoded: Result<StockEvent, EventRejection>
    /// The time the merge orders by: the event's own time; the earliest time for a rejected record.
    var mergeTime: EventTime
}

/// Merges the four partitions of one task in event-time order (DESIGN.md "Order inside a task").
///
/// It always releases the buffered head with the smallest time; ties go to `inventory`, then
/// `orders`, `carts`, `interactions`, then offset. While a partition's buffer is empty and that
/// partition is known to have more records at the broker, or its lag is not yet known, the merger
/// waits, but never longer than `maximumIdle` at a stretch. A value type: the caller feeds records
/// and the clock and performs what ``next(now:)`` decides.
struct PartitionMerger: Sendable {
    /// What the task should do next.
    enum Decision: Sendable {
        /// Process this record now.
        case process(BufferedRecord)
        /// A partition that may have earlier records is empty; poll again before processing.
        case wait
        /// Nothing is buffered.
        case idle
    }

    private struct Lane: Sendable {
        var queue = RecordQueue<BufferedRecord>()
        /// Offset after the newest record received from the consumer, nil before the first one.
        var position: Int64?
        /// The broker's high watermark as last reported by the consumer.
        var highWatermark: Int64?

        /// True when the broker holds records this lane has not received yet, or when that is unknown.
        var mayHaveMore: Bool {
            guard let highWatermark else { return true }
            return (position ?? 0) < highWatermark
        }
    }

    /// Lanes in tie-break order: inventory, orders, carts, interactions.
    private var lanes: [Lane] = Array(repeating: Lane(), count: 4)
    private let maximumIdle: Duration
    private var waitingSince: ContinuousClock.Instant?
    /// The largest merge time released so far.
    private(set) var streamTime: EventTime?
    /// Records released behind the stream time.
    private(set) var lateRecords = 0
    /// Times the merger held records back waiting for a partition that may hold earlier ones.
    private(set) var waits = 0

    init(maximumIdle: Duration) {
        self.maximumIdle = maximumIdle
    }

    static func laneIndex(_ role: InputTopic) -> Int {
        switch role {
        case .inventory: 0
        case .orders: 1
        case .carts: 2
        case .interactions: 3
        }
    }

    /// Records buffered for `role`.
    func bufferedCount(_ role: InputTopic) -> Int {
        lanes[Self.laneIndex(role)].queue.count
    }

    mutating func enqueue(_ record: BufferedRecord) {
        let index = Self.laneIndex(record.role)
        lanes[index].queue.append(record)
        lanes[index].position = record.record.offset + 1
    }

    /// Records that `offset` of `role` was received but needs no merging (the task log already holds it).
    mutating func noteReceived(_ role: InputTopic, offset: Int64) {
        lanes[Self.laneIndex(role)].position = offset + 1
    }

    mutating func updateHighWatermark(_ role: InputTopic, _ highWatermark: Int64?) {
        guard let highWatermark else { return }
        lanes[Self.laneIndex(role)].highWatermark = highWatermark
    }

    /// Decides the next step at monotonic time `now`.
    mutating func next(now: ContinuousClock.Instant) -> Decision {
        var best: (lane: Int, key: MergeKey)?
        var mustWait = false
        for index in lanes.indices {
            if let key = lanes[index].queue.peek({ MergeKey(time: $0.mergeTime, offset: $0.record.offset) }) {
                if let current = best {
                    if Self.precedes(key, index, current.key, current.lane) { best = (index, key) }
                } else {
                    best = (index, key)
                }
            } else if lanes[index].mayHaveMore {
                mustWait = true
            }
        }
        guard let best else {
            waitingSince = nil
            return .idle
        }
        if mustWait {
            if let since = waitingSince {
                if since.duration(to: now) < maximumIdle {
                    waits += 1
                    return .wait
                }
            } else {
                waitingSince = now
                waits += 1
                return .wait
            }
        }
        waitingSince = nil
        guard let record = lanes[best.lane].queue.removeFirst() else { return .idle }
        advanceStreamTime(past: record)
        return .process(record)
    }

    /// Resumes at the stream time a snapshot recorded, so late counting and the watermark continue
    /// exactly as they would have without the restart.
    mutating func restore(streamTime: EventTime?) {
        self.streamTime = streamTime
    }

    /// Moves the stream time as releasing `record` does; replay of a task log calls it for each
    /// logged record so the watermark advances exactly as it did live.
    mutating func advanceStreamTime(past record: BufferedRecord) {
        guard case .success = record.decoded else { return }
        if let streamTime, record.mergeTime < streamTime {
            lateRecords += 1
        } else {
            streamTime = record.mergeTime
        }
    }

    /// What the merge orders a lane's head record by, read without copying the record.
    private struct MergeKey {
        var time: EventTime
        var offset: Int64
    }

    private static func precedes(_ a: MergeKey, _ laneA: Int, _ b: MergeKey, _ laneB: Int) -> Bool {
        if a.time != b.time { return a.time < b.time }
        if laneA != laneB { return laneA < laneB }
        return a.offset < b.offset
    }
}
