import Testing

@testable import StockModel

@Suite struct StockOutputEncodingTests {
    static let alert = StockAlert(
        alertID: "al-0123456789abcdef", transitionID: "tr-0123456789abcdef", sku: "SKU-\"1\"", tier: .traffic,
        level: .warning, previousLevel: .notice, transition: .escalated, reasons: ["remaining share 8.0% ≤ 10%"],
        available: 8, sold: 92, reserved: 0, stock: 100, oversold: 0, sellThrough: 92.0 / 100.0,
        time: EventTime(millisecondsSinceEpoch: 1_795_422_600_000), causedBy: "e\\1")

    static let command = StockCommand(
        commandID: "cm-0123456789abcdef", sku: "SKU-1", tier: .profit, action: .lowStockBanner,
        reason: "available 0 ≤ buffer 0", available: 0, buffer: 0,
        time: EventTime(millisecondsSinceEpoch: 5), causedBy: "e1")

    @Test("an alert encodes to the exact wire bytes")
    func alertBytes() {
        var bytes: [UInt8] = []
        Self.alert.encodeJSON(into: &bytes)
        let expected = #"{"alert_id":"al-0123456789abcdef","transition_id":"tr-0123456789abcdef","sku":"SKU-\"1\"","tier":"traffic","level":"warning","previous_level":"notice","transition":"escalated","reasons":["remaining share 8.0% ≤ 10%"],"available":8,"sold":92,"reserved":0,"stock":100,"oversold":0,"rate_per_min":null,"forecast_demand":null,"horizon_min":null,"eta_min":null,"sell_through":0.92,"ts":1795422600000,"caused_by":"e\\1"}"#
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("a command encodes to the exact wire bytes")
    func commandBytes() {
        var bytes: [UInt8] = []
        Self.command.encodeJSON(into: &bytes)
        let expected = #"{"command_id":"cm-0123456789abcdef","sku":"SKU-1","tier":"profit","action":"low_stock_banner","reason":"available 0 ≤ buffer 0","available":0,"buffer":0,"ts":5,"caused_by":"e1"}"#
        #expect(String(decoding: bytes, as: UTF8.self) == expected)
    }

    @Test("encoded alerts parse back with exactly the wire field set, in order")
    func alertParsesBack() throws {
        var alert = Self.alert
        alert.ratePerMinute = 3.14159
        alert.forecastDemand = 12
        alert.horizonMinutes = 30
        alert.etaMinutes = 2.005
        alert.reasons = ["tab\tnew line\n", "控制\u{1}", "emoji 🛒"]
        var bytes: [UInt8] = []
        StockOutput.alert(alert).encodeJSON(into: &bytes)
        guard case .object(let object) = try JSONReader.parse(bytes) else {
            Issue.record("not an object")
            return
        }
        #expect(
            object.keys == [
                "alert_id", "transition_id", "sku", "tier", "level", "previous_level", "transition", "reasons",
                "available", "sold", "reserved", "stock", "oversold", "rate_per_min", "forecast_demand", "horizon_min",
                "eta_min", "sell_through", "ts", "caused_by",
            ])
        #expect(object["sku"] == .string("SKU-\"1\""))
        #expect(object["caused_by"] == .string("e\\1"))
        #expect(object["reasons"] == .array([.string("tab\tnew line\n"), .string("控制\u{1}"), .string("emoji 🛒")]))
        #expect(object["rate_per_min"] == .number(3.14))
        #expect(object["forecast_demand"] == .number(12.0))
        #expect(object["horizon_min"] == .integer(30))
        #expect(object["eta_min"] == .number(2.01))
        #expect(object["available"] == .integer(8))
        #expect(object["ts"] == .integer(1_795_422_600_000))
    }

    @Test("encoded commands parse back with exactly the wire field set, in order")
    func commandParsesBack() throws {
        var bytes: [UInt8] = []
        StockOutput.command(Self.command).encodeJSON(into: &bytes)
        guard case .object(let object) = try JSONReader.parse(bytes) else {
            Issue.record("not an object")
            return
        }
        #expect(object.keys == ["command_id", "sku", "tier", "action", "reason", "available", "buffer", "ts", "caused_by"])
        #expect(object["action"] == .string("low_stock_banner"))
    }

    @Test("a resolved alert names its last level as both level and previous level")
    func resolvedEncoding() throws {
        var book = StockBook(policy: StockBookTests.shareLevelsOnly)
        let outputs = StockBookTests.run(&book, StockBookTests.flashSale) + StockBookTests.idle(&book, from: 370, to: 1200)
        let resolved = try #require(StockBookTests.alerts(outputs).last)
        var bytes: [UInt8] = []
        resolved.encodeJSON(into: &bytes)
        guard case .object(let object) = try JSONReader.parse(bytes) else {
            Issue.record("not an object")
            return
        }
        #expect(object["transition"] == .string("resolved"))
        #expect(object["level"] == .string("critical"))
        #expect(object["previous_level"] == .string("critical"))
        #expect(object["sell_through"] == .number(0.5))
    }
}
