import Foundation
import StockModel
import StockSentry
import Testing

/// A generated live session, produced by confluent-kafka, processed by `stocksentry run`, read
/// back by confluent-kafka and checked with jsonschema and against the pure model.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct GeneratedSessionTests {
    static func session() -> LiveSessionConfiguration {
        var session = LiveSessionConfiguration()
        session.seed = 7
        session.duration = .seconds(10 * 60)
        return session
    }

    @Test("every generated record but the deliberately bad ones validates against Schemas/")
    func generatedInputValidates() throws {
        let directory = try Harness.temporaryDirectory("gen")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("session.ndjson").path
        try Harness.run(try Harness.binary, ["gen", "--seed", "7", "--duration-minutes", "10", "--output", file])
        let records = Array(LiveSessionGenerator(configuration: Self.session()))
        // Key mismatches and oversized records carry a payload the schema accepts; the processor rejects them.
        let schemaInvalid = records.filter { record in
            guard record.isDeliberatelyBad else { return false }
            return Self.payloadBreaksSchema(record)
        }.count
        try #require(records.contains { $0.isDeliberatelyBad })
        let ndjson = try String(contentsOfFile: file, encoding: .utf8)
        #expect(ndjson.split(separator: "\n").count == records.count, "`stocksentry gen` writes the generator's records")
        let report = try KafkaCheck.validate(ndjson: ndjson, expectInvalid: schemaInvalid)
        #expect(report.contains("\(schemaInvalid) invalid"), "\(report)")
    }

    /// True when the payload itself (not its key or size) breaks the topic's contract.
    static func payloadBreaksSchema(_ record: GeneratedRecord) -> Bool {
        let reason = (record.expectedRejection ?? "").lowercased()
        return !(reason.contains("key") || reason.contains("oversized") || reason.contains("bytes") || reason.contains("size"))
    }

    @Test("a generated session through the dev broker gives schema-valid outputs identical to the model's, and freezes the pitched SKU")
    func generatedSessionEndToEnd() async throws {
        let directory = try Harness.temporaryDirectory("e2e")
        let broker = try await BrokerProcess(partitions: Self.partitions, directory: directory)
        let file = directory.appendingPathComponent("session.ndjson").path
        let records = Array(LiveSessionGenerator(configuration: Self.session()))
        // Each record goes to the partition the model below assigns it, so every task sees the same
        // records as the model's per-task fold: the watermark is per task, so the split matters.
        let lines = records.map { record in
            LiveSessionGenerator.ndjsonLine(record)
                .replacingOccurrences(of: #""partition":null"#, with: #""partition":\#(Self.partition(of: record))"#)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        // Everything is at the broker before the processor starts, so its merge sees every
        // partition's lag and orders exactly as the model below does.
        try KafkaCheck.produce(bootstrap: broker.bootstrap, ndjsonFile: file)
        // A long idle bound: on a loaded 2-core CI machine a fetch can take longer than the default
        // 500 ms, and the merge would then (correctly, but differently from the model) go on without it.
        let processor = try ChildProcess(name: "run", arguments: ["run", "--bootstrap", broker.bootstrap, "--group", "it-gen",
                                                                  "--max-task-idle-ms", "10000"],
                                         directory: directory)

        let bad = records.filter(\.isDeliberatelyBad).count
        let model = Self.foldInModel(records)
        var outputs: [ConsumedRecord] = []
        try await Harness.waitUntil(.seconds(90), "\(model.count) outputs and \(bad) dead letters") {
            outputs = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts")
                + (try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands"))
                + (try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-deadletter"))
            return outputs.count >= model.count + bad
        }
        #expect(try await processor.stop() == 0, "stderr: \(processor.standardError)")
        outputs = try KafkaCheck.consume(bootstrap: broker.bootstrap, topics: ["stock-alerts", "stock-commands", "stock-deadletter"])

        _ = try KafkaCheck.validate(ndjson: try KafkaCheck.ndjson(outputs))
        let published = outputs.filter { $0.topic != "stock-deadletter" }.map(\.value)
        #expect(published.count == model.count, "no output published twice or lost")
        #expect(Set(published) == Set(model), "the Kafka path publishes exactly what the model folds")
        #expect(outputs.filter { $0.topic == "stock-deadletter" }.count == bad)

        let generator = LiveSessionGenerator(configuration: Self.session())
        let pitched = try #require(generator.skus.first { $0.pitched })
        let freezes = try outputs.filter { $0.topic == "stock-commands" }.map { try $0.object }
            .filter { $0["sku"] as? String == pitched.sku && $0["action"] as? String == "freeze" }
        #expect(!freezes.isEmpty, "the pitched SKU \(pitched.sku) is frozen")
        #expect(try await broker.child.stop() == 0)
        try? FileManager.default.removeItem(at: directory)
    }

    static let partitions = 3

    /// The partition a record is produced to: by key (FNV-1a), so a SKU's records share one task; 0 without a key.
    static func partition(of record: GeneratedRecord) -> Int {
        guard let key = record.key else { return 0 }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(partitions))
    }

    /// The outputs the pure model gives for the generator's records, one book per task as the service
    /// runs them: the task's records in the merge's order, each applied and then the watermark advanced
    /// to the highest event time so far (what `TaskProcessor` does with the merger's stream time).
    static func foldInModel(_ records: [GeneratedRecord]) -> [String] {
        let decoder = EventDecoder()
        let rank: [String: Int] = ["inventory": 0, "orders": 1, "carts": 2, "interactions": 3]
        var eventsByTask: [[(event: StockEvent, rank: Int, index: Int)]] = Array(repeating: [], count: partitions)
        for (index, record) in records.enumerated() {
            guard let topic = InputTopic(rawValue: record.topic) else { continue }
            let key = record.key.map { Array($0.utf8) }
            if case .success(let event) = decoder.decode(value: record.value, key: key, topic: topic,
                                                         recordTimestamp: EventTime(millisecondsSinceEpoch: record.timestampMilliseconds)) {
                eventsByTask[partition(of: record)].append((event, rank[record.topic] ?? 9, index))
            }
        }
        var outputs: [StockOutput] = []
        for var events in eventsByTask {
            events.sort { a, b in
                if a.event.time != b.event.time { return a.event.time < b.event.time }
                if a.rank != b.rank { return a.rank < b.rank }
                return a.index < b.index
            }
            var book = StockBook(policy: .builtInDefault)
            var streamTime: EventTime?
            for entry in events {
                _ = book.apply(entry.event, outputs: &outputs)
                let time = max(streamTime ?? entry.event.time, entry.event.time)
                streamTime = time
                book.advanceWatermark(to: time, outputs: &outputs)
            }
        }
        return outputs.map { output in
            var bytes: [UInt8] = []
            switch output {
            case .alert(let alert): alert.encodeJSON(into: &bytes)
            case .command(let command): command.encodeJSON(into: &bytes)
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
