import Testing

@testable import StockModel

@Suite struct EventDecoderTests {
    let decoder = EventDecoder()
    static let recordTime = EventTime(millisecondsSinceEpoch: 1_795_422_600_000)

    func decode(
        _ json: String, topic: InputTopic, key: String? = "SKU-1", recordTimestamp: EventTime? = recordTime
    ) -> Result<StockEvent, EventRejection> {
        decoder.decode(value: Array(json.utf8), key: key.map { Array($0.utf8) }, topic: topic, recordTimestamp: recordTimestamp)
    }

    func rejection(_ json: String, topic: InputTopic, key: String? = "SKU-1", recordTimestamp: EventTime? = recordTime)
        -> String?
    {
        if case .failure(let rejection) = decode(json, topic: topic, key: key, recordTimestamp: recordTimestamp) {
            return rejection.reason
        }
        return nil
    }

    @Test("an order with every field decodes")
    func fullOrder() throws {
        let json = """
            {"event_id":"e1","order_id":"o1","sku":"SKU-1","qty":2,"status":"paid","ts":1795422600123,\
            "room_id":"r1","user_id":"u1","channel":"live","price":19.9,"future_field":{"a":[1,2]}}
            """
        let event = try decode(json, topic: .orders).get()
        #expect(
            event
                == .order(
                    OrderEvent(
                        eventID: "e1", orderID: "o1", sku: "SKU-1", quantity: 2, status: .paid,
                        time: EventTime(millisecondsSinceEpoch: 1_795_422_600_123), roomID: "r1", userID: "u1",
                        channel: "live", price: 19.9)))
        #expect(event.topic == .orders)
    }

    @Test("a cart, an interaction and an inventory record decode")
    func otherTopics() throws {
        let cart = try decode(#"{"event_id":"c1","sku":"SKU-1","action":"add","qty":1,"ts":5}"#, topic: .carts).get()
        #expect(cart == .cart(CartEvent(eventID: "c1", sku: "SKU-1", action: .add, quantity: 1, time: EventTime(millisecondsSinceEpoch: 5))))
        let interaction = try decode(
            #"{"event_id":"x1","sku":"SKU-1","kind":"comment","ts":5,"text":"还有吗? \"quoted\" \u00e9"}"#,
            topic: .interactions
        ).get()
        #expect(
            interaction
                == .interaction(
                    InteractionEvent(
                        eventID: "x1", sku: "SKU-1", kind: .comment, time: EventTime(millisecondsSinceEpoch: 5),
                        text: "还有吗? \"quoted\" é")))
        let inventory = try decode(
            #"{"event_id":"i1","sku":"SKU-1","kind":"adjust","qty":-4,"ts":5,"tier":"traffic","name":"Lipstick"}"#,
            topic: .inventory
        ).get()
        #expect(
            inventory
                == .inventory(
                    InventoryEvent(
                        eventID: "i1", sku: "SKU-1", kind: .adjust, quantity: -4,
                        time: EventTime(millisecondsSinceEpoch: 5), tier: .traffic, name: "Lipstick")))
    }

    @Test("an RFC 3339 ts is accepted")
    func rfc3339() throws {
        let event = try decode(
            #"{"event_id":"e1","order_id":"o1","sku":"SKU-1","qty":1,"status":"created","ts":"2026-11-23T16:30:00.250+08:00"}"#,
            topic: .orders
        ).get()
        #expect(event.time == EventTime(millisecondsSinceEpoch: 1_795_422_600_250))
    }

    @Test("a missing or null ts falls back to the record timestamp")
    func timestampFallback() throws {
        let missing = try decode(#"{"event_id":"e1","sku":"SKU-1","kind":"like"}"#, topic: .interactions).get()
        #expect(missing.time == Self.recordTime)
        let null = try decode(#"{"event_id":"e1","sku":"SKU-1","kind":"like","ts":null}"#, topic: .interactions).get()
        #expect(null.time == Self.recordTime)
    }

    @Test("the raw-buffer entry point decodes the same as the array one")
    func rawBuffers() throws {
        let value = Array(#"{"event_id":"e1","sku":"SKU-1","kind":"set","qty":0,"ts":1}"#.utf8)
        let key = Array("SKU-1".utf8)
        let result = value.withUnsafeBytes { valueBuffer in
            key.withUnsafeBytes { keyBuffer in
                decoder.decode(value: valueBuffer, key: keyBuffer, topic: .inventory, recordTimestamp: nil)
            }
        }
        #expect(try result.get() == decoder.decode(value: value, key: key, topic: .inventory, recordTimestamp: nil).get())
    }

    struct RejectionCase: Sendable, CustomTestStringConvertible {
        var json: String
        var topic: InputTopic
        var reason: String
        var testDescription: String { reason }
    }

    static let rejections: [RejectionCase] = [
        RejectionCase(
            json: #"{"event_id":"e1", x}"#, topic: .orders,
            reason: "not valid JSON: unexpected character 'x' at byte 18"),
        RejectionCase(json: "", topic: .orders, reason: "not valid JSON: unexpected end of input at byte 0"),
        RejectionCase(json: #"{"a":1} {}"#, topic: .orders, reason: "not valid JSON: unexpected character '{' at byte 8"),
        RejectionCase(json: #"{"a":1,"a":2}"#, topic: .orders, reason: "not valid JSON: duplicate key \"a\" at byte 7"),
        RejectionCase(json: "[1,2]", topic: .orders, reason: "payload must be a JSON object, got an array"),
        RejectionCase(json: #""text""#, topic: .orders, reason: "payload must be a JSON object, got \"text\""),
        RejectionCase(
            json: #"{"sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1}"#, topic: .orders,
            reason: "missing required field \"event_id\""),
        RejectionCase(
            json: #"{"event_id":"e1","order_id":"o1","qty":1,"status":"paid","ts":1}"#, topic: .orders,
            reason: "missing required field \"sku\""),
        RejectionCase(
            json: #"{"event_id":"","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1}"#, topic: .orders,
            reason: "event_id must be a non-empty string, got \"\""),
        RejectionCase(
            json: #"{"event_id":"e1","sku":7,"order_id":"o1","qty":1,"status":"paid","ts":1}"#, topic: .orders,
            reason: "sku must be a non-empty string, got 7"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","qty":1,"status":"paid","ts":1}"#, topic: .orders,
            reason: "missing required field \"order_id\""),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","status":"paid","ts":1}"#, topic: .orders,
            reason: "missing required field \"qty\""),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":-5,"status":"paid","ts":1}"#, topic: .orders,
            reason: "qty must be an integer ≥ 1, got -5"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":0,"status":"paid","ts":1}"#, topic: .orders,
            reason: "qty must be an integer ≥ 1, got 0"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":5.0,"status":"paid","ts":1}"#, topic: .orders,
            reason: "qty must be an integer ≥ 1, got 5.0"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":"5","status":"paid","ts":1}"#, topic: .orders,
            reason: "qty must be an integer ≥ 1, got \"5\""),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":99999999999,"status":"paid","ts":1}"#,
            topic: .orders, reason: "qty must be at most 1000000000, got 99999999999"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"shipped","ts":1}"#, topic: .orders,
            reason: "status must be one of created, paid, cancelled, refunded, got \"shipped\""),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"ts":1}"#, topic: .orders,
            reason: "missing required field \"status\""),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1,"price":-1}"#,
            topic: .orders, reason: "price must be a number ≥ 0, got -1"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1,"price":"9.9"}"#,
            topic: .orders, reason: "price must be a number ≥ 0, got \"9.9\""),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1,"room_id":5}"#,
            topic: .orders, reason: "room_id must be a string, got 5"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1,"user_id":true}"#,
            topic: .orders, reason: "user_id must be a string, got true"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1,"channel":[]}"#,
            topic: .orders, reason: "channel must be a string, got an array"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":-1}"#, topic: .orders,
            reason: "ts must be epoch milliseconds (an integer ≥ 0) or an RFC 3339 string, got -1"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":1.5}"#, topic: .orders,
            reason: "ts must be epoch milliseconds (an integer ≥ 0) or an RFC 3339 string, got 1.5"),
        RejectionCase(
            json: #"{"event_id":"e1","sku":"SKU-1","order_id":"o1","qty":1,"status":"paid","ts":"yesterday"}"#,
            topic: .orders,
            reason:
                "ts must be epoch milliseconds (an integer ≥ 0) or an RFC 3339 string such as \"2026-11-23T08:30:00Z\", got \"yesterday\""
        ),
        RejectionCase(
            json: #"{"event_id":"c1","sku":"SKU-1","action":"buy","qty":1,"ts":1}"#, topic: .carts,
            reason: "action must be one of add, remove, got \"buy\""),
        RejectionCase(
            json: #"{"event_id":"c1","sku":"SKU-1","action":"add","qty":0,"ts":1}"#, topic: .carts,
            reason: "qty must be an integer ≥ 1, got 0"),
        RejectionCase(
            json: #"{"event_id":"x1","sku":"SKU-1","ts":1}"#, topic: .interactions,
            reason: "missing required field \"kind\""),
        RejectionCase(
            json: #"{"event_id":"x1","sku":"SKU-1","kind":"wave","ts":1}"#, topic: .interactions,
            reason: "kind must be one of comment, question, like, share, click, got \"wave\""),
        RejectionCase(
            json: #"{"event_id":"x1","sku":"SKU-1","kind":"comment","ts":1,"text":{}}"#, topic: .interactions,
            reason: "text must be a string, got an object"),
        RejectionCase(
            json: #"{"event_id":"i1","sku":"SKU-1","kind":"set","qty":-1,"ts":1}"#, topic: .inventory,
            reason: "qty must be an integer ≥ 0 for kind \"set\", got -1"),
        RejectionCase(
            json: #"{"event_id":"i1","sku":"SKU-1","kind":"receive","qty":0,"ts":1}"#, topic: .inventory,
            reason: "qty must be an integer ≥ 1 for kind \"receive\", got 0"),
        RejectionCase(
            json: #"{"event_id":"i1","sku":"SKU-1","kind":"damage","qty":-2,"ts":1}"#, topic: .inventory,
            reason: "qty must be an integer ≥ 1 for kind \"damage\", got -2"),
        RejectionCase(
            json: #"{"event_id":"i1","sku":"SKU-1","kind":"adjust","qty":0,"ts":1}"#, topic: .inventory,
            reason: "qty must be a non-zero integer for kind \"adjust\", got 0"),
        RejectionCase(
            json: #"{"event_id":"i1","sku":"SKU-1","kind":"recount","qty":1,"ts":1}"#, topic: .inventory,
            reason: "kind must be one of set, receive, adjust, damage, got \"recount\""),
        RejectionCase(
            json: #"{"event_id":"i1","sku":"SKU-1","kind":"set","qty":1,"ts":1,"tier":"gold"}"#, topic: .inventory,
            reason: "tier must be one of traffic, profit, longtail, got \"gold\""),
        RejectionCase(
            json: #"{"event_id":"i1","sku":"SKU-1","kind":"set","qty":1,"ts":1,"name":1}"#, topic: .inventory,
            reason: "name must be a string, got 1"),
    ]

    @Test("bad records are rejected with a reason naming the field and the value", arguments: rejections)
    func rejects(_ rejectionCase: RejectionCase) {
        #expect(rejection(rejectionCase.json, topic: rejectionCase.topic) == rejectionCase.reason)
    }

    @Test("a record without ts and without a record timestamp is rejected")
    func noTimestamp() {
        #expect(
            rejection(#"{"event_id":"e1","sku":"SKU-1","kind":"like"}"#, topic: .interactions, recordTimestamp: nil)
                == "missing required field \"ts\" and the record has no timestamp")
    }

    @Test("a record larger than the limit is rejected before parsing")
    func oversized() {
        let json = #"{"event_id":"e1","sku":"SKU-1","kind":"comment","text":""# + String(repeating: "a", count: 70_000) + #""}"#
        let size = json.utf8.count
        #expect(rejection(json, topic: .interactions) == "record is \(size) bytes; the limit is 65536")
        let small = EventDecoder(maximumRecordBytes: 10)
        let result = small.decode(value: Array("{}          ".utf8), key: nil, topic: .orders, recordTimestamp: nil)
        #expect(result == .failure(EventRejection(reason: "record is 12 bytes; the limit is 10")))
    }

    @Test("a record whose key is not its sku is rejected")
    func keyMismatch() {
        let json = #"{"event_id":"e1","sku":"SKU-1","kind":"like","ts":1}"#
        #expect(
            rejection(json, topic: .interactions, key: "SKU-2")
                == "record key \"SKU-2\" does not match sku \"SKU-1\"; key records by sku so a SKU's events reach one task")
        #expect(
            rejection(json, topic: .interactions, key: nil)
                == "record has no key; key records by sku so a SKU's events reach one task (sku \"SKU-1\")")
    }

    @Test("JSON nested deeper than the limit is rejected")
    func nestingDepth() {
        let deep = #"{"event_id":"e1","sku":"SKU-1","kind":"like","ts":1,"x":"# + String(repeating: "[", count: 40)
            + String(repeating: "]", count: 40) + "}"
        #expect(rejection(deep, topic: .interactions)?.hasPrefix("not valid JSON: nesting deeper than 32 levels") == true)
        let shallow = #"{"event_id":"e1","sku":"SKU-1","kind":"like","ts":1,"x":"# + String(repeating: "[", count: 20)
            + String(repeating: "]", count: 20) + "}"
        #expect(rejection(shallow, topic: .interactions) == nil)
    }

    @Test(
        "invalid JSON text never crashes the decoder",
        arguments: [
            "{", "{\"a\"", "{\"a\":}", "{\"a\":tru}", "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":1e}",
            "{\"a\":\"\\x\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\u{01}\"}", "{\"a\":[1,]}", "{,}", "nul", "{\"a\":1e999}",
        ])
    func invalidJSON(json: String) {
        #expect(rejection(json, topic: .orders)?.hasPrefix("not valid JSON: ") == true)
    }

    @Test("bytes that are not UTF-8 inside a string are rejected")
    func invalidUTF8() {
        var bytes = Array(#"{"event_id":"e"#.utf8)
        bytes.append(0xFF)
        bytes.append(contentsOf: Array(#"1","sku":"SKU-1","kind":"like","ts":1}"#.utf8))
        let result = decoder.decode(value: bytes, key: Array("SKU-1".utf8), topic: .interactions, recordTimestamp: nil)
        #expect(result == .failure(EventRejection(reason: "not valid JSON: string starting at byte 12 is not valid UTF-8")))
    }

    @Test("an RFC 3339 ts before the epoch is rejected")
    func timestampBeforeEpoch() {
        let json = #"{"event_id":"e1","sku":"SKU-1","kind":"like","ts":"1969-12-31T23:59:59Z"}"#
        #expect(rejection(json, topic: .interactions)?.hasPrefix("ts must be epoch milliseconds") == true)
    }

    @Test("randomly corrupted records are decoded or rejected, never crashed on")
    func corruptedRecords() {
        let seed: UInt64 = 0x5EED_2026_1123
        var random = SplitMix64(seed: seed)
        func next() -> UInt64 { random.next() }
        let original = Array(
            #"{"event_id":"e1","order_id":"o1","sku":"SKU-1","qty":2,"status":"paid","ts":"2026-11-23T08:30:00.5+08:00","price":1.5,"room_id":"ré"}"#
                .utf8)
        var accepted = 0
        for _ in 0..<3000 {
            var bytes = original
            for _ in 0..<(1 + Int(next() % 4)) {
                let position = Int(next() % UInt64(bytes.count))
                switch next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: next())
                case 1: bytes.remove(at: position)
                default: bytes.insert(UInt8(truncatingIfNeeded: next()), at: position)
                }
            }
            if case .success = decoder.decode(value: bytes, key: Array("SKU-1".utf8), topic: .orders, recordTimestamp: nil) {
                accepted += 1
            }
        }
        #expect(accepted < 3000, "seed \(seed)")
    }

    @Test("the byte scanner and the tree path accept and reject the same records with the same reasons")
    func scannerMatchesTree() {
        let seed: UInt64 = 0x5CA2_2026_1123
        var random = SplitMix64(seed: seed)
        func next() -> UInt64 { random.next() }
        let originals: [(InputTopic, String)] = [
            (.orders, #"{"event_id":"e1","order_id":"o1","sku":"SKU-1","qty":2,"status":"paid","ts":1795422600123,"room_id":"r1","user_id":"u1","channel":"live","price":19.9}"#),
            (.orders, #"{"event_id":"e\u0031","order_id":"o1","sku":"SKU-1","qty":1,"status":"p\u0061id","ts":"2026-11-23T08:30:00.5+08:00","price":0,"x":{"a":[1,{"b":null}]}}"#),
            (.carts, #" { "event_id" : "c1" , "sku" : "SKU-1" , "action" : "remove" , "qty" : 3 , "ts" : null , "user_id" : null } "#),
            (.interactions, #"{"event_id":"x1","sku":"SKU-1","kind":"comment","ts":5,"text":"还有吗? \"quoted\" \u00e9","y":true,"z":-0.5e3}"#),
            (.inventory, #"{"event_id":"i1","sku":"SKU-1","kind":"adjust","qty":-4,"ts":5,"tier":"traffic","name":"爆款抽纸 24包"}"#),
            (.inventory, #"{"event_id":"i2","sku":"SKU-1","kind":"set","qty":0,"tier":null,"name":null,"a":1,"b":2,"c":3}"#),
        ]
        let jsonBytes = Array(#"{}[]",:"\0-9.enul "#.utf8)
        for (topic, text) in originals {
            let original = Array(text.utf8)
            for round in 0..<2000 {
                var bytes = original
                for _ in 0..<(round == 0 ? 0 : 1 + Int(next() % 3)) where !bytes.isEmpty {
                    let position = Int(next() % UInt64(bytes.count))
                    let replacement = next() % 2 == 0 ? UInt8(truncatingIfNeeded: next()) : jsonBytes[Int(next() % UInt64(jsonBytes.count))]
                    switch next() % 3 {
                    case 0: bytes[position] = replacement
                    case 1: bytes.remove(at: position)
                    default: bytes.insert(replacement, at: position)
                    }
                }
                let key = Array("SKU-1".utf8)
                let scanned = decoder.decode(value: bytes, key: key, topic: topic, recordTimestamp: Self.recordTime)
                let tree: Result<StockEvent, EventRejection> = bytes.withUnsafeBytes { value in
                    key.withUnsafeBytes { key in
                        do throws(EventRejection) {
                            return .success(try decoder.decodeTree(value: value, key: key, topic: topic, recordTimestamp: Self.recordTime))
                        } catch {
                            return .failure(error)
                        }
                    }
                }
                #expect(scanned == tree, "seed \(seed), record \(String(decoding: bytes, as: UTF8.self))")
            }
        }
    }
}
