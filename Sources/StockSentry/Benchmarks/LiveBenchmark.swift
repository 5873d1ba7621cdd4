import Foundation
import Kafka
import Logging
import ServiceLifecycle
import StockModel

/// The processor consuming through a dev broker, beside a raw librdkafka consumer reading the
/// very same records in the same run: the ratio says how close StockSentry is to the Kafka path's limit.
enum LiveBenchmark {
    static func run(_ configuration: BenchmarkConfiguration, logger: Logger, into report: inout BenchmarkReport) async throws {
        let broker = try BenchmarkSetup.startBroker(configuration, logger: logger)
        let topics = StockSentryConfiguration.Topics()

        // Load the inputs first, so both readers find the same records at the broker.
        let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers),
                                              logger: logger)
        var produced = 0
        for record in LiveSessionGenerator(configuration: configuration.session) {
            guard let role = InputTopic(rawValue: record.topic) else { continue }
            try producer.send(topic: topics.name(of: role), key: record.key.map { Array($0.utf8) }, value: record.value,
                              timestampMilliseconds: record.timestampMilliseconds)
            produced += 1
            if produced % 10_000 == 0 { producer.poll() }
        }
        try await producer.flush(timeout: .seconds(120))
        report.add(.live, "records", Double(produced), "records", "\(configuration.partitions) partitions per input topic")

        // Baseline: librdkafka's consumer, copying each record out, nothing else.
        var rawConfiguration = KafkaConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "bench-raw")
        rawConfiguration.autoOffsetReset = .earliest
        let raw = try KafkaConsumer.make(configuration: rawConfiguration, logger: logger)
        try raw.subscribe(to: topics.inputs)
        var consumed = 0
        var firstRecord: ContinuousClock.Instant?
        let rawDeadline = ContinuousClock.now + .seconds(300)
        while consumed < produced && ContinuousClock.now < rawDeadline {
            let batch = try await raw.nextBatch(maxRecords: 5_000, timeout: .milliseconds(100))
            if firstRecord == nil && !batch.records.isEmpty { firstRecord = .now }
            consumed += batch.records.count
        }
        let rawSeconds = (firstRecord ?? .now).duration(to: .now).seconds
        try raw.close()
        guard consumed >= produced else {
            throw StockSentryError(.kafka, "bench live: the raw consumer read \(consumed) of \(produced) records within 300 s")
        }

        // The processor, in-process, on a fresh group.
        let (processorConfiguration, dataDirectory) = BenchmarkSetup.processorConfiguration(
            configuration, bootstrapServers: broker.bootstrapServers, groupID: "bench-live")
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let processor = StockSentryService(configuration: processorConfiguration, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: processor)], logger: logger))
        async let running: Void = group.run()
        var started: ContinuousClock.Instant?
        let deadline = ContinuousClock.now + .seconds(300)
        while processor.metrics.snapshot.recordsProcessed < produced && ContinuousClock.now < deadline {
            if started == nil && processor.metrics.snapshot.recordsConsumed > 0 { started = .now }
            try await Task.sleep(for: .milliseconds(1))
        }
        let processorSeconds = (started ?? .now).duration(to: .now).seconds
        let metrics = processor.metrics.snapshot
        await group.triggerGracefulShutdown()
        try await running
        withExtendedLifetime(broker) {}
        guard metrics.recordsProcessed >= produced else {
            throw StockSentryError(.kafka, "bench live: the processor handled \(metrics.recordsProcessed) of \(produced) records within 300 s")
        }

        let rawRate = Double(produced) / rawSeconds
        let processorRate = Double(produced) / processorSeconds
        report.add(.live, "raw librdkafka consumer", rawRate, "events/s", "first record to last, same records, same run")
        report.add(.live, "stocksentry run", processorRate, "events/s",
                   "first record to last processed; task logs fsynced per batch, outputs flushed, offsets stored")
        report.add(.live, "ratio to raw", processorRate / rawRate, "×", "goal ≥ 0.8")
        report.add(.live, "poll batches", Double(metrics.pollBatches), "batches",
                   "\(produced / max(1, metrics.pollBatches)) records per batch on average")
        report.add(.live, "merge waits", Double(metrics.mergeWaits), "waits", "a task held back for a partition that may hold earlier records")
        let time = metrics.loopTime
        for (phase, seconds, note) in [
            ("loop: poll", time.poll, "waiting for and converting records"),
            ("loop: absorb", time.absorb, "records to tasks, decoding"),
            ("loop: drain", time.drain, "merge, fold, log append"),
            ("loop: log commit", time.logCommit, "write + fsync per task"),
            ("loop: publish", time.publish, "send outputs, poll deliveries (flush only when stalled)"),
            ("loop: bookkeeping", time.bookkeeping, "snapshots, offsets, back-pressure, gauges"),
        ] {
            report.add(.live, phase, seconds * 1000, "ms", note)
        }
        report.add(.live, "outputs", Double(metrics.alertTransitions + metrics.commandsByAction.values.reduce(0, +) + metrics.deadLetters),
                   "records")
    }
}
