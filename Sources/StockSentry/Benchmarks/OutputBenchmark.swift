import Foundation
import Kafka
import Logging
import ServiceLifecycle
import StockModel

/// An output-heavy load, as a flash sale that sells out many SKUs at once gives: every input is a
/// paid order that sells out its SKU's last unit, so every input yields a freeze command (and its
/// alert). Measures output records per second from the first order's produce to the last freeze
/// being read downstream; the output producer's batching (``StockSentryConfiguration/OutputBatching``)
/// decides how many produce requests carry them.
enum OutputBenchmark {
    static func run(_ configuration: BenchmarkConfiguration, logger: Logger, into report: inout BenchmarkReport) async throws {
        let broker = try BenchmarkSetup.startBroker(configuration, logger: logger)
        let topics = StockSentryConfiguration.Topics()
        let skus = configuration.outputSKUs
        let base: Int64 = 1_795_000_000_000

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producerConfiguration.queueBufferingMaximumMessages = max(100_000, skus + 1)
        // Optional so that it can be destroyed before the broker: destroyed after, librdkafka logs
        // "brokers are down" at error level.
        var producer: KafkaProducer! = try KafkaProducer.make(configuration: producerConfiguration, logger: logger)
        // Every SKU starts with one unit, so its one order sells it out and freezes it.
        for index in 0..<skus {
            let sku = "BURST-\(index)"
            try producer.send(topic: topics.inventory, key: Array(sku.utf8),
                              value: Array(#"{"event_id":"set-\#(index)","sku":"\#(sku)","kind":"set","qty":1,"ts":\#(base + Int64(index))}"#.utf8))
            if index % 10_000 == 0 { producer.poll() }
        }
        try await producer.flush(timeout: .seconds(120))
        // The orders, built before the clock starts.
        let orders = (0..<skus).map { index in
            let sku = "BURST-\(index)"
            return (key: Array(sku.utf8),
                    value: Array(#"{"event_id":"burst-\#(index)","order_id":"b-\#(index)","sku":"\#(sku)","qty":1,"status":"paid","ts":\#(base + 1_000_000 + Int64(index))}"#.utf8))
        }

        let (processorConfiguration, dataDirectory) = BenchmarkSetup.processorConfiguration(
            configuration, bootstrapServers: broker.bootstrapServers, groupID: "bench-outputs")
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let processor = StockSentryService(configuration: processorConfiguration, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: processor)], logger: logger))
        async let running: Void = group.run()

        var watcherConfiguration = KafkaConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "bench-outputs-watch")
        watcherConfiguration.autoOffsetReset = .earliest
        let watcher = try KafkaConsumer.make(configuration: watcherConfiguration, logger: logger)
        try watcher.subscribe(to: [topics.commands])
        try await BenchmarkSetup.waitUntilReady(watcher: watcher, processor: processor, records: skus, scenario: "outputs")
        let before = processor.metrics.snapshot

        let start = ContinuousClock.now
        for (index, order) in orders.enumerated() {
            try producer.send(topic: topics.orders, key: order.key, value: order.value)
            if index % 10_000 == 0 { producer.poll() }
        }
        try await producer.flush(timeout: .seconds(120))
        let produced = start.duration(to: .now).seconds
        // Freezes are keyed by SKU; every BURST- command after the start is one of them.
        var freezes = 0
        let deadline = ContinuousClock.now + .seconds(300)
        while freezes < skus && ContinuousClock.now < deadline {
            let batch = try await watcher.nextBatch(maxRecords: 5_000, timeout: .milliseconds(20))
            freezes += batch.records.count { $0.key?.starts(with: Array("BURST-".utf8)) ?? false }
        }
        let elapsed = start.duration(to: .now).seconds
        try? watcher.close()
        producer = nil
        await group.triggerGracefulShutdown()
        try await running
        withExtendedLifetime(broker) {}
        guard freezes >= skus else {
            throw StockSentryError(.kafka, "bench outputs: \(freezes) of \(skus) freezes read within 300 s")
        }

        let after = processor.metrics.snapshot
        let commands: Int = after.commandsByAction.values.reduce(0, +) - before.commandsByAction.values.reduce(0, +)
        let outputs: Int = after.alertTransitions - before.alertTransitions + commands
        let batching = configuration.outputBatching
        let setting = "linger \(Int(batching.linger.seconds * 1_000)) ms, batch.num.messages \(batching.maximumRecords)"
        report.add(.outputs, "orders", Double(skus), "records", "each sells out its SKU; produced in \(BenchmarkReport.format(produced)) s")
        report.add(.outputs, "outputs", Double(outputs), "records", "alerts and commands")
        report.add(.outputs, "output rate", Double(outputs) / elapsed, "records/s", "first order produced → last freeze read; \(setting)")
        report.add(.outputs, "order rate", Double(skus) / elapsed, "records/s", setting)
        report.add(.outputs, "loop: publish", after.loopTime.publish - before.loopTime.publish, "s", "send + delivery polling")
    }
}
