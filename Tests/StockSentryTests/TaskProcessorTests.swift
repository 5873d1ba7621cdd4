import Foundation
import Kafka
import StockModel
import Testing

@testable import StockSentry

@Suite struct TaskProcessorTests {
    static func record(_ topic: String, offset: Int64, _ json: String, key: String = "SKU-A") -> KafkaRecord {
        KafkaRecord(topic: topic, partition: 3, offset: offset, timestampMilliseconds: 1_000,
                    key: Array(key.utf8), value: Array(json.utf8))
    }

    static func task() -> TaskProcessor {
        var task = TaskProcessor(partition: 3, configuration: StockSentryConfiguration(bootstrapServers: "unused:9092"))
        for role in InputTopic.allCases { task.updateHighWatermark(role, 0) }
        return task
    }

    static let sellOut: [(String, InputTopic, String)] = [
        ("inventory", .inventory, #"{"event_id":"i1","sku":"SKU-A","kind":"set","qty":10,"ts":1}"#),
        ("orders", .orders, #"{"event_id":"o1","order_id":"o1","sku":"SKU-A","qty":10,"status":"paid","ts":2}"#),
    ]

    @Test("a sell-out publishes a critical alert and a freeze, keyed by SKU, to the output topics")
    func publishesOutputs() throws {
        var task = Self.task()
        for (offset, (topic, role, json)) in Self.sellOut.enumerated() {
            task.accept(Self.record(topic, offset: Int64(offset), json), role: role)
            task.updateHighWatermark(role, Int64(offset) + 1)
        }
        var out: [OutgoingRecord] = []
        #expect(try task.drain(now: .now, maximumRecords: .max, into: &out) == 2)
        #expect(out.map(\.topic) == ["stock-alerts", "stock-commands"])
        #expect(out.allSatisfy { $0.key == Array("SKU-A".utf8) })
        let alert = try #require(JSONSerialization.jsonObject(with: Data(out[0].value)) as? [String: Any])
        #expect(alert["level"] as? String == "critical")
        #expect(task.processedPositions == [.inventory: 1, .orders: 2])
    }

    @Test("another SKU's records advance the task's watermark, which resolves a SKU whose sales stopped")
    func watermarkResolvesStoppedSKU() throws {
        var task = Self.task()
        var records: [(KafkaRecord, InputTopic)] = [
            (Self.record("inventory", offset: 0, #"{"event_id":"i1","sku":"SKU-A","kind":"set","qty":100,"ts":1000}"#), .inventory),
            (Self.record("orders", offset: 0, #"{"event_id":"o1","order_id":"o1","sku":"SKU-A","qty":50,"status":"paid","ts":2000}"#), .orders),
        ]
        for second in 1...360 {
            let json = #"{"event_id":"x\#(second)","sku":"SKU-B","kind":"like","ts":\#(2000 + second * 10_000)}"#
            records.append((Self.record("interactions", offset: Int64(second - 1), json, key: "SKU-B"), .interactions))
        }
        for (record, role) in records {
            task.accept(record, role: role)
            task.updateHighWatermark(role, record.offset + 1)
        }
        var out: [OutgoingRecord] = []
        try task.drain(now: .now, maximumRecords: .max, into: &out)
        let alerts = try out.filter { $0.topic == "stock-alerts" }.map {
            try #require(JSONSerialization.jsonObject(with: Data($0.value)) as? [String: Any])
        }
        #expect(alerts.map { $0["transition"] as? String } == ["raised", "resolved"])
        #expect(alerts.map { $0["caused_by"] as? String }.first == "o1")
        let resolved = try #require(alerts.last)
        let causedBy = try #require(resolved["caused_by"] as? String)
        #expect(causedBy == "watermark-\(resolved["ts"] as? Int ?? -1)")
        // Watermark evaluations land on 10-second slots, 5 s (the allowed lateness) behind the stream.
        #expect((resolved["ts"] as? Int).map { $0 % 10_000 == 0 && $0 > 2000 + 300_000 } == true)
    }

    @Test("records below the group's committed offsets rebuild state but publish nothing again")
    func restoreSuppressesOutputs() throws {
        var task = Self.task()
        task.setRestoreBoundary(.inventory, committedOffset: 1)
        task.setRestoreBoundary(.orders, committedOffset: 2)
        for (offset, (topic, role, json)) in Self.sellOut.enumerated() {
            task.accept(Self.record(topic, offset: Int64(offset), json), role: role)
            task.updateHighWatermark(role, Int64(offset) + 1)
        }
        var out: [OutgoingRecord] = []
        try task.drain(now: .now, maximumRecords: .max, into: &out)
        #expect(out.isEmpty)
        #expect(task.book.ledger(for: "SKU-A")?.available == 0)
        #expect(!task.isRestoring)
    }

    @Test("a bad record becomes a dead letter naming topic, partition, offset and reason, with its bytes")
    func deadLetter() throws {
        var task = Self.task()
        task.accept(Self.record("orders", offset: 1042, #"{"event_id":"e","order_id":"o","sku":"SKU-A","qty":-5,"status":"paid"}"#),
                    role: .orders)
        var out: [OutgoingRecord] = []
        try task.drain(now: .now, maximumRecords: .max, into: &out)
        try #require(out.count == 1)
        #expect(out[0].topic == "stock-deadletter")
        let letter = try #require(JSONSerialization.jsonObject(with: Data(out[0].value)) as? [String: Any])
        #expect((letter["error"] as? String)?.hasPrefix("orders[3]@1042: ") == true)
        #expect((letter["error"] as? String)?.contains("-5") == true)
        #expect(letter["source_offset"] as? Int == 1042)
        let original = try #require(Data(base64Encoded: letter["value_base64"] as? String ?? ""))
        #expect(String(decoding: original, as: UTF8.self).contains(#""qty":-5"#))
        #expect(task.processedPositions[.orders] == 1043)
    }
}
