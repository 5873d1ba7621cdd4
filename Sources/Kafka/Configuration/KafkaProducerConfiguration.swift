/// Configuration of a `KafkaProducer`: plain data, turned into librdkafka properties by
/// `KafkaProducer.make`. `acks=all` is always set.
public struct KafkaProducerConfiguration: Sendable {
    /// Comma-separated `host:port` list of brokers to bootstrap from (`bootstrap.servers`).
    /// Default: none, set by the initializer.
    public var bootstrapServers: String
    /// The client id sent to the brokers (`client.id`).
    /// Default: `"stocksentry"`.
    public var clientID: String = "stocksentry"
    /// Idempotent delivery: no duplicates and per-partition order kept across retries
    /// (`enable.idempotence`; implies `acks=all`).
    /// Default: `true`.
    public var enableIdempotence: Bool = true
    /// How long to wait for more records before sending a batch (`linger.ms`).
    /// Default: 5 ms.
    public var linger: Duration = .milliseconds(5)
    /// Maximum records in one batch (`batch.num.messages`).
    /// Default: 10 000.
    public var batchNumberOfMessages: Int = 10_000
    /// How long a record may wait for delivery, retries included, before it fails
    /// (`message.timeout.ms`); also bounds how long `send` waits for room in a full queue.
    /// Default: 30 s.
    public var messageTimeout: Duration = .seconds(30)
    /// Maximum records waiting in librdkafka's queue (`queue.buffering.max.messages`).
    /// Default: 100 000.
    public var queueBufferingMaximumMessages: Int = 100_000
    /// Enables transactions (`transactional.id`): the producer must call `initTransactions` before
    /// anything else and send only inside a transaction. The id must be stable across restarts of
    /// the same logical producer (e.g. one per task), so that a new instance fences the old one.
    /// Requires `enableIdempotence`.
    /// Default: nil (not transactional).
    public var transactionalID: String? = nil
    /// How long the coordinator lets a transaction stay open before aborting it
    /// (`transaction.timeout.ms`); also caps `messageTimeout`. Only sent when `transactionalID`
    /// is set.
    /// Default: 60 s.
    public var transactionTimeout: Duration = .seconds(60)
    /// Raw librdkafka properties, applied last (they override everything above).
    /// Default: empty.
    public var additionalProperties: [String: String] = [:]

    /// Creates a configuration with defaults for everything but the cluster.
    /// - Parameter bootstrapServers: Comma-separated `host:port` list.
    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }
}

extension KafkaProducerConfiguration {
    /// The librdkafka properties, in the order they are applied. The only place that spells
    /// librdkafka's producer property names.
    func properties() throws -> [(key: String, value: String)] {
        var properties: [(key: String, value: String)] = [
            ("bootstrap.servers", bootstrapServers),
            ("client.id", clientID),
            ("enable.idempotence", enableIdempotence ? "true" : "false"),
            ("acks", "all"),
            ("linger.ms", try millisecondsProperty(linger, option: "linger", property: "linger.ms", minimum: 0)),
            ("batch.num.messages", String(batchNumberOfMessages)),
            ("message.timeout.ms", try millisecondsProperty(messageTimeout, option: "messageTimeout", property: "message.timeout.ms", minimum: 1)),
            ("queue.buffering.max.messages", String(queueBufferingMaximumMessages)),
        ]
        if let transactionalID {
            properties.append(("transactional.id", transactionalID))
            properties.append(("transaction.timeout.ms", try millisecondsProperty(transactionTimeout, option: "transactionTimeout", property: "transaction.timeout.ms", minimum: 1)))
        }
        for key in additionalProperties.keys.sorted() {
            properties.append((key, additionalProperties[key]!))
        }
        return properties
    }
}
