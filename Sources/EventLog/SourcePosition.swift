/// Where a record came from: a Kafka topic, partition and offset. Opaque to the log except for
/// its size limit (topic names of at most 255 UTF-8 bytes, which Kafka's 249 satisfies).
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    /// The source topic's name.
    public var topic: String
    /// The source partition.
    public var partition: Int32
    /// The source record's offset in its partition.
    public var offset: Int64

    /// Creates a source position.
    public init(topic: String, partition: Int32, offset: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
    }

    /// `topic/partition`, the key of `Snapshot.nextOffsets`.
    public var sourceKey: String { Snapshot.sourceKey(topic: topic, partition: partition) }

    /// `topic/partition@offset`.
    public var description: String { "\(topic)/\(partition)@\(offset)" }
}
