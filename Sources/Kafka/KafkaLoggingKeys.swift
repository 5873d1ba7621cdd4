/// Logger metadata keys used by the `Kafka` module.
public enum KafkaLoggingKeys {
    /// The client's `client.id`.
    public static let clientID = "kafka.client_id"
    /// The consumer group id.
    public static let groupID = "kafka.group_id"
    /// A topic name.
    public static let topic = "kafka.topic"
    /// A partition number.
    public static let partition = "kafka.partition"
    /// An offset.
    public static let offset = "kafka.offset"
    /// A list of topic-partitions (assigned or revoked).
    public static let partitions = "kafka.partitions"
    /// The bootstrap server list.
    public static let bootstrapServers = "kafka.bootstrap_servers"
    /// librdkafka's log facility (e.g. `CGRPOP`, `FAIL`).
    public static let facility = "kafka.log.facility"
    /// librdkafka's client instance name (`rd_kafka_name`).
    public static let instance = "kafka.instance"
    /// An error description.
    public static let error = "kafka.error"
}
