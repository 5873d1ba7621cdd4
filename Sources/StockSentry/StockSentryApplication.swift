import Logging
import ServiceLifecycle

/// The process-level entry point of `stocksentry run`: the processor in a service group that
/// shuts down gracefully on SIGTERM or SIGINT.
public enum StockSentryApplication {
    /// Runs the processor until a signal or a fatal error.
    /// - Throws: ``StockSentryError`` for bad configuration or topics; Kafka errors that end processing.
    public static func run(configuration: StockSentryConfiguration, logger: Logger) async throws {
        let processor = StockSentryService(configuration: configuration, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: processor, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// Runs a dev broker until SIGTERM or SIGINT; `ready` is called with its bootstrap servers.
    public static func runBroker(
        configuration: DevBrokerConfiguration, logger: Logger, ready: @Sendable (String) -> Void
    ) async throws {
        let broker = try DevBroker.start(configuration, logger: logger)
        ready(broker.bootstrapServers)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: DevBrokerService(broker: broker))],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }

    /// Publishes a generated session to a cluster, paced by `speed` (0: as fast as possible).
    public static func publish(
        session: LiveSessionConfiguration, bootstrapServers: String, topics: StockSentryConfiguration.Topics,
        speed: Double, logger: Logger
    ) async throws -> PublishProgress.Snapshot {
        let publisher = SessionPublisher(generator: LiveSessionGenerator(configuration: session),
                                         bootstrapServers: bootstrapServers, topics: topics, speed: speed, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [.init(service: publisher, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        return publisher.progress.snapshot
    }
}
