import Foundation
import Kafka
import Logging

/// What the Kafka scenarios (live, latency, outputs) set up alike: the dev broker, the processor's
/// configuration and the wait until it and a downstream watcher are ready.
enum BenchmarkSetup {
    /// A dev broker with StockSentry's topics, `configuration.partitions` partitions each.
    static func startBroker(_ configuration: BenchmarkConfiguration, logger: Logger) throws -> KafkaDevBroker {
        var brokerConfiguration = DevBrokerConfiguration()
        brokerConfiguration.partitions = configuration.partitions
        return try DevBroker.start(brokerConfiguration, logger: logger)
    }

    /// The processor as production runs it, on a fresh group: task logs in a temporary directory
    /// (one fsync per batch before its outputs leave) and the benchmark's output batching.
    /// - Returns: the configuration and its data directory, which the caller removes.
    static func processorConfiguration(_ configuration: BenchmarkConfiguration, bootstrapServers: String,
                                       groupID: String) -> (StockSentryConfiguration, dataDirectory: String) {
        var processorConfiguration = StockSentryConfiguration(bootstrapServers: bootstrapServers)
        processorConfiguration.groupID = groupID
        processorConfiguration.outputBatching = configuration.outputBatching
        processorConfiguration.taskThreads = configuration.taskThreads
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("stocksentry-\(groupID)-\(getpid())").path
        processorConfiguration.dataDirectory = dataDirectory
        return (processorConfiguration, dataDirectory)
    }

    /// Polls `watcher` until it has its assignment and `processor` has processed `records` records.
    /// - Throws: ``StockSentryError`` naming `scenario` when that takes longer than 120 s.
    static func waitUntilReady(watcher: KafkaConsumer, processor: StockSentryService, records: Int, scenario: String) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        var watcherAssigned = false
        while ContinuousClock.now < deadline && (!watcherAssigned || processor.metrics.snapshot.recordsProcessed < records) {
            let batch = try await watcher.nextBatch(maxRecords: 1_000, timeout: .milliseconds(50))
            if !batch.assigned.isEmpty { watcherAssigned = true }
        }
        guard watcherAssigned && processor.metrics.snapshot.recordsProcessed >= records else {
            throw StockSentryError(.kafka, "bench \(scenario): setup did not finish within 120 s")
        }
    }
}
