/// One partition of one topic.
public struct KafkaTopicPartition: Hashable, Sendable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition number, from 0.
    public var partition: Int32

    /// Creates a topic-partition.
    /// - Parameters:
    ///   - topic: The topic name.
    ///   - partition: The partition number, from 0.
    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    /// `topic[partition]`, e.g. `orders[3]`.
    public var description: String { "\(topic)[\(partition)]" }
}
