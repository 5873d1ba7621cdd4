import Testing

@testable import StockModel

@Suite struct StockBookTests {
    /// Applies events in order and returns every output, as the caller would publish them.
    static func run(_ book: inout StockBook, _ events: [StockEvent]) -> [StockOutput] {
        var outputs: [StockOutput] = []
        for event in events {
            _ = book.apply(event, outputs: &outputs)
        }
        return outputs
    }

    static func alerts(_ outputs: [StockOutput]) -> [StockAlert] {
        outputs.compactMap { if case .alert(let alert) = $0 { alert } else { nil } }
    }

    static func commands(_ outputs: [StockOutput]) -> [StockCommand] {
        outputs.compactMap { if case .command(let command) = $0 { command } else { nil } }
    }

    static func paid(_ eventID: String, _ quantity: Int64, at seconds: Int64, sku: String = "SKU-1") -> StockEvent {
        .order(TestEvents.order(eventID, order: "order-\(eventID)", sku: sku, quantity: quantity, .paid, at: seconds))
    }

    static func inventory(_ eventID: String, _ kind: InventoryKind, _ quantity: Int64, at seconds: Int64, tier: Tier? = nil)
        -> StockEvent
    {
        .inventory(TestEvents.inventory(eventID, kind, quantity, at: seconds, tier: tier))
    }

    /// A flash sale that walks one SKU through every level, sells out, and is restocked.
    static let flashSale: [StockEvent] = [
        inventory("i1", .set, 100, at: 0),
        paid("e1", 80, at: 60),  // available 20 → notice
        paid("e2", 11, at: 120),  // available 9 → warning
        paid("e3", 5, at: 180),  // available 4 → critical
        paid("e4", 4, at: 240),  // available 0 → freeze
        inventory("i2", .receive, 10, at: 300),  // stock 110, available 10 → warning, unfreeze
        inventory("i3", .receive, 90, at: 360),  // stock 200, available 100 → resolved
    ]

    /// The built-in policy with the forecast conditions switched off (no volume is ever enough): share levels only.
    static let shareLevelsOnly: PolicySet = {
        var tiers: [Tier: TierPolicy] = [:]
        for tier in Tier.allCases {
            var policy = TierPolicy.builtIn(for: tier)
            policy.alerts.minimumVolumeUnits = .max
            tiers[tier] = policy
        }
        return PolicySet(tiers: tiers)
    }()

    /// Lets event time pass with no events, as a task's watermark does, from `from` to `to` seconds.
    static func idle(_ book: inout StockBook, from: Int64, to: Int64) -> [StockOutput] {
        var outputs: [StockOutput] = []
        for second in stride(from: from, through: to, by: 10) {
            book.advanceWatermark(to: TestEvents.time(second), outputs: &outputs)
        }
        return outputs
    }

    @Test("a flash sale is critical by ETA at once and freezes; a restock unfreezes; the watermark resolves it after the cooldown")
    func flashSaleLifecycle() throws {
        var book = StockBook(policy: .builtInDefault)
        let outputs = Self.run(&book, Self.flashSale) + Self.idle(&book, from: 370, to: 3600)
        let alerts = Self.alerts(outputs)
        // 80 of 100 units in the first minute: the ETA is 0.2 min, so the SKU is critical while 20% remains.
        #expect(alerts.map(\.transition) == [.raised, .resolved])
        #expect(alerts.map(\.level) == [.critical, .critical])
        #expect(alerts.map(\.previousLevel) == [nil, .critical])
        #expect(alerts[0].causedBy == "e1")
        #expect(Set(alerts.map(\.alertID)).count == 1)  // one episode, one ID
        #expect(
            alerts[0].reasons == [
                "eta 0.2 min < 15", "available 20 < 1.5 × forecast 2751.9 over 30 min = 4127.8", "remaining share 20.0% ≤ 20%",
            ])
        #expect(alerts[0].horizonMinutes == 30)
        #expect(alerts[0].etaMinutes.map { abs($0 - 0.22) < 0.01 } == true)
        #expect(alerts[0].ratePerMinute.map { abs($0 - 80.0 / 30) < 1e-9 } == true)
        // The restock at 360 s clears every condition; nothing sells, so the ETA leaves its margin and
        // the watermark resolves the episode once the 300-s cooldown has run, with no further events.
        let resolved = alerts[1]
        #expect(resolved.causedBy == "watermark-\(resolved.time.millisecondsSinceEpoch)")
        #expect(resolved.reasons.first == "nothing held for 300 s")
        #expect(resolved.reasons.contains("remaining share 50.0% > 20%"))
        #expect(resolved.available == 100)
        #expect(resolved.time > TestEvents.time(660))

