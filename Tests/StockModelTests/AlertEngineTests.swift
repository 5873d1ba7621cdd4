import Testing

@testable import StockModel

/// Scenario tests of the alert conditions and the hysteresis, through `StockBook` as the service runs them.
@Suite struct AlertEngineTests {
    /// Builds a session one event at a time, in event time.
    struct Session {
        var events: [StockEvent] = []
        var counter = 0
        /// Fractional units carried between ticks per SKU and signal, so a rate of 0.25/min is exact over time.
        var carry: [String: Double] = [:]

        mutating func nextID(_ prefix: String) -> String {
            counter += 1
            return "\(prefix)-\(counter)"
        }

        mutating func inventory(_ sku: String, _ kind: InventoryKind, _ quantity: Int64, at seconds: Int64, tier: Tier? = nil) {
            events.append(.inventory(TestEvents.inventory(nextID("inv"), sku: sku, kind, quantity, at: seconds, tier: tier)))
        }

        mutating func paid(_ sku: String, _ quantity: Int64, at seconds: Int64) {
            let id = nextID("pay")
            events.append(.order(TestEvents.order(id, order: id, sku: sku, quantity: quantity, .paid, at: seconds)))
        }

        mutating func cancel(_ sku: String, paidEventIndex index: Int, at seconds: Int64) {
            guard case .order(let order) = events[index] else { return }
            events.append(.order(TestEvents.order(nextID("cancel"), order: order.orderID, sku: sku, quantity: order.quantity,
                                                  .cancelled, at: seconds)))
        }

        mutating func cart(_ sku: String, _ quantity: Int64, at seconds: Int64) {
            events.append(.cart(CartEvent(eventID: nextID("cart"), sku: sku, action: .add, quantity: quantity,
                                          time: TestEvents.time(seconds))))
        }

        /// Emits `perMinute` units of `signal` for `sku` from `from` to `to` seconds, one event every `step` seconds.
        mutating func flow(_ sku: String, _ signal: String, perMinute: Double, from: Int64, to: Int64, step: Int64 = 10) {
            var second = from
            while second < to {
                let key = "\(sku)/\(signal)"
                let units = (carry[key] ?? 0) + perMinute * Double(step) / 60
                let whole = Int64(units)
                carry[key] = units - Double(whole)
                if whole > 0 {
                    if signal == "paid" { paid(sku, whole, at: second) } else { cart(sku, whole, at: second) }
                }
                second += step
            }
        }

        /// The events in time order (stable for equal times).
        var sorted: [StockEvent] {
            events.enumerated().sorted { a, b in
                a.element.time != b.element.time ? a.element.time < b.element.time : a.offset < b.offset
            }.map(\.element)
        }
    }

    /// Folds `events` as a task does: apply, then advance the watermark to the highest event time so far;
    /// then lets `idleSeconds` of event time pass with no events.
    static func fold(_ events: [StockEvent], policy: PolicySet = .builtInDefault, idleUntil: Int64? = nil)
        -> (book: StockBook, outputs: [StockOutput])
    {
        var book = StockBook(policy: policy)
        var outputs: [StockOutput] = []
        var streamTime = EventTime(millisecondsSinceEpoch: .min)
        for event in events {
            _ = book.apply(event, outputs: &outputs)
            streamTime = max(streamTime, event.time)
            book.advanceWatermark(to: streamTime, outputs: &outputs)
        }
        if let idleUntil {
            var second = (streamTime.millisecondsSinceEpoch - TestEvents.start) / 1000
            while second <= idleUntil {
                book.advanceWatermark(to: TestEvents.time(second), outputs: &outputs)
                second += 10
            }
        }
        return (book, outputs)
    }

    static func alerts(_ outputs: [StockOutput], sku: String) -> [StockAlert] {
        StockBookTests.alerts(outputs).filter { $0.sku == sku }
    }

    static func seconds(_ time: EventTime) -> Int64 { (time.millisecondsSinceEpoch - TestEvents.start) / 1000 }

    static func describe(_ alerts: [StockAlert]) -> String {
        alerts.map { "\(seconds($0.time))s \($0.transition.rawValue) \($0.level.rawValue) avail \($0.available) \($0.reasons)" }
            .joined(separator: "\n")
    }

