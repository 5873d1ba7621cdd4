import ArgumentParser
import Foundation
import StockSentry

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Host a Kafka-protocol dev broker (librdkafka's mock cluster) on loopback with StockSentry's topics.",
        discussion: "Prints the bootstrap servers on standard output and runs until SIGINT or SIGTERM. The mock cluster keeps about 5 MB per partition: stream test data through it rather than preloading it."
    )

    @Option(help: "Number of brokers in the mock cluster.")
    var brokers = 1

    @Option(help: "Partitions per topic.")
    var partitions = 8

    @Option(help: "Write the bootstrap servers to this file once the broker is ready.")
    var bootstrapFile: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16, got \(brokers)") }
        guard (1...256).contains(partitions) else { throw ValidationError("--partitions must be between 1 and 256, got \(partitions)") }
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "stocksentry.broker")
        var configuration = DevBrokerConfiguration()
        configuration.brokerCount = brokers
        configuration.partitions = partitions
        configuration.bootstrapFile = bootstrapFile
        try await StockSentryApplication.runBroker(configuration: configuration, logger: logger) { bootstrap in
            printLine(bootstrap)
        }
    }
}
