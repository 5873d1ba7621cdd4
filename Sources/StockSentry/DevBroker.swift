import Foundation
import Kafka
import Logging
import ServiceLifecycle

/// `stocksentry broker`: librdkafka's mock cluster on loopback with StockSentry's topics created.
public struct DevBrokerConfiguration: Sendable {
    /// Mock brokers in the cluster. Default: 1.
    public var brokerCount: Int = 1
    /// Partitions of each default topic. Default: 8.
    public var partitions: Int = 8
    /// Topics to create. Default: the seven default topic names.
    public var topics: [String] = StockSentryConfiguration.Topics().all
    /// Where to write the bootstrap servers once the broker is ready. Default: nil.
    public var bootstrapFile: String?

    public init() {}

    /// Checks the values a user can set.
    public func validate() throws {
        guard (1...16).contains(brokerCount) else {
            throw StockSentryError(.configuration, "--brokers must be between 1 and 16, got \(brokerCount)")
        }
        guard (1...256).contains(partitions) else {
            throw StockSentryError(.configuration, "--partitions must be between 1 and 256, got \(partitions)")
        }
    }
}

/// Starts a dev broker, creates the topics and writes the bootstrap file.
public enum DevBroker {
    public static func start(_ configuration: DevBrokerConfiguration, logger: Logger) throws -> KafkaDevBroker {
        try configuration.validate()
        let broker = try KafkaDevBroker.start(brokerCount: configuration.brokerCount, logger: logger)
        for topic in configuration.topics {
            try broker.createTopic(topic, partitions: configuration.partitions,
                                   replicationFactor: min(configuration.brokerCount, 3))
        }
        if let path = configuration.bootstrapFile {
            // Write then rename, so a reader never sees a half-written address.
            let temporary = path + ".tmp"
            do {
                try Data((broker.bootstrapServers + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
                if FileManager.default.fileExists(atPath: path) {
                    try FileManager.default.removeItem(atPath: path)
                }
                try FileManager.default.moveItem(atPath: temporary, toPath: path)
            } catch {
                throw StockSentryError(.io, "cannot write the bootstrap file \(path): \(error); choose a writable path")
            }
        }
        return broker
    }
}

/// Keeps a dev broker alive until graceful shutdown (SIGINT/SIGTERM).
public struct DevBrokerService: Service {
    public let broker: KafkaDevBroker

    public init(broker: KafkaDevBroker) {
        self.broker = broker
    }

    public func run() async throws {
        // Sleeps until the group shuts down; the broker itself runs on librdkafka's threads.
        try? await gracefulShutdown()
        withExtendedLifetime(broker) {}
    }
}