    @Test("a hot SKU whose rate climbs from a trickle to a burst is warned by ETA or forecast above 20% and critical above 5%")
    func hotSKUWarnedEarly() throws {
        var session = Session()
        session.inventory("HOT", .set, 1000, at: 0)
        session.flow("HOT", "paid", perMinute: 1, from: 0, to: 1200)
        session.flow("HOT", "paid", perMinute: 5, from: 1200, to: 1800)
        session.flow("HOT", "paid", perMinute: 20, from: 1800, to: 2400)
        session.flow("HOT", "paid", perMinute: 60, from: 2400, to: 4000)
        let alerts = Self.alerts(Self.fold(session.sorted).outputs, sku: "HOT")
        let log = Self.describe(alerts)
        #expect(alerts.map(\.transition) == [.raised, .escalated, .escalated], "\(log)")
        #expect(alerts.map(\.level) == [.notice, .warning, .critical], "\(log)")
        let warning = try #require(alerts.first { $0.level == .warning })
        #expect(warning.available > 200, "warned while more than 20% remains: \(log)")
        #expect(warning.reasons.contains { $0.hasPrefix("eta ") || $0.contains("forecast") }, "\(log)")
        #expect(!warning.reasons.contains { $0.hasPrefix("remaining share") }, "\(log)")
        let critical = try #require(alerts.first { $0.level == .critical })
        #expect(critical.available > 50, "critical while more than 5% remains: \(log)")
        #expect(critical.reasons.first?.hasPrefix("eta ") == true, "\(log)")
        // The alert carries the forecast numbers.
        #expect(critical.horizonMinutes == 30)
        #expect((critical.etaMinutes ?? 99) < 15)
        #expect((critical.forecastDemand ?? 0) > Double(critical.available))
        #expect((critical.ratePerMinute ?? 0) > 0)
        #expect(alerts[0].reasons.first?.hasPrefix("5-min rate") == true, "the climb is first seen as an acceleration: \(log)")
    }

    @Test("a SKU whose cart adds surge before its orders is warned earlier than an identical SKU without the surge")
    func cartSurgeWarnsEarlier() throws {
        var session = Session()
        for sku in ["SURGE", "PLAIN"] {
            session.inventory(sku, .set, 300, at: 0)
            session.flow(sku, "paid", perMinute: 1, from: 0, to: 2100)
            session.flow(sku, "cart", perMinute: 2, from: 0, to: 1800)
            session.flow(sku, "paid", perMinute: 20, from: 2100, to: 3000)
            session.flow(sku, "cart", perMinute: 25, from: 2100, to: 3000)
        }
        session.flow("SURGE", "cart", perMinute: 60, from: 1800, to: 2100)
        session.flow("PLAIN", "cart", perMinute: 2, from: 1800, to: 2100)
        let outputs = Self.fold(session.sorted).outputs
        let surge = try #require(Self.alerts(outputs, sku: "SURGE").first { $0.level >= .warning })
        let plain = try #require(Self.alerts(outputs, sku: "PLAIN").first { $0.level >= .warning })
        #expect(Self.seconds(surge.time) < 2100, "warned before its orders rose: \(Self.describe([surge]))")
        #expect(surge.time < plain.time, "\(Self.describe([surge, plain]))")
        #expect(surge.reasons.contains { $0.contains("forecast") })
        #expect(surge.available > plain.available)
    }

    @Test("a slow, steady SKU over a 3-hour session gets no alert until its static share levels are reached")
    func slowSteadySKUOnlyShareLevels() {
        var session = Session()
        session.inventory("SLOW", .set, 50, at: 0)
        session.flow("SLOW", "paid", perMinute: 0.25, from: 0, to: 10_800, step: 60)
        let alerts = Self.alerts(Self.fold(session.sorted).outputs, sku: "SLOW")
        #expect(alerts.map(\.transition) == [.raised, .escalated], "\(Self.describe(alerts))")
        #expect(alerts.map(\.level) == [.notice, .warning])
        #expect(alerts.map(\.available) == [10, 5])
        #expect(alerts.map(\.reasons) == [["remaining share 20.0% ≤ 20%"], ["remaining share 10.0% ≤ 10%"]])
    }

