import Foundation
import StockModel
import Testing
import Kafka

@testable import StockSentry

/// A hand-computed session: every figure of the report is worked out in the comments.
///
/// Base time T; one task (partition 0); tier profit, built-in share levels 20/10/5 % and freeze at
/// available ≤ buffer 0. Fewer than 10 units sell in any 30 minutes, so ETA, forecast and
/// acceleration stay silent and only the share levels speak.
/// - SKU-A: set 10; paid 2,2,2,2 at T+1..4 min (available 2 = 20 % → notice at T+4), 1 at T+5
///   (1 = 10 % → warning), 2 at T+6 (−1 → critical, sold out, freeze; 1 unit oversold before the
///   freeze), 1 at T+7 (−2 while frozen). The repeat of o1 is a duplicate.
/// - SKU-B: set 10; paid 9 at T+1 (1 = 10 % → warning raised); never sells out: a false alarm once
///   the data runs 60 min past the warning (the comment on SKU-C at T+70).
/// - SKU-C: set 5, no sales.
/// - One orders record that is not JSON: a dead letter.
@Suite struct BacktestTests {
    static let base: Int64 = 1_763_800_000_000
    static func minutes(_ m: Int64) -> Int64 { base + m * 60_000 }

    static func line(_ topic: String, _ key: String?, _ time: Int64, _ value: String, partition: Int? = 0) -> String {
        func quoted(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return "{\"topic\":\"\(topic)\",\"key\":\(key.map(quoted) ?? "null"),\"partition\":\(partition.map(String.init) ?? "null"),\"timestamp\":\(time),\"value\":\(quoted(value))}"
    }

    static func inventory(_ id: String, _ sku: String, _ qty: Int, _ time: Int64) -> String {
        line("inventory", sku, time, #"{"event_id":"\#(id)","sku":"\#(sku)","kind":"set","qty":\#(qty),"tier":"profit","ts":\#(time)}"#)
    }

    static func paid(_ id: String, _ order: String, _ sku: String, _ qty: Int, _ time: Int64) -> String {
        line("orders", sku, time, #"{"event_id":"\#(id)","order_id":"\#(order)","sku":"\#(sku)","qty":\#(qty),"status":"paid","ts":\#(time)}"#)
    }

    static let session: [String] = [
        inventory("i1", "SKU-A", 10, minutes(0)),
        inventory("i2", "SKU-B", 10, minutes(0)),
        inventory("i3", "SKU-C", 5, minutes(0)),
        paid("e1", "o1", "SKU-A", 2, minutes(1)),
        paid("e9", "o9", "SKU-B", 9, minutes(1)),
        paid("e1", "o1", "SKU-A", 2, minutes(1) + 500),
        paid("e2", "o2", "SKU-A", 2, minutes(2)),
        paid("e3", "o3", "SKU-A", 2, minutes(3)),
        line("orders", "SKU-A", minutes(3) + 1, "not json"),
        paid("e4", "o4", "SKU-A", 2, minutes(4)),
        paid("e5", "o5", "SKU-A", 1, minutes(5)),
        paid("e6", "o6", "SKU-A", 2, minutes(6)),
        paid("e7", "o7", "SKU-A", 1, minutes(7)),
        line("interactions", "SKU-C", minutes(70), #"{"event_id":"c1","sku":"SKU-C","kind":"comment","ts":\#(minutes(70))}"#),
    ]

    static func write(_ lines: [String]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backtest-\(UUID().uuidString).ndjson").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func run(_ lines: [String], policies: [BacktestPolicy] = [.builtInDefault], range: ReplayRange = ReplayRange()) throws -> BacktestResult {
        let path = try write(lines)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = try ReplayInput.load(files: [path], partitionCount: 1, topics: .init(), range: range)
        var configuration = BacktestConfiguration()
        configuration.policies = policies
        return Backtest.run(input, configuration: configuration)
    }

    static let earlyFreeze: BacktestPolicy = {
        let json = #"{"version":1,"tiers":{"profit":{"freeze":{"buffer_units":1}}}}"#
        return BacktestPolicy(name: "early-freeze", path: nil, policy: try! PolicySet(json: Array(json.utf8)))
    }()

    @Test("the report's figures match the hand-computed session")
    func handComputed() throws {
        let result = try Self.run(Self.session, policies: [.builtInDefault, Self.earlyFreeze])
        let report = result.report
        #expect(report.input.recordsByTopic == ["inventory": 3, "orders": 10, "carts": 0, "interactions": 1])
        #expect(report.input.deadLetters == 1)
        #expect(report.input.duplicates == 1)
        #expect(report.input.firstEventTime == Self.minutes(0))
        #expect(report.input.lastEventTime == Self.minutes(70))

        let skuA = try #require(report.skus.first { $0.sku == "SKU-A" })
        #expect(skuA.soldOutAt == Self.minutes(6))
        #expect(skuA.peakOversoldUnits == 2)
        #expect(skuA.soldUnits == 12)
        #expect(skuA.closingAvailable == -2)
        #expect(skuA.curve.first == BacktestReport.CurvePoint(time: Self.minutes(0), available: 10, stock: 10))
        #expect(skuA.curve.last == BacktestReport.CurvePoint(time: Self.minutes(7), available: -2, stock: 10))
        #expect(report.skus.map(\.sku) == ["SKU-A", "SKU-B", "SKU-C"])
        #expect(report.skus.first { $0.sku == "SKU-B" }?.soldOutAt == nil)

        let standard = report.policies[0]
        let a = try #require(standard.outcomes.first { $0.sku == "SKU-A" })
        #expect(a.firstLevelAt == ["notice": Self.minutes(4), "warning": Self.minutes(5), "critical": Self.minutes(6)])
        #expect(a.leadMinutes == ["notice": 2, "warning": 1, "critical": 0])
        #expect(a.firstFreezeAt == Self.minutes(6))
        #expect(a.freezeLeadMinutes == 0)
        #expect(a.alertTransitions == 3)
        #expect(a.unprotectedOversoldUnits == 1, "o6 took available from 1 to −1 before the freeze")
        #expect(a.unitsOrderedWhileFrozen == 1, "o7 came after the freeze")
        #expect(a.falseAlarm == false)
        #expect(a.missedSellOut == false)
        let b = try #require(standard.outcomes.first { $0.sku == "SKU-B" })
        #expect(b.firstLevelAt == ["notice": Self.minutes(1), "warning": Self.minutes(1)], "share 10 % is warning at once, so notice is reached with it")
        #expect(b.falseAlarm == true)
        #expect(b.freezes == 0)
        let c = try #require(standard.outcomes.first { $0.sku == "SKU-C" })
        #expect(c.alertTransitions == 0 && c.falseAlarm == nil && !c.missedSellOut)

        let overall = standard.overall
        #expect(overall.skus == 3)
        #expect(overall.soldOutSKUs == 1)
        #expect(overall.warnedSKUs == 2)
        #expect(overall.missedSellOuts == 0)
        #expect(overall.medianWarningLeadMinutes == 1)
        #expect(overall.minimumWarningLeadMinutes == 1)
        #expect(overall.medianCriticalLeadMinutes == 0)
        #expect(overall.falseAlarms == 1)
        #expect(overall.undecidedAlarms == 0)
        #expect(overall.falseAlarmRate == 0.5)
        #expect(overall.decidedFalseAlarmRate == 0.5)
        #expect(overall.alertTransitions == 4)
        // 4 transitions ÷ (3 SKUs × 70/60 h) = 1.142857…
        #expect(abs((overall.transitionsPerSKUHour ?? 0) - 4.0 / 3.5) < 1e-9)
        #expect(overall.freezes == 1)
        #expect(overall.oversoldUnits == 2)
        #expect(overall.unprotectedOversoldUnits == 1)
        #expect(overall.unitsOrderedWhileFrozen == 1)
        #expect(standard.targets == .init(medianWarningLead: false, noMissedSellOut: true, falseAlarmRate: false, transitionsPerSKUHour: true))
        #expect(standard.byTier.keys.sorted() == ["profit"])
        #expect(standard.byTier["profit"]?.skus == 3)

        // buffer 1: SKU-A freezes at T+5 (available 1), SKU-B at T+1; o6 and o7 (3 units) meet the freeze.
        let early = report.policies[1].overall
        #expect(early.freezes == 2)
        #expect(early.medianFreezeLeadMinutes == 1)
        #expect(early.unprotectedOversoldUnits == 0)
        #expect(early.unitsOrderedWhileFrozen == 3)
        #expect(early.alertTransitions == 4, "freezing changes no alert")

        #expect(result.deadLetters.count == 1)
        #expect(String(decoding: result.deadLetters[0].value, as: UTF8.self).contains("orders[0]@5: not valid JSON"))
        let commands = result.outputs[0].filter { $0.topic == "stock-commands" }
        #expect(commands.count == 1)
        #expect(result.outputs[0].map(\.time) == result.outputs[0].map(\.time).sorted())
    }

    @Test("replaying the same input twice gives byte-identical outputs and report")
    func deterministic() throws {
        var generator = LiveSessionConfiguration()
        generator.seed = 11
        generator.duration = .seconds(15 * 60)
        let lines = LiveSessionGenerator(configuration: generator).map(LiveSessionGenerator.ndjsonLine)
        let path = try Self.write(lines)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = BacktestConfiguration()
        configuration.policies = [.builtInDefault, Self.earlyFreeze]
        let first = Backtest.run(try ReplayInput.load(files: [path], partitionCount: 4, topics: .init(), range: ReplayRange()),
                                 configuration: configuration)
        let second = Backtest.run(try ReplayInput.load(files: [path], partitionCount: 4, topics: .init(), range: ReplayRange()),
                                  configuration: configuration)
        #expect(first.outputs.map(ReplayReportFiles.ndjson) == second.outputs.map(ReplayReportFiles.ndjson))
        #expect(try ReplayReportFiles.json(first.report) == ReplayReportFiles.json(second.report))
        #expect(first.outputs[0].count > 10, "a generated session raises alerts")
        #expect(first.report.input.tasks == 4)
    }

    @Test("a time range keeps exactly the records with timestamps in [from, to)")
    func timeRange() throws {
        let range = ReplayRange(fromTime: Self.minutes(2), toTime: Self.minutes(6))
        let path = try Self.write(Self.session)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = try ReplayInput.load(files: [path], partitionCount: 1, topics: .init(), range: range)
        // o2 (T+2), o3 (T+3), the bad record (T+3 + 1 ms), o4 (T+4), o5 (T+5); o6 at T+6 is out.
        #expect(input.recordsByTopic == ["orders": 5])
        #expect(input.outOfRangeRecords == Self.session.count - 5)
        let offsets = input.tasks[0].records(.orders).map(\.offset)
        #expect(offsets == [3, 4, 5, 6, 7], "offsets stay those of the full partition")
        let byOffset = try ReplayInput.load(files: [path], partitionCount: 1, topics: .init(), range: ReplayRange(fromOffset: 3, toOffset: 5))
        #expect(byOffset.recordsByTopic == ["orders": 2])
    }

    @Test("kcat -J lines are read as they are, and records without a partition go where murmur2 puts them")
    func kcatShapeAndPartitioning() throws {
        let kcat = #"{"topic":"orders","partition":2,"offset":41,"tstype":"create","ts":1763800000000,"broker":1,"key":"SKU-A","payload":"{\"x\":1}"}"#
        let path = try Self.write([kcat, Self.line("orders", "SKU-B", Self.base, "{}", partition: nil)])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let input = try ReplayInput.load(files: [path], partitionCount: 8, topics: .init(), range: ReplayRange())
        let first = try #require(input.tasks.first { $0.partition == 2 }?.records(.orders).first)
        #expect(first.offset == 41 && first.timestampMilliseconds == 1_763_800_000_000 && first.value == Array(#"{"x":1}"#.utf8))
        let expected = Kafka.KafkaKeyPartitioner.partition(key: Array("SKU-B".utf8), partitionCount: 8)
        #expect(input.tasks.first { $0.partition == expected }?.records(.orders).first?.offset == 0)
    }

    @Test("a bad line stops the read with its file and line number", arguments: [
        ("{\"topic\":\"orders\"}", "needs \"value\""),
        ("[1,2]", "expected a JSON object"),
        ("{\"topic\":\"orders\",\"value\":\"{}\",\"partition\":-1}", "\"partition\" must be an integer"),
        ("not json", "not a JSON object"),
    ])
    func badLine(line: String, message: String) throws {
        let path = try Self.write([Self.session[0], line])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: StockSentryError.self) {
            try ReplayInput.load(files: [path], partitionCount: 1, topics: .init(), range: ReplayRange())
        }
        #expect(error.message.contains("\(path):2"), "\(error.message)")
        #expect(error.message.contains(message), "\(error.message)")
    }
}
