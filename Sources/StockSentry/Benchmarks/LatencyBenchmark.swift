import Foundation
import Histogram
import Kafka
import Logging
import ServiceLifecycle
import StockModel
import Synchronization

/// Offers a fixed input rate to the processor through a dev broker and measures, for sell-out
/// orders mixed into that load, the time from the order's produce call to its freeze command
/// being read by a downstream `read_committed` consumer in the same process.
///
/// The path is also split in two legs at the freeze record's Kafka timestamp, which the
/// processor's producer sets (CreateTime) when the processor sends it: produce → freeze sent
/// (the processor's consumer fetch, merge, task log, send) and freeze sent → read (the output
/// producer's linger and produce round trip, then the watcher's fetch). Kafka timestamps are whole
/// milliseconds, so each leg is exact to within 1 ms.
enum LatencyBenchmark {
    /// When the watcher read a probe's freeze, and the freeze record's own timestamp.
    private struct Arrival {
        var readAt: ContinuousClock.Instant
        var readWallMicroseconds: Int64
        var sentMilliseconds: Int64?
    }

    /// When the load generator produced a probe.
    private struct Departure {
        var sentAt: ContinuousClock.Instant
        var sentWallMicroseconds: Int64
    }

    static func run(_ configuration: BenchmarkConfiguration, logger: Logger, into report: inout BenchmarkReport) async throws {
        for rate in configuration.latencyRates {
            try await run(rate: rate, configuration, logger: logger, into: &report)
        }
    }

