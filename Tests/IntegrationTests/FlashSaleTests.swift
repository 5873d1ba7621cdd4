import Foundation
import StockModel
import Testing

/// The whole path through a dev broker: kcat produces, `stocksentry run` processes, kcat and
/// confluent-kafka read the outputs back, jsonschema validates them.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct FlashSaleTests {
    static let inventory = [
        #"SKU-A|{"event_id":"inv-a-1","sku":"SKU-A","kind":"set","qty":100,"ts":1000,"tier":"profit","name":"Silk scarf"}"#,
        #"SKU-A|{"event_id":"inv-a-2","sku":"SKU-A","kind":"receive","qty":50,"ts":8000}"#,
        #"SKU-B|{"event_id":"inv-b-1","sku":"SKU-B","kind":"set","qty":10,"ts":9500,"tier":"traffic"}"#,
    ]

    static let oversized = "SKU-B|{\"event_id\":\"bad-6\",\"order_id\":\"o-big\",\"sku\":\"SKU-B\",\"qty\":1,\"status\":\"paid\",\"ts\":9100,\"text\":\""
        + String(repeating: "x", count: 70_000) + "\"}"

    static let orders = [
        #"SKU-A|{"event_id":"o1-paid","order_id":"o1","sku":"SKU-A","qty":75,"status":"paid","ts":2000}"#,
        #"SKU-A|{"event_id":"o2-paid","order_id":"o2","sku":"SKU-A","qty":6,"status":"paid","ts":3000}"#,
        #"SKU-A|{"event_id":"o3-created","order_id":"o3","sku":"SKU-A","qty":10,"status":"created","ts":4000}"#,
        #"SKU-A|{"event_id":"o3-paid","order_id":"o3","sku":"SKU-A","qty":10,"status":"paid","ts":5000}"#,
        #"SKU-A|{"event_id":"o4-paid","order_id":"o4","sku":"SKU-A","qty":9,"status":"paid","ts":6000}"#,
        #"SKU-A|{"event_id":"o4-paid-again","order_id":"o4","sku":"SKU-A","qty":9,"status":"paid","ts":6100}"#,
        #"SKU-A|{"event_id":"o2-paid","order_id":"o2","sku":"SKU-A","qty":6,"status":"paid","ts":3000}"#,
        #"SKU-A|{"event_id":"o3-cancelled","order_id":"o3","sku":"SKU-A","qty":10,"status":"cancelled","ts":7000}"#,
        "SKU-B|this is not json",
        #"SKU-B|{"event_id":"bad-2","order_id":"o-x","sku":"SKU-B","qty":"5","status":"paid","ts":9000}"#,
        #"SKU-B|{"event_id":"bad-3","order_id":"o-y","sku":"SKU-B","qty":-5,"status":"paid","ts":9000}"#,
        #"SKU-B|{"event_id":"bad-4","order_id":"o-z","sku":"SKU-B","qty":1,"status":"shipped","ts":9000}"#,
        #"SKU-B|{"event_id":"bad-5","order_id":"o-w","qty":1,"status":"paid","ts":9000}"#,
        oversized,
        #"SKU-B|{"event_id":"b1-paid","order_id":"b1","sku":"SKU-B","qty":10,"status":"paid","ts":10000}"#,
    ]

    /// The transitions the built-in policy implies, per SKU, in order. SKU-A sells 75 of 100 units in its
    /// first second: its ETA is under a minute, so it is critical at once with 25% left; the cancellation
    /// and the restock clear the conditions, but the alert holds for the 300-s cooldown, longer than the
    /// 10 s of event time this session spans, so nothing de-escalates.
    static let expectedAlerts: [String: [(transition: String, level: String, causedBy: String)]] = [
        "SKU-A": [("raised", "critical", "o1-paid")],
        "SKU-B": [("raised", "critical", "b1-paid")],
    ]
    static let expectedCommands: [String: [(action: String, available: Int, causedBy: String)]] = [
        "SKU-A": [("freeze", 0, "o4-paid"), ("unfreeze", 10, "o3-cancelled")],
        "SKU-B": [("freeze", 0, "b1-paid")],
    ]

    @Test("a flash sale fed by kcat raises critical by ETA, freezes and unfreezes exactly as the policy implies")
    func flashSale() async throws {
        let directory = try Harness.temporaryDirectory("flash")
        let broker = try await BrokerProcess(partitions: 2, directory: directory)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "inventory", lines: Self.inventory)
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "orders", lines: Self.orders)

        let processor = try ChildProcess(name: "run", arguments: ["run", "--bootstrap", broker.bootstrap, "--group", "it-flash"],
                                         directory: directory)
        var alerts: [ConsumedRecord] = []
        var commands: [ConsumedRecord] = []
        var deadLetters: [ConsumedRecord] = []
        try await Harness.waitUntil(.seconds(60), "2 alerts, 3 commands and 6 dead letters") {
            alerts = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts")
            commands = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands")
            deadLetters = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-deadletter")
            return alerts.count >= 2 && commands.count >= 3 && deadLetters.count >= 6
        }
        #expect(try await processor.stop(signal: SIGTERM) == 0, "SIGTERM must end the processor cleanly: \(processor.standardError)")

        // Exact transitions, per SKU in partition order.
        for (sku, expected) in Self.expectedAlerts {
            let mine = try alerts.filter { $0.key == sku }.sorted { $0.offset < $1.offset }.map { try $0.object }
            #expect(mine.map { $0["transition"] as? String } == expected.map(\.transition), "\(sku) alert transitions")
            #expect(mine.map { $0["level"] as? String } == expected.map(\.level), "\(sku) alert levels")
            #expect(mine.map { $0["caused_by"] as? String } == expected.map(\.causedBy), "\(sku) alert causes")
            #expect(Set(mine.compactMap { $0["alert_id"] as? String }).count == 1, "\(sku): one alert_id per episode")
        }
        let skuA = try alerts.filter { $0.key == "SKU-A" }.sorted { $0.offset < $1.offset }.map { try $0.object }
        #expect(skuA.map { $0["available"] as? Int } == [25])
        #expect(skuA.map { $0["stock"] as? Int } == [100])
        #expect(skuA.last?["sold"] as? Int == 75)
        #expect(skuA.last?["horizon_min"] as? Int == 30)
        #expect((skuA.last?["eta_min"] as? Double).map { $0 < 15 } == true)
        #expect((skuA.last?["reasons"] as? [String])?.first?.hasPrefix("eta ") == true)
        for (sku, expected) in Self.expectedCommands {
            let mine = try commands.filter { $0.key == sku }.sorted { $0.offset < $1.offset }.map { try $0.object }
            #expect(mine.map { $0["action"] as? String } == expected.map(\.action), "\(sku) commands")
            #expect(mine.map { $0["available"] as? Int } == expected.map(\.available), "\(sku) command availability")
            #expect(mine.map { $0["caused_by"] as? String } == expected.map(\.causedBy), "\(sku) command causes")
        }
        let transitionIDs = try alerts.map { try $0.object["transition_id"] as? String }
        #expect(Set(transitionIDs).count == alerts.count, "every alert transition has its own id")

        // The very same records folded by the pure model give byte-identical outputs.
        let model = try Self.foldInModel()
        #expect(Set(alerts.map(\.value)) == Set(model.alerts), "Kafka path and model agree on alerts")
        #expect(Set(commands.map(\.value)) == Set(model.commands), "Kafka path and model agree on commands")

        // Bad input: six dead letters with reasons and source offsets; later records still processed.
        let reasons = try deadLetters.map { try $0.object["error"] as? String ?? "" }
        for fragment in ["not valid JSON", "qty", "-5", "shipped", "sku", "65536"] {
            #expect(reasons.contains { $0.contains(fragment) }, "a dead letter mentions \(fragment): \(reasons)")
        }
        for letter in try deadLetters.map({ try $0.object }) {
            #expect(letter["source_topic"] as? String == "orders")
            #expect((letter["source_offset"] as? Int).map { $0 >= 0 } == true)
            #expect((letter["error"] as? String)?.hasPrefix("orders[") == true)
        }

        // Every output record validates against Schemas/ with jsonschema.
        _ = try KafkaCheck.validate(ndjson: try KafkaCheck.ndjson(alerts + commands + deadLetters))
        // confluent-kafka, as a read_committed consumer, reads the same records.
        let viaPython = try KafkaCheck.consume(bootstrap: broker.bootstrap, topics: ["stock-alerts", "stock-commands"])
        #expect(Set(viaPython.map(\.value)) == Set((alerts + commands).map(\.value)))

        // A restart on the same group rebuilds state and publishes nothing twice.
        let restarted = try ChildProcess(name: "run2", arguments: ["run", "--bootstrap", broker.bootstrap, "--group", "it-flash"],
                                         directory: directory)
        try await Harness.waitUntil(.seconds(30), "the restarted processor to be assigned its tasks") {
            restarted.standardError.contains("task assigned")
        }
        try await Task.sleep(for: .seconds(3))
        #expect(try await restarted.stop(signal: SIGTERM) == 0)
        #expect(try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts").count == alerts.count)
        #expect(try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands").count == commands.count)
        #expect(try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-deadletter").count == deadLetters.count)
        #expect(try await broker.child.stop() == 0)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Folds the scenario through ``StockBook`` in event-time order, as the processor's merge does.
    static func foldInModel() throws -> (alerts: Set<String>, commands: Set<String>) {
        let decoder = EventDecoder()
        var events: [StockEvent] = []
        for (topic, lines) in [(InputTopic.inventory, inventory), (InputTopic.orders, orders)] {
            for line in lines {
                let parts = line.split(separator: "|", maxSplits: 1)
                let key = Array(parts[0].utf8)
                let value = parts.count > 1 ? Array(parts[1].utf8) : []
                if case .success(let event) = decoder.decode(value: value, key: key, topic: topic, recordTimestamp: nil) {
                    events.append(event)
                }
            }
        }
        events = events.enumerated().sorted { a, b in
            a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
        }.map(\.element)
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        for event in events { _ = book.apply(event, outputs: &outputs) }
        var alerts = Set<String>()
        var commands = Set<String>()
        for output in outputs {
            var bytes: [UInt8] = []
            switch output {
            case .alert(let alert):
                alert.encodeJSON(into: &bytes)
                alerts.insert(String(decoding: bytes, as: UTF8.self))
            case .command(let command):
                command.encodeJSON(into: &bytes)
                commands.insert(String(decoding: bytes, as: UTF8.self))
            }
        }
        return (alerts, commands)
    }
}