        let commands = Self.commands(outputs)
        #expect(commands.map(\.action) == [.freeze, .unfreeze])
        #expect(commands[0].reason == "available 0 ≤ buffer 0")
        #expect(commands[0].causedBy == "e4")
        #expect(commands[1].reason == "available 10 > buffer 0 + margin 0")
        #expect(commands[1].causedBy == "i2")

        let statistics = book.statistics
        #expect(statistics.eventsApplied == 7)
        #expect(statistics.alertsByLevel == [.critical: 1])
        #expect(statistics.freezes == 1)
        #expect(statistics.unfreezes == 1)
        #expect(statistics.oversoldUnits == 0)
        #expect(book.alertState(for: "SKU-1")?.level == nil)
        #expect(book.alertState(for: "SKU-1")?.isFrozen == false)
    }

    @Test("with share levels only, the flash sale walks up every level; a restock resolves it only after the cooldown")
    func flashSaleShareLevels() throws {
        var book = StockBook(policy: Self.shareLevelsOnly)
        let outputs = Self.run(&book, Self.flashSale)
        var alerts = Self.alerts(outputs)
        #expect(alerts.map(\.transition) == [.raised, .escalated, .escalated])
        #expect(alerts.map(\.level) == [.notice, .warning, .critical])
        #expect(alerts.map(\.causedBy) == ["e1", "e2", "e3"])
        #expect(alerts[0].reasons == ["remaining share 20.0% ≤ 20%"])
        #expect(alerts[1].reasons == ["remaining share 9.0% ≤ 10%"])
        #expect(alerts[2].reasons == ["remaining share 4.0% ≤ 5%"])
        #expect(alerts[2].available == 4)
        #expect(alerts[2].sold == 96)
        #expect(alerts[2].time == TestEvents.time(180))
        #expect(alerts[2].tier == .profit)
        // The restock at 300 s (9.1%) clears critical beyond its margin (6.25%): the cooldown starts;
        // the one at 360 s clears everything; 300 s after the first, the watermark resolves.
        let idle = Self.idle(&book, from: 370, to: 1200)
        alerts = Self.alerts(idle)
        #expect(alerts.map(\.transition) == [.resolved])
        #expect(alerts.map(\.level) == [.critical])
        #expect(alerts.map(\.time) == [TestEvents.time(600)])
        #expect(alerts.map(\.causedBy) == ["watermark-\(TestEvents.time(600).millisecondsSinceEpoch)"])
        #expect(alerts[0].reasons == ["nothing held for 300 s", "remaining share 50.0% > 20%"])

        // The restock's alert state comes before its command, in causal order: here only the unfreeze.
        let restockOutputs = outputs.filter {
            switch $0 {
            case .alert(let alert): alert.causedBy == "i2"
            case .command(let command): command.causedBy == "i2"
            }
        }
        #expect(restockOutputs.count == 1)
        #expect(book.statistics.alertsByLevel == [.notice: 1, .warning: 1, .critical: 1])
        #expect(book.alertState(for: "SKU-1") == {
            var state = AlertState(level: nil, alertID: nil, isFrozen: false)
            state.evaluatedAt = TestEvents.time(600)
            return state
        }())
    }

    @Test("a burst escalates straight to critical from no alert and from notice")
    func straightToCritical() {
        var fromNothing = StockBook(policy: Self.shareLevelsOnly)
        let first = Self.alerts(Self.run(&fromNothing, [Self.inventory("i1", .set, 100, at: 0), Self.paid("e1", 97, at: 10)]))
        #expect(first.map(\.transition) == [.raised])
        #expect(first.map(\.level) == [.critical])

        var fromNotice = StockBook(policy: Self.shareLevelsOnly)
        let second = Self.alerts(
            Self.run(
                &fromNotice,
                [Self.inventory("i1", .set, 100, at: 0), Self.paid("e1", 85, at: 10), Self.paid("e2", 13, at: 20)]))
        #expect(second.map(\.transition) == [.raised, .escalated])
        #expect(second.map(\.level) == [.notice, .critical])
        #expect(second[1].previousLevel == .notice)
    }

    @Test("a new episode after resolution gets a new alert ID")
    func newEpisode() {
        var book = StockBook(policy: .builtInDefault)
        var outputs = Self.run(&book, Self.flashSale) + Self.idle(&book, from: 370, to: 3600)
        outputs += Self.run(&book, [Self.paid("e5", 90, at: 3700)])
        let alerts = Self.alerts(outputs)
        #expect(alerts.map(\.transition) == [.raised, .resolved, .raised])
        #expect(alerts.last?.transition == .raised)
        #expect(alerts.last?.alertID != alerts.first?.alertID)
        #expect(alerts.last?.alertID == FNV1a.identifier(prefix: "al-", ["SKU-1", "e5"]))
    }

    @Test("the freeze buffer and unfreeze margin come from the SKU's tier policy")
    func freezeBufferAndMargin() throws {
        let policy = try PolicySet(
            json: Array(
                #"{"tiers":{"traffic":{"freeze":{"buffer_units":10,"unfreeze_margin_units":5}}}}"#.utf8))
        var book = StockBook(policy: policy)
        var outputs = Self.run(&book, [Self.inventory("i1", .set, 100, at: 0, tier: .traffic), Self.paid("e1", 89, at: 10)])
        #expect(Self.commands(outputs).isEmpty)  // available 11 > buffer 10
        outputs = Self.run(&book, [Self.paid("e2", 1, at: 20)])
        let freeze = try #require(Self.commands(outputs).first)
        #expect(freeze.action == .freeze)
        #expect(freeze.buffer == 10)
        #expect(freeze.tier == .traffic)
        #expect(freeze.reason == "available 10 ≤ buffer 10")
        outputs = Self.run(&book, [Self.inventory("i2", .receive, 5, at: 30)])
        #expect(Self.commands(outputs).isEmpty)  // available 15 is not above buffer 10 + margin 5
        outputs = Self.run(&book, [Self.inventory("i3", .receive, 1, at: 40)])
        #expect(Self.commands(outputs).map(\.action) == [.unfreeze])
        #expect(Self.commands(outputs).first?.reason == "available 16 > buffer 10 + margin 5")
    }

    @Test("a traffic SKU freezes early on a critical ETA and unfreezes only after the alert leaves critical")
    func earlyFreezeOnCriticalETA() throws {
        let policy = try PolicySet(json: Array(#"{"tiers":{"traffic":{"freeze":{"on_critical_eta":true}}}}"#.utf8))
        var book = StockBook(policy: policy)
        var outputs = Self.run(&book, [Self.inventory("i1", .set, 100, at: 0, tier: .traffic), Self.paid("e1", 40, at: 30)])
        // 40 units in 30 s: ETA well under 15 min with 60 left, so the SKU freezes before it is sold out.
        let freeze = try #require(Self.commands(outputs).first)
        #expect(freeze.action == .freeze)
        #expect(freeze.available == 60)
        #expect(freeze.reason.hasPrefix("eta "))
        #expect(Self.alerts(outputs).map(\.level) == [.critical])
        // Frozen, nothing sells; the ETA drifts out of its margin, and only once the cooldown has
        // passed and the alert left critical does the SKU unfreeze, by the watermark.
        outputs = Self.idle(&book, from: 40, to: 3600)
        let commands = Self.commands(outputs)
        #expect(commands.map(\.action) == [.unfreeze])
        #expect(commands.first?.reason == "available 60 > buffer 0 + margin 0; level none below critical")
        let alerts = Self.alerts(outputs)
        #expect(alerts.map(\.transition) == [.resolved])
        #expect(alerts.first?.reasons == ["nothing held for 300 s", "remaining share 60.0% > 20%", "eta 89.3 min ≥ 60"])
        #expect(commands.first?.causedBy == alerts.first?.causedBy, "the unfreeze comes with the resolution")
        #expect(commands.first?.causedBy.hasPrefix("watermark-") == true)
    }

    @Test("lower_exposure and low_stock_banner follow the alert level; restore_exposure when it falls below")
    func exposureAndBanner() throws {
        let policy = try PolicySet(
            json: Array(
                #"{"tiers":{"profit":{"min_volume_units":1000000,"actions":{"lower_exposure":"warning","low_stock_banner":"notice"}}}}"#
                    .utf8))
        var book = StockBook(policy: policy)
        var outputs = Self.run(&book, [Self.inventory("i1", .set, 100, at: 0), Self.paid("e1", 82, at: 10)])
        #expect(Self.commands(outputs).map(\.action) == [.lowStockBanner])  // notice at 18%
        outputs = Self.run(&book, [Self.paid("e2", 10, at: 20)])
        #expect(Self.commands(outputs).map(\.action) == [.lowerExposure])  // warning at 8%
        #expect(Self.commands(outputs).first?.reason == "level warning ≥ warning")
        outputs = Self.run(&book, [Self.inventory("i2", .receive, 100, at: 30)])
        #expect(Self.commands(outputs).isEmpty, "the restock clears everything, but the cooldown holds the level")
        outputs = Self.idle(&book, from: 40, to: 600)
        #expect(Self.alerts(outputs).map(\.transition) == [.resolved])
        #expect(Self.commands(outputs).map(\.action) == [.restoreExposure])
        #expect(Self.commands(outputs).first?.reason == "level none < warning")
        // A new episode shows the banner again.
        outputs = Self.run(&book, [Self.paid("e3", 100, at: 700)])
        #expect(Self.commands(outputs).map(\.action) == [.lowerExposure, .lowStockBanner])
    }

    @Test("a SKU is not evaluated before its first inventory record, but its ledger still counts")
    func noInventory() throws {
        var book = StockBook(policy: .builtInDefault)
        let outputs = Self.run(&book, [Self.paid("e1", 3, at: 0)])
        #expect(outputs.isEmpty)
        let ledger = try #require(book.ledger(for: "SKU-1"))
        #expect(ledger.oversold == 3)
        #expect(book.statistics.oversoldUnits == 3)
        // The first inventory record makes it evaluable: stock 2 against 3 sold is oversold and critical.
        let later = Self.alerts(Self.run(&book, [Self.inventory("i1", .set, 2, at: 10)]))
        #expect(later.map(\.level) == [.critical])
        #expect(later.first?.reasons == ["remaining share -50.0% ≤ 5%", "oversold by 1 units"])
        #expect(later.first?.oversold == 1)
    }

    @Test("carts and interactions are counted but create no ledger")
    func signalsOnly() {
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        let cart = StockEvent.cart(CartEvent(eventID: "c1", sku: "SKU-1", action: .add, quantity: 1, time: TestEvents.time(0)))
        let like = StockEvent.interaction(InteractionEvent(eventID: "x1", sku: "SKU-1", kind: .like, time: TestEvents.time(0)))
        let cartResult = book.apply(cart, outputs: &outputs)
        #expect(cartResult == .applied)
        let likeResult = book.apply(like, outputs: &outputs)
        #expect(likeResult == .applied)
        #expect(outputs.isEmpty)
        #expect(book.ledgers.isEmpty)
        #expect(book.statistics.eventsApplied == 2)
    }

    @Test("duplicates within the window are dropped and change nothing")
    func duplicatesDropped() {
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        let setResult = book.apply(Self.inventory("i1", .set, 10, at: 0), outputs: &outputs)
        #expect(setResult == .applied)
        let firstResult = book.apply(Self.paid("e1", 2, at: 1), outputs: &outputs)
        #expect(firstResult == .applied)
        let repeatResult = book.apply(Self.paid("e1", 2, at: 1), outputs: &outputs)
        #expect(repeatResult == .duplicate)
        #expect(book.ledger(for: "SKU-1")?.sold == 2)
        #expect(book.statistics.duplicatesDropped == 1)
        #expect(book.statistics.eventsApplied == 2)
    }

    @Test("the duplicate window is bounded: the oldest IDs are forgotten")
    func duplicateWindowBounded() {
        var book = StockBook(policy: .builtInDefault, duplicateWindow: 2)
        var outputs: [StockOutput] = []
        for eventID in ["a", "b", "c"] {
            let result = book.apply(Self.paid(eventID, 1, at: 0), outputs: &outputs)
            #expect(result == .applied)
        }
        let newestRepeat = book.apply(Self.paid("c", 1, at: 0), outputs: &outputs)
        #expect(newestRepeat == .duplicate)
        let olderRepeat = book.apply(Self.paid("b", 1, at: 0), outputs: &outputs)
        #expect(olderRepeat == .duplicate)
        let forgottenRepeat = book.apply(Self.paid("a", 1, at: 0), outputs: &outputs)
        #expect(forgottenRepeat == .applied)  // forgotten after two newer IDs

        var filter = DuplicateFilter(capacity: 3)
        for index in 0..<100 { _ = filter.insert("id-\(index)") }
        #expect(filter.count == 3)
    }

    @Test("ledgers are listed sorted by SKU")
    func ledgersSorted() {
        var book = StockBook(policy: .builtInDefault)
        _ = Self.run(&book, [Self.paid("e1", 1, at: 0, sku: "SKU-B"), Self.paid("e2", 1, at: 0, sku: "SKU-A")])
        #expect(book.ledgers.map(\.sku) == ["SKU-A", "SKU-B"])
    }

    static func encode(_ outputs: [StockOutput]) -> [UInt8] {
        var bytes: [UInt8] = []
        for output in outputs {
            output.encodeJSON(into: &bytes)
            bytes.append(0x0A)
        }
        return bytes
    }

    @Test("the same events twice give byte-identical outputs, IDs included")
    func deterministic() {
        var first = StockBook(policy: .builtInDefault)
        var second = StockBook(policy: .builtInDefault)
        let firstBytes = Self.encode(Self.run(&first, Self.flashSale))
        let secondBytes = Self.encode(Self.run(&second, Self.flashSale))
        #expect(!firstBytes.isEmpty)
        #expect(firstBytes == secondBytes)
    }

    @Test("output IDs are derived from the SKU, the causing event, the level and the transition")
    func stableIDs() {
        var book = StockBook(policy: .builtInDefault)
        let outputs = Self.run(&book, Self.flashSale) + Self.idle(&book, from: 370, to: 3600)
        let alerts = Self.alerts(outputs)
        #expect(alerts[0].alertID == FNV1a.identifier(prefix: "al-", ["SKU-1", "e1"]))
        #expect(alerts[0].transitionID == FNV1a.identifier(prefix: "tr-", ["SKU-1", "e1", "critical", "raised"]))
        #expect(alerts[1].transitionID == FNV1a.identifier(prefix: "tr-", ["SKU-1", alerts[1].causedBy, "critical", "resolved"]))
        #expect(alerts[1].alertID == alerts[0].alertID)
        let commands = Self.commands(outputs)
        #expect(commands[0].commandID == FNV1a.identifier(prefix: "cm-", ["SKU-1", "e4", "freeze"]))
        // Pinned values: a change here changes every ID downstream consumers deduplicate by.
        #expect(FNV1a.identifier(prefix: "x", [""]) == "xcbf29ce484222325")
        #expect(FNV1a.identifier(prefix: "x", ["a"]) == "xaf63dc4c8601ec8c")
        #expect(FNV1a.identifier(prefix: "x", ["a", ""]) == FNV1a.identifier(prefix: "x", ["a\u{0}"]))
        #expect(alerts[0].alertID.count == 19)
    }

    /// A session as NDJSON records (topic, payload), including a duplicate and a bad record.
    static let session: [(InputTopic, String)] = [
        (.inventory, #"{"event_id":"i1","sku":"SKU-1","kind":"set","qty":50,"ts":"2026-11-23T08:30:00Z","tier":"traffic"}"#),
        (.carts, #"{"event_id":"c1","sku":"SKU-1","action":"add","qty":3,"ts":1795422601000}"#),
        (.orders, #"{"event_id":"o1","order_id":"A","sku":"SKU-1","qty":30,"status":"created","ts":1795422602000}"#),
        (.orders, #"{"event_id":"o2","order_id":"A","sku":"SKU-1","qty":30,"status":"paid","ts":1795422603000}"#),
        (.orders, #"{"event_id":"o2","order_id":"A","sku":"SKU-1","qty":30,"status":"paid","ts":1795422603000}"#),
        (.orders, #"{"event_id":"o3","order_id":"B","sku":"SKU-1","qty":"lots","status":"paid","ts":1795422603500}"#),
        (.orders, #"{"event_id":"o4","order_id":"C","sku":"SKU-1","qty":18,"status":"paid","ts":1795422604000}"#),
        (.orders, #"{"event_id":"o5","order_id":"D","sku":"SKU-1","qty":4,"status":"paid","ts":1795422605000}"#),
        (.inventory, #"{"event_id":"i2","sku":"SKU-1","kind":"receive","qty":100,"ts":1795422606000}"#),
    ]

    static func replay(_ session: [(InputTopic, String)]) -> (bytes: [UInt8], rejections: [String], book: StockBook) {
        let decoder = EventDecoder()
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        var rejections: [String] = []
        for (topic, payload) in session {
            switch decoder.decode(value: Array(payload.utf8), key: Array("SKU-1".utf8), topic: topic, recordTimestamp: nil) {
            case .success(let event): _ = book.apply(event, outputs: &outputs)
            case .failure(let rejection): rejections.append(rejection.reason)
            }
        }
        return (encode(outputs), rejections, book)
    }

    @Test("the same NDJSON session through decoder and book twice gives byte-identical outputs")
    func deterministicSession() {
        let first = Self.replay(Self.session)
        let second = Self.replay(Self.session)
        #expect(first.bytes == second.bytes)
        #expect(first.rejections == ["qty must be an integer ≥ 1, got \"lots\""])
        #expect(first.book.statistics.duplicatesDropped == 1)
        let lines = String(decoding: first.bytes, as: UTF8.self).split(separator: "\n")
        // raised critical at o2 (30 units paid in 3 s: an ETA under a minute), freeze at o5 (available −2), unfreeze at
        // i2; the alert holds: the cooldown has not run within the session's 6 seconds.
        #expect(lines.count == 3)
        #expect(lines.map { $0.contains(#""caused_by":"o2""#) && $0.contains(#""transition":"raised""#) } == [true, false, false])
        #expect(lines.map { $0.contains(#""action":"freeze""#) } == [false, true, false])
        #expect(lines.map { $0.contains(#""action":"unfreeze""#) } == [false, false, true])
        #expect(first.book.ledger(for: "SKU-1")?.available == 98)
    }
}