    private static func run(rate: Int, _ configuration: BenchmarkConfiguration, logger: Logger,
                            into report: inout BenchmarkReport) async throws {
        let broker = try BenchmarkSetup.startBroker(configuration, logger: logger)
        let topics = StockSentryConfiguration.Topics()
        let seconds = max(1, Int(configuration.latencyDuration.seconds.rounded()))
        let probesPerSecond = max(1, min(configuration.latencyProbesPerSecond, rate))
        let probes = probesPerSecond * seconds
        let fillerSKUs = 1_000
        let base: Int64 = 1_795_000_000_000

        var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: broker.bootstrapServers)
        producerConfiguration.linger = .milliseconds(1)
        let producer = try KafkaProducer.make(configuration: producerConfiguration, logger: logger)
        // Every probe SKU starts with one unit, so its one sell-out order freezes it.
        for probe in 0..<probes {
            let sku = "LAT-\(probe)"
            try producer.send(topic: topics.inventory, key: Array(sku.utf8),
                              value: Array(#"{"event_id":"set-\#(probe)","sku":"\#(sku)","kind":"set","qty":1,"ts":\#(base + Int64(probe))}"#.utf8))
        }
        try await producer.flush(timeout: .seconds(60))
        // Topic metadata now, not at the first measured probe.
        for topic in [topics.orders, topics.interactions] { _ = try producer.partitionCount(topic: topic, timeout: .seconds(10)) }

        var (processorConfiguration, dataDirectory) = BenchmarkSetup.processorConfiguration(
            configuration, bootstrapServers: broker.bootstrapServers, groupID: "bench-latency")
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let fetchWait = String(Int(configuration.latencyFetchWait.seconds * 1000))
        processorConfiguration.kafkaProperties = ["fetch.wait.max.ms": fetchWait]
        let processor = StockSentryService(configuration: processorConfiguration, logger: logger)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: processor)], logger: logger))
        async let running: Void = group.run()

        var watcherConfiguration = KafkaConsumerConfiguration(bootstrapServers: broker.bootstrapServers, groupID: "bench-latency-watch")
        watcherConfiguration.isolationLevel = .readCommitted
        watcherConfiguration.fetchWaitMaximum = configuration.latencyFetchWait
        let watcher = try KafkaConsumer.make(configuration: watcherConfiguration, logger: logger)
        try watcher.subscribe(to: [topics.commands])
        try await BenchmarkSetup.waitUntilReady(watcher: watcher, processor: processor, records: probes, scenario: "latency")

        let sendTimes = Mutex<[String: Departure]>([:])
        async let received = receive(from: watcher, expected: probes, deadline: .now + configuration.latencyDuration + .seconds(30))

        // Offer `rate` events per second; every n-th is a probe (a sell-out order), the rest likes.
        let every = max(1, rate / probesPerSecond)
        let total = rate * seconds
        let start = ContinuousClock.now
        var sent = 0
        var probe = 0
        while sent < total {
            let due = min(total, Int(Double(rate) * start.duration(to: .now).seconds) + 1)
            while sent < due {
                let ts = base + 1_000_000 + Int64(sent) * 1_000 / Int64(rate)
                if sent % every == 0 && probe < probes {
                    let sku = "LAT-\(probe)"
                    let eventID = "probe-\(probe)"
                    let value = Array(#"{"event_id":"\#(eventID)","order_id":"o-\#(probe)","sku":"\#(sku)","qty":1,"status":"paid","ts":\#(ts)}"#.utf8)
                    let departure = Departure(sentAt: .now, sentWallMicroseconds: wallMicroseconds())
                    sendTimes.withLock { $0[eventID] = departure }
                    try producer.send(topic: topics.orders, key: Array(sku.utf8), value: value)
                    probe += 1
                } else {
                    let sku = "FILL-\(sent % fillerSKUs)"
                    try producer.send(topic: topics.interactions, key: Array(sku.utf8),
                                      value: Array(#"{"event_id":"like-\#(sent)","sku":"\#(sku)","kind":"like","ts":\#(ts)}"#.utf8))
                }
                sent += 1
            }
            producer.poll()
            try await Task.sleep(for: .microseconds(500))
        }
        let offeredSeconds = start.duration(to: .now).seconds
        try await producer.flush(timeout: .seconds(60))
        let arrivals = try await received

        func makeHistogram() -> Histogram<UInt64> {
            Histogram<UInt64>(highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: .three)
        }
        var histogram = makeHistogram()
        var processorLeg = makeHistogram()
        var outputLeg = makeHistogram()
        let departures = sendTimes.withLock { $0 }
        var lost = 0
        for (eventID, departure) in departures {
            guard let arrival = arrivals[eventID] else { lost += 1; continue }
            _ = histogram.record(UInt64(max(0, departure.sentAt.duration(to: arrival.readAt).seconds * 1e6)))
            if let sentMilliseconds = arrival.sentMilliseconds {
                let freezeSentMicroseconds = sentMilliseconds * 1_000
                _ = processorLeg.record(UInt64(max(0, freezeSentMicroseconds - departure.sentWallMicroseconds)))
                _ = outputLeg.record(UInt64(max(0, arrival.readWallMicroseconds - freezeSentMicroseconds)))
            }
        }
        try? watcher.close()
        await group.triggerGracefulShutdown()
        try await running
        withExtendedLifetime(broker) {}

        let label = "\(rate / 1_000)k/s"
        report.add(.latency, "\(label) offered", Double(total) / offeredSeconds, "events/s", "\(probes) sell-out probes among \(total) events; fetch.wait.max.ms \(fetchWait); task logs on")
        for percentile in [50.0, 90.0, 99.0, 99.9] {
            report.add(.latency, "\(label) p\(BenchmarkReport.format(percentile))",
                       Double(histogram.valueAtPercentile(percentile)) / 1_000, "ms", "order produce → freeze read")
        }
        report.add(.latency, "\(label) max", Double(histogram.max) / 1_000, "ms")
        for (leg, legHistogram) in [("produce → freeze sent", processorLeg), ("freeze sent → read", outputLeg)] {
            for percentile in [50.0, 99.0] {
                report.add(.latency, "\(label) p\(BenchmarkReport.format(percentile)) \(leg)",
                           Double(legHistogram.valueAtPercentile(percentile)) / 1_000, "ms", "leg split at the freeze's Kafka timestamp, ±1 ms")
            }
        }
        if lost > 0 {
            report.add(.latency, "\(label) probes without freeze", Double(lost), "probes", "not read within 30 s of the end")
        }
    }

    /// Reads freeze commands until `expected` arrived or the deadline; returns the arrivals by causing event.
    private static func receive(from watcher: KafkaConsumer, expected: Int, deadline: ContinuousClock.Instant) async throws
        -> [String: Arrival]
    {
        var arrivals: [String: Arrival] = [:]
        while arrivals.count < expected && ContinuousClock.now < deadline {
            let batch = try await watcher.nextBatch(maxRecords: 1_000, timeout: .milliseconds(20))
            let now = ContinuousClock.now
            let wall = wallMicroseconds()
            for record in batch.records {
                guard let object = try? JSONSerialization.jsonObject(with: Data(record.value)) as? [String: Any],
                      object["action"] as? String == "freeze", let cause = object["caused_by"] as? String else { continue }
                arrivals[cause] = Arrival(readAt: now, readWallMicroseconds: wall, sentMilliseconds: record.timestampMilliseconds)
            }
        }
        return arrivals
    }

    /// Wall-clock time in Unix epoch microseconds, the clock Kafka record timestamps use.
    private static func wallMicroseconds() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1e6).rounded())
    }
}
