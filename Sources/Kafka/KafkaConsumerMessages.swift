/// One record read from Kafka. Key and value bytes are copied out of librdkafka's buffers.
public struct KafkaRecord: Sendable {
    /// The topic the record was read from.
    public var topic: String
    /// The partition the record was read from.
    public var partition: Int32
    /// The record's offset in its partition.
    public var offset: Int64
    /// The record's timestamp (create or log-append time) in Unix epoch milliseconds, nil when absent.
    public var timestampMilliseconds: Int64?
    /// The record key, nil when the record has none.
    public var key: [UInt8]?
    /// The record value; empty for a null value.
    public var value: [UInt8]

    /// Creates a record.
    public init(topic: String, partition: Int32, offset: Int64, timestampMilliseconds: Int64?, key: [UInt8]?, value: [UInt8]) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMilliseconds = timestampMilliseconds
        self.key = key
        self.value = value
    }

    /// The record's topic and partition.
    public var topicPartition: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }
}

/// A partition assigned to this consumer by a group rebalance.
public struct KafkaPartitionAssignment: Sendable, Hashable {
    /// The assigned partition.
    public var topicPartition: KafkaTopicPartition
    /// The group's committed offset for the partition, read at assignment time; nil when none is committed.
    public var committedOffset: Int64?

    /// Creates an assignment.
    public init(topicPartition: KafkaTopicPartition, committedOffset: Int64?) {
        self.topicPartition = topicPartition
        self.committedOffset = committedOffset
    }
}

/// What one `KafkaConsumer.poll` returned: records, rebalance changes and non-fatal errors.
///
/// A batch ends at a rebalance, so its records were all fetched before its `revoked` and
/// `assigned` changes: apply the records, then `revoked`, then `assigned` (a partition assigned
/// and revoked again within one poll is left out of `assigned`). Do not store offsets of a
/// revoked partition (`storeOffsets` skips partitions that are no longer assigned).
public struct KafkaPollBatch: Sendable {
    /// Records in fetch order (per-partition order is kept).
    public var records: [KafkaRecord]
    /// Partitions assigned during this poll.
    public var assigned: [KafkaPartitionAssignment]
    /// Partitions revoked during this poll (their stored offsets were committed first).
    public var revoked: [KafkaTopicPartition]
    /// Non-fatal errors (transient broker errors, partition EOF), for logging.
    public var errors: [KafkaError]

    /// Creates a batch.
    public init(records: [KafkaRecord] = [], assigned: [KafkaPartitionAssignment] = [], revoked: [KafkaTopicPartition] = [], errors: [KafkaError] = []) {
        self.records = records
        self.assigned = assigned
        self.revoked = revoked
        self.errors = errors
    }

    /// True when the batch carries nothing at all.
    public var isEmpty: Bool { records.isEmpty && assigned.isEmpty && revoked.isEmpty && errors.isEmpty }
}
