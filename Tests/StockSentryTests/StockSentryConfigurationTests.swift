import Kafka
import Testing

@testable import StockSentry

@Suite struct StockSentryConfigurationTests {
    @Test("the output producer takes its batching from the configuration, and -X properties still win")
    func outputBatchingReachesTheProducer() throws {
        var configuration = StockSentryConfiguration(bootstrapServers: "127.0.0.1:9092")
        configuration.outputBatching.linger = .milliseconds(7)
        configuration.outputBatching.maximumRecords = 123
        var producer = StockSentryService.producerConfiguration(configuration, transactionalID: nil)
        #expect(producer.linger == .milliseconds(7))
        #expect(producer.batchNumberOfMessages == 123)

        configuration.kafkaProperties = ["linger.ms": "0"]
        producer = StockSentryService.producerConfiguration(configuration, transactionalID: nil)
        #expect(producer.additionalProperties["linger.ms"] == "0")
    }

    @Test("default output batching: 1 ms linger, 10,000 records per batch")
    func defaults() throws {
        let batching = StockSentryConfiguration.OutputBatching()
        #expect(batching.linger == .milliseconds(1))
        #expect(batching.maximumRecords == 10_000)
        try batching.validate()
    }

    @Test("bad output batching names the flag to fix and the accepted range", arguments: [
        (-1, 10_000, "--output-linger-ms must be between 0 and 900000, got -1"),
        (900_001, 10_000, "--output-linger-ms must be between 0 and 900000, got 900001"),
        (1, 0, "--output-batch-records must be between 1 and 1000000, got 0"),
        (1, 1_000_001, "--output-batch-records must be between 1 and 1000000, got 1000001"),
    ])
    func badBatching(lingerMilliseconds: Int, maximumRecords: Int, message: String) {
        var batching = StockSentryConfiguration.OutputBatching()
        batching.linger = .milliseconds(lingerMilliseconds)
        batching.maximumRecords = maximumRecords
        let error = #expect(throws: StockSentryError.self) { try batching.validate() }
        #expect(error?.message == message)
        #expect(error?.code == .configuration)
    }
}
