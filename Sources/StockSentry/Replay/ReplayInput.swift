import Kafka
import StockModel

/// Which records of the recorded topics a replay uses.
///
/// Times select by the Kafka record timestamp (what offsets-for-times searches), not the payload's
/// `ts`; offsets apply to every partition. All bounds are optional; `from` bounds are inclusive, `to`
/// bounds exclusive.
public struct ReplayRange: Sendable, Equatable {
    /// Earliest record timestamp, Unix epoch ms.
    public var fromTime: Int64?
    /// Record timestamps at or after this are left out.
    public var toTime: Int64?
    /// First offset read in every partition.
    public var fromOffset: Int64?
    /// Offsets at or after this are left out.
    public var toOffset: Int64?

    public init(fromTime: Int64? = nil, toTime: Int64? = nil, fromOffset: Int64? = nil, toOffset: Int64? = nil) {
        self.fromTime = fromTime
        self.toTime = toTime
        self.fromOffset = fromOffset
        self.toOffset = toOffset
    }

    /// True when a record at `offset` with `timestamp` is in range (a record without a timestamp is
    /// in any time range).
    public func contains(offset: Int64, timestamp: Int64?) -> Bool {
        if let fromOffset, offset < fromOffset { return false }
        if let toOffset, offset >= toOffset { return false }
        if let timestamp {
            if let fromTime, timestamp < fromTime { return false }
            if let toTime, timestamp >= toTime { return false }
        }
        return true
    }
}

/// The records of a replay, split into the tasks the live processor would have had: partition `p` of
/// every input topic, each topic's records in offset order.
public struct ReplayInput: Sendable {
    /// One task's records, per input role, in offset order.
    public struct TaskInput: Sendable {
        public let partition: Int32
        /// Indexed by ``PartitionMerger/laneIndex(_:)``: inventory, orders, carts, interactions.
        var lanes: [[KafkaRecord]] = Array(repeating: [], count: 4)

        public func records(_ role: InputTopic) -> [KafkaRecord] { lanes[PartitionMerger.laneIndex(role)] }
    }

    /// e.g. `ndjson:session.ndjson` or `kafka:host:9092`.
    public var source: String
    /// Tasks by partition, ascending.
    public private(set) var tasks: [TaskInput] = []
    /// Records used per input topic name.
    public private(set) var recordsByTopic: [String: Int] = [:]
    /// Records of other topics (e.g. outputs in a full-cluster export), left out.
    public private(set) var otherTopicRecords = 0
    /// Records outside the ``ReplayRange``.
    public private(set) var outOfRangeRecords = 0
    private var taskIndex: [Int32: Int] = [:]
    private let topics: StockSentryConfiguration.Topics

    public init(source: String, topics: StockSentryConfiguration.Topics) {
        self.source = source
        self.topics = topics
    }

    /// Records used in all.
    public var recordCount: Int { recordsByTopic.values.reduce(0, +) }

    /// Adds a record in its partition's offset order; other topics and out-of-range records are counted and left out.
    public mutating func add(_ record: KafkaRecord, range: ReplayRange) {
        guard let role = topics.role(of: record.topic) else {
            otherTopicRecords += 1
            return
        }
        guard range.contains(offset: record.offset, timestamp: record.timestampMilliseconds) else {
            outOfRangeRecords += 1
            return
        }
        let index: Int
        if let existing = taskIndex[record.partition] {
            index = existing
        } else {
            index = tasks.count
            taskIndex[record.partition] = index
            tasks.append(TaskInput(partition: record.partition))
        }
        tasks[index].lanes[PartitionMerger.laneIndex(role)].append(record)
        recordsByTopic[record.topic, default: 0] += 1
    }

    /// Puts the tasks in partition order; call once all records are added.
    mutating func sortTasks() {
        tasks.sort { $0.partition < $1.partition }
        taskIndex = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1.partition, $0) })
    }

    /// Reads session files (NDJSON, see ``NDJSONRecordReader``).
    ///
    /// A line without a partition goes to the partition Kafka's default (murmur2) partitioner gives its key
    /// among `partitionCount`, as `stocksentry gen --bootstrap` produced it; a line without a key to partition
    /// 0. A line without an offset gets the next offset of its topic-partition in file order.
    /// - Throws: ``StockSentryError`` naming the file and line of a bad record, or when offsets of a
    ///   topic-partition go backwards (the merge needs each partition in offset order).
    public static func load(files: [String], partitionCount: Int, topics: StockSentryConfiguration.Topics,
                            range: ReplayRange) throws -> ReplayInput {
        var input = ReplayInput(source: files.map { "ndjson:\($0)" }.joined(separator: ","), topics: topics)
        var nextOffsets: [String: [Int32: Int64]] = [:]
        for file in files {
            try NDJSONRecordReader(path: file).forEach { line in
                let partition = line.partition
                    ?? line.key.map { KafkaKeyPartitioner.partition(key: $0, partitionCount: partitionCount) } ?? 0
                let expected = nextOffsets[line.topic]?[partition] ?? 0
                let offset = line.offset ?? expected
                if offset < expected {
                    throw StockSentryError(.configuration, "input file \(file):\(line.line): offset \(offset) of \(line.topic)[\(partition)] comes after offset \(expected - 1); records of a partition must be in offset order")
                }
                nextOffsets[line.topic, default: [:]][partition] = offset + 1
                input.add(KafkaRecord(topic: line.topic, partition: partition, offset: offset,
                                      timestampMilliseconds: line.timestamp, key: line.key, value: line.value),
                          range: range)
            }
        }
        input.sortTasks()
        return input
    }
}