    @Test("a SKU hovering around a threshold with small sales, cancellations and restocks does not flip-flop")
    func hoveringSKUFewTransitions() {
        var session = Session()
        session.inventory("HOVER", .set, 100, at: 0)
        session.flow("HOVER", "paid", perMinute: 0.2, from: 0, to: 26_400, step: 60)  // 88 sold, 12 left
        var available: Int64 = 12
        var paidIndexes: [Int] = []
        var crossings = 0
        var wasBelow = false
        var step = 0
        for second in stride(from: Int64(26_400), to: 26_400 + 7200, by: 90) {
            step += 1
            if available > 10 || step % 5 == 0 {
                session.paid("HOVER", 1, at: second)
                paidIndexes.append(session.events.count - 1)
                available -= 1
            } else if step % 2 == 0, let index = paidIndexes.popLast() {
                session.cancel("HOVER", paidEventIndex: index, at: second)
                available += 1
            } else {
                session.inventory("HOVER", .receive, 2, at: second)
                available += 2
            }
            let below = available * 10 <= 100
            if below != wasBelow { crossings += 1 }
            wasBelow = below
        }
        let alerts = Self.alerts(Self.fold(session.sorted).outputs, sku: "HOVER")
        #expect(crossings >= 50, "the scenario crosses the 10% line often")
        let hovering = alerts.filter { Self.seconds($0.time) >= 26_400 }
        #expect(hovering.count <= 3, "\(Self.describe(alerts))")
        #expect(alerts.map(\.transition) == [.raised, .escalated, .escalated], "\(Self.describe(alerts))")
        #expect(alerts.map(\.level) == [.notice, .warning, .critical])
    }

    @Test("when sales stop, watermark evaluation de-escalates the SKU with no further events for it")
    func stoppedSalesDeescalateByWatermark() throws {
        var session = Session()
        session.inventory("STOP", .set, 300, at: 0)
        session.flow("STOP", "paid", perMinute: 10, from: 0, to: 1200)
        let (book, outputs) = Self.fold(session.sorted, idleUntil: 4800)
        let alerts = Self.alerts(outputs, sku: "STOP")
        let log = Self.describe(alerts)
        #expect(alerts.map(\.transition) == [.raised, .escalated, .resolved], "\(log)")
        #expect(alerts.map(\.level) == [.warning, .critical, .critical], "\(log)")
        let resolved = try #require(alerts.last)
        #expect(resolved.causedBy.hasPrefix("watermark-"))
        #expect(resolved.causedBy == "watermark-\(resolved.time.millisecondsSinceEpoch)")
        // Sales stopped at 1200 s; the ETA left the margin, then the 300-s cooldown ran.
        #expect(Self.seconds(resolved.time) > 1200 + 300)
        #expect(Self.seconds(resolved.time) < 1200 + 900)
        #expect(resolved.reasons.first == "nothing held for 300 s")
        #expect(resolved.alertID == alerts[0].alertID)
        #expect(book.alertState(for: "STOP")?.level == nil)
        #expect(book.statistics.lateEvents == 0)
    }

    @Test("de-escalation waits for the margin and the cooldown; escalation is immediate")
    func marginAndCooldown() throws {
        var rules = AlertRules()
        rules.minimumVolumeUnits = .max  // share levels only
        let policy = PolicySet(tiers: [.profit: TierPolicy(alerts: rules)])
        var session = Session()
        session.inventory("SKU", .set, 100, at: 0)
        session.paid("SKU", 91, at: 60)  // 9% → warning
        session.inventory("SKU", .receive, 2, at: 120)  // 11/102 = 10.8%: clear, but within the 25% margin (12.5%)
        session.inventory("SKU", .receive, 3, at: 180)  // 14/105 = 13.3%: clear by the margin, cooldown starts
        session.paid("SKU", 1, at: 400)  // 13/105 = 12.4%: back within the margin, cooldown cancelled
        session.inventory("SKU", .receive, 2, at: 420)  // 15/107 = 14.0%: clear again, cooldown restarts
        session.paid("SKU", 1, at: 700)  // 14/107 = 13.1%, 280 s later: still waiting
        session.cart("SKU", 1, at: 720)  // 300 s: de-escalate to notice (13.1% ≤ 20%)
        session.paid("SKU", 6, at: 730)  // 8/107 = 7.5%: escalates at once
        let alerts = Self.alerts(Self.fold(session.sorted, policy: policy).outputs, sku: "SKU")
        #expect(alerts.map(\.transition) == [.raised, .deescalated, .escalated], "\(Self.describe(alerts))")
        #expect(alerts.map(\.level) == [.warning, .notice, .warning])
        #expect(alerts.map { Self.seconds($0.time) } == [60, 720, 730])
        #expect(alerts[1].reasons == ["remaining share 13.1% ≤ 20%"])
        #expect(Set(alerts.map(\.alertID)).count == 1)
    }
}

