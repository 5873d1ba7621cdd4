import Foundation
import Testing

/// Two `stocksentry run` instances in one consumer group share the tasks; a task that moves is
/// rebuilt from its input partitions and publishes nothing twice.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct RebalanceTests {
    static let skus = (1...8).map { "SKU-R\($0)" }

    static func lines(_ body: (String, Int) -> String) -> [String] {
        skus.enumerated().map { index, sku in "\(sku)|" + body(sku, index) }
    }

    @Test("a second instance takes over tasks: every transition is published once, by whichever instance owns the SKU")
    func twoInstancesSplitTasks() async throws {
        let directory = try Harness.temporaryDirectory("rebalance")
        let broker = try await BrokerProcess(partitions: 4, directory: directory)
        let run = ["run", "--bootstrap", broker.bootstrap, "--group", "it-rebalance"]

        // Phase 1, one instance: stock 10, 9 sold → remaining share 10 % → warning raised.
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "inventory", lines: Self.lines { sku, i in
            #"{"event_id":"set-\#(sku)","sku":"\#(sku)","kind":"set","qty":10,"ts":\#(1_000 + i)}"#
        })
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "orders", lines: Self.lines { sku, i in
            #"{"event_id":"paid9-\#(sku)","order_id":"a-\#(sku)","sku":"\#(sku)","qty":9,"status":"paid","ts":\#(2_000 + i)}"#
        })
        let first = try ChildProcess(name: "first", arguments: run, directory: directory)
        try await Harness.waitUntil(.seconds(60), "8 warnings from the first instance") {
            try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts").count >= 8
        }
        try await Task.sleep(for: .seconds(2))  // past one commit interval: the group's offsets are current

        // A second member joins; the group moves some tasks to it, which rebuild from the inputs.
        let second = try ChildProcess(name: "second", arguments: run, directory: directory)
        try await Harness.waitUntil(.seconds(60), "the rebalance to give the second instance tasks") {
            second.standardError.contains("task assigned") && first.standardError.contains("task revoked")
        }
        // Phase 2: the last unit sells → critical + freeze, published by the current owner.
        try Kcat.produce(bootstrap: broker.bootstrap, topic: "orders", lines: Self.lines { sku, i in
            #"{"event_id":"paid1-\#(sku)","order_id":"b-\#(sku)","sku":"\#(sku)","qty":1,"status":"paid","ts":\#(3_000 + i)}"#
        })
        try await Harness.waitUntil(.seconds(60), "16 alerts and 8 freezes") {
            try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts").count >= 16
                && (try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands").count) >= 8
        }
        try await Task.sleep(for: .seconds(2))
        #expect(try await first.stop() == 0, "stderr: \(first.standardError)")
        #expect(try await second.stop() == 0, "stderr: \(second.standardError)")

        let alerts = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-alerts").map { try $0.object }
        let commands = try Kcat.consume(bootstrap: broker.bootstrap, topic: "stock-commands").map { try $0.object }
        #expect(alerts.count == 16, "each SKU: raised warning, escalated critical; nothing republished")
        #expect(commands.count == 8)
        #expect(Set(alerts.compactMap { $0["transition_id"] as? String }).count == 16)
        for sku in Self.skus {
            let mine = alerts.filter { $0["sku"] as? String == sku }
            #expect(mine.map { $0["transition"] as? String }.sorted { ($0 ?? "") > ($1 ?? "") } == ["raised", "escalated"], "\(sku)")
            #expect(Set(mine.compactMap { $0["alert_id"] as? String }).count == 1, "\(sku): the rebuilt task continues the episode")
            #expect(commands.filter { $0["sku"] as? String == sku }.map { $0["action"] as? String } == ["freeze"])
        }
        #expect(try await broker.child.stop() == 0)
        try? FileManager.default.removeItem(at: directory)
    }
}
