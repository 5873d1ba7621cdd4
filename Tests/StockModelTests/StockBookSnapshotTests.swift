import Testing

@testable import StockModel

@Suite struct StockBookSnapshotTests {
    /// One step of a task's fold: an event, or the watermark advanced to a stream time.
    enum Step {
        case event(StockEvent)
        case watermark(EventTime)
    }

    /// A deterministic pseudo-random source (64-bit LCG), so the session is the same on every run.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func chance(_ percent: Int) -> Bool { next(100) < percent }
    }

    /// Traffic SKUs freeze with a buffer, lower exposure at warning and show a banner at notice; a unit floor applies.
    static let policy: PolicySet = {
        var traffic = TierPolicy.builtIn(for: .traffic)
        traffic.freeze = FreezePolicy(bufferUnits: 5, unfreezeMarginUnits: 3)
        traffic.alerts.lowerExposureLevel = .warning
        traffic.alerts.lowStockBannerLevel = .notice
        traffic.alerts.unitFloor = 8
        traffic.alerts.freezeOnCriticalETA = true
        var profit = TierPolicy.builtIn(for: .profit)
        profit.alerts.lowStockBannerLevel = .warning
        return PolicySet(tiers: [.traffic: traffic, .profit: profit])
    }()

    /// A live-room session of about 40 minutes: five SKUs in three tiers (one never gets inventory, one only
    /// gets interactions), orders through every status (and repeated or out-of-order ones), cart adds and
    /// removes, comments, questions and likes, a pitch burst that sells a traffic SKU out, restocks, a damage
    /// and an adjustment, duplicates within and beyond the duplicate window, late events, and watermark
    /// advances every few events.
    static let session: [Step] = {
        var random = Generator(state: 0x5EED_4_2026)
        var steps: [Step] = []
        var sent: [StockEvent] = []
        var serial = 0
        var openOrders: [String: [(id: String, quantity: Int64, paid: Bool)]] = [:]
        var streamSeconds: Int64 = 0
        func emit(_ event: StockEvent) {
            steps.append(.event(event))
            sent.append(event)
        }
        func nextID(_ prefix: String) -> String {
            serial += 1
            return "\(prefix)-\(serial)"
        }
        func time(_ seconds: Int64) -> EventTime { TestEvents.time(seconds) }

        emit(.inventory(InventoryEvent(eventID: nextID("inv"), sku: "SKU-A", kind: .set, quantity: 60, time: time(0), tier: .traffic, name: "Lip tint")))
        emit(.inventory(InventoryEvent(eventID: nextID("inv"), sku: "SKU-B", kind: .set, quantity: 150, time: time(1), tier: .profit)))
        emit(.inventory(InventoryEvent(eventID: nextID("inv"), sku: "SKU-C", kind: .set, quantity: 40, time: time(2), tier: .longtail, name: "Scarf")))

        let skus = ["SKU-A", "SKU-B", "SKU-C", "SKU-D", "SKU-E"]
        for tick in 1...480 {
            let seconds = Int64(tick) * 5
            streamSeconds = max(streamSeconds, seconds)
            // The host pitches SKU-A from minute 10 to minute 13, and SKU-B from minute 25 to 28: they sell fast.
            let pitched: String? = (600..<780).contains(seconds) ? "SKU-A" : (1500..<1680).contains(seconds) ? "SKU-B" : nil
            let pitching = pitched != nil
            let perTick = pitching ? 4 : 1 + random.next(2)
            for _ in 0..<perTick {
                let sku = pitched.flatMap { random.chance(70) ? $0 : nil } ?? skus[random.next(skus.count)]
                // Late: 20–90 s behind the stream.
                let eventSeconds = random.chance(6) ? max(0, seconds - Int64(20 + random.next(70))) : seconds
                let at = time(eventSeconds)
                if sku == "SKU-E" {
                    let kinds: [InteractionKind] = [.like, .comment, .question, .share, .click]
                    emit(.interaction(InteractionEvent(eventID: nextID("int"), sku: sku, kind: kinds[random.next(kinds.count)], time: at)))
                    continue
                }
                switch random.next(10) {
                case 0, 1:
                    emit(.cart(CartEvent(eventID: nextID("cart"), sku: sku, action: random.chance(80) ? .add : .remove,
                                         quantity: Int64(1 + random.next(3)), time: at)))
                case 2:
                    emit(.interaction(InteractionEvent(eventID: nextID("int"), sku: sku,
                                                       kind: random.chance(50) ? .comment : .like, time: at)))
                case 3, 4, 5:
                    let orderID = nextID("order")
                    let quantity = Int64(1 + random.next(pitching ? 4 : 2))
                    let paidAtOnce = sku == pitched ? 60 : 15
                    let status: OrderStatus = random.chance(paidAtOnce) ? .paid : (random.chance(5) ? .cancelled : .created)
                    emit(.order(OrderEvent(eventID: nextID("ord"), orderID: orderID, sku: sku, quantity: quantity, status: status, time: at)))
                    if status != .cancelled { openOrders[sku, default: []].append((orderID, quantity, status == .paid)) }
                default:
                    guard var orders = openOrders[sku], !orders.isEmpty else { continue }
                    let index = random.next(orders.count)
                    let order = orders[index]
                    let roll = random.next(100)
                    let status: OrderStatus
                    if !order.paid { status = roll < 75 ? .paid : (roll < 92 ? .cancelled : .refunded) }
                    else { status = roll < 15 ? .refunded : (roll < 30 ? .cancelled : .created) }  // created: out of order
                    emit(.order(OrderEvent(eventID: nextID("ord"), orderID: order.id, sku: sku, quantity: order.quantity,
                                           status: status, time: at)))
                    if status == .paid { orders[index].paid = true } else { orders.remove(at: index) }
                    openOrders[sku] = orders
                }
            }
            if tick % 37 == 0 {  // restocks, a recount, damage and corrections
                let kinds: [(InventoryKind, Int64)] = [(.receive, 60), (.damage, 2), (.adjust, -3), (.adjust, 4), (.set, 150)]
                let (kind, quantity) = kinds[random.next(kinds.count)]
                emit(.inventory(InventoryEvent(eventID: nextID("inv"), sku: ["SKU-A", "SKU-B", "SKU-C"][random.next(3)],
                                               kind: kind, quantity: quantity, time: time(seconds))))
            }
            if seconds == 800 {  // SKU-A sold out in the pitch: restocked
                emit(.inventory(InventoryEvent(eventID: nextID("inv"), sku: "SKU-A", kind: .receive, quantity: 80, time: time(seconds))))
            }
            if random.chance(8) {  // a redelivery of a recent event: dropped as a duplicate
                emit(sent[sent.count - 1 - random.next(min(10, sent.count))])
            }
            if random.chance(3) {  // a redelivery from long ago, probably evicted from the window by now
                emit(sent[random.next(sent.count)])
            }
            if tick % 2 == 0 { steps.append(.watermark(time(streamSeconds))) }
        }
        // Event time runs on with no events: open alerts de-escalate and resolve.
        for seconds in stride(from: streamSeconds, through: streamSeconds + 1800, by: 10) {
            steps.append(.watermark(time(seconds)))
        }
        return steps
    }()

    /// The duplicate window of the books in these tests: small, so it evicts during the session.
    static let duplicateWindow = 64

    /// Folds `steps` into `book`, returning each step's outputs.
    static func fold(_ book: inout StockBook, _ steps: ArraySlice<Step>) -> [[StockOutput]] {
        steps.map { step in
            var outputs: [StockOutput] = []
            switch step {
            case .event(let event): _ = book.apply(event, outputs: &outputs)
            case .watermark(let time): book.advanceWatermark(to: time, outputs: &outputs)
            }
            return outputs
        }
    }

    static func json(_ outputs: [[StockOutput]]) -> [UInt8] {
        var bytes: [UInt8] = []
        for output in outputs.joined() {
            output.encodeJSON(into: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        return bytes
    }

    static func restore(_ bytes: [UInt8], policy: PolicySet = policy) -> Result<StockBook, SnapshotDecodingError> {
        do throws(SnapshotDecodingError) {
            return .success(try StockBook(snapshot: bytes, policy: policy))
        } catch {
            return .failure(error)
        }
    }

    @Test("the session exercises what the snapshot must carry")
    func sessionCoverage() {
        var book = StockBook(policy: Self.policy, duplicateWindow: Self.duplicateWindow)
        let outputs = Self.fold(&book, Self.session[...]).flatMap { $0 }
        let statistics = book.statistics
        let commands = Set(outputs.compactMap { if case .command(let command) = $0 { command.action } else { nil } })
        let transitions = Set(outputs.compactMap { if case .alert(let alert) = $0 { alert.transition } else { nil } })
        #expect(Self.session.count > 1000)
        #expect(statistics.duplicatesDropped > 10)
        #expect(statistics.lateEvents > 10)
        #expect(statistics.freezes > 0 && statistics.unfreezes > 0)
        #expect(commands.isSuperset(of: [.freeze, .unfreeze, .lowerExposure, .restoreExposure, .lowStockBanner]))
        #expect(transitions.isSuperset(of: [.raised, .escalated, .deescalated, .resolved]))
        #expect(outputs.count >= 20)
        #expect(book.ledger(for: "SKU-D").map { $0.oversold > 0 } == true)
        #expect(book.forecastAccuracyByTier.values.contains { $0.scoredForecasts > 0 })
        #expect(book.ledger(for: "SKU-D")?.hasStock == false)
        #expect(book.ledger(for: "SKU-E") == nil && book.forecaster(for: "SKU-E") != nil)
        let ledgers = book.ledgers
        #expect(ledgers.contains { $0.cancelledUnits > 0 } && ledgers.contains { $0.refundedUnits > 0 })
        #expect(ledgers.contains { $0.ignoredOrderStatuses > 0 })
    }

    @Test("fold → snapshot → restore → fold gives the uninterrupted outputs and final snapshot, at every split")
    func splitFoldMatchesUninterrupted() throws {
        let steps = Self.session
        var uninterrupted = StockBook(policy: Self.policy, duplicateWindow: Self.duplicateWindow)
        let expectedOutputs = Self.fold(&uninterrupted, steps[...])
        let expectedFinal = uninterrupted.snapshotBytes()
        let expectedStatistics = uninterrupted.statistics

        var splits = Array(stride(from: 0, to: steps.count, by: 37))
        splits.append(steps.count)
        var checkedSplits = 0
        var splitsWithOutputs = 0
        for k in splits {
            var book = StockBook(policy: Self.policy, duplicateWindow: Self.duplicateWindow)
            _ = Self.fold(&book, steps[..<k])
            let snapshot = book.snapshotBytes()
            var restored = try StockBook(snapshot: snapshot, policy: Self.policy)
            // Compared as Bools: a failure message with the whole byte arrays would be unreadable.
            let identity = restored.snapshotBytes() == snapshot
            #expect(identity, "restore → snapshot is not the identity at split \(k)")
            let outputs = Self.fold(&restored, steps[k...])
            let sameOutputs = outputs == Array(expectedOutputs[k...])
            #expect(sameOutputs, "outputs differ after a restore at split \(k)")
            let sameJSON = Self.json(outputs) == Self.json(Array(expectedOutputs[k...]))
            #expect(sameJSON, "output JSON differs at split \(k)")
            let sameFinal = restored.snapshotBytes() == expectedFinal
            #expect(sameFinal, "final snapshot differs after a restore at split \(k)")
            #expect(restored.statistics == expectedStatistics)
            let sameLedgers = restored.ledgers == uninterrupted.ledgers
            #expect(sameLedgers, "ledgers differ at split \(k)")
            checkedSplits += 1
            if !outputs.isEmpty { splitsWithOutputs += 1 }
        }
        #expect(checkedSplits == splits.count && splitsWithOutputs > splits.count / 2)
        print("snapshot split test: \(steps.count) steps, \(checkedSplits) splits, \(expectedOutputs.joined().count) outputs")
    }

    @Test("restoring twice in a row, and snapshots of equal books, are byte-identical")
    func deterministicBytes() throws {
        var first = StockBook(policy: Self.policy, duplicateWindow: Self.duplicateWindow)
        var second = StockBook(policy: .builtInDefault, duplicateWindow: Self.duplicateWindow)
        _ = Self.fold(&first, Self.session[..<700])
        _ = Self.fold(&second, Self.session[..<700])
        let bytes = first.snapshotBytes()
        // The policy is not in the snapshot; the fold so far differs only where the policies do.
        let restored = try StockBook(snapshot: try StockBook(snapshot: bytes, policy: Self.policy).snapshotBytes(), policy: .builtInDefault)
        let sameAfterTwoRestores = restored.snapshotBytes() == bytes
        #expect(sameAfterTwoRestores)
        #expect(restored.policy == .builtInDefault)
        var third = StockBook(policy: Self.policy, duplicateWindow: Self.duplicateWindow)
        _ = Self.fold(&third, Self.session[..<700])
        let sameForEqualBooks = third.snapshotBytes() == bytes
        #expect(sameForEqualBooks)
    }

    @Test("an empty book's snapshot is 67 bytes and restores to an empty book with its duplicate window")
    func emptyBook() throws {
        let empty = StockBook(policy: .builtInDefault, duplicateWindow: 3)
        let bytes = empty.snapshotBytes()
        #expect(bytes.count == 67)
        #expect(Array(bytes[0..<4]) == Array("SSBK".utf8))
        var restored = try StockBook(snapshot: bytes, policy: .builtInDefault)
        #expect(restored.snapshotBytes() == bytes)
        #expect(restored.ledgers.isEmpty && restored.streamTime == nil && restored.statistics == BookStatistics())
        // The capacity came back: the fourth distinct ID evicts the first.
        var outputs: [StockOutput] = []
        for id in ["a", "b", "c", "d"] {
            let event = StockEvent.interaction(InteractionEvent(eventID: id, sku: "S", kind: .like, time: TestEvents.time(0)))
            #expect(restored.apply(event, outputs: &outputs) == .applied)
        }
        let again = StockEvent.interaction(InteractionEvent(eventID: "a", sku: "S", kind: .like, time: TestEvents.time(0)))
        let recent = StockEvent.interaction(InteractionEvent(eventID: "d", sku: "S", kind: .like, time: TestEvents.time(0)))
        #expect(restored.apply(recent, outputs: &outputs) == .duplicate)
        #expect(restored.apply(again, outputs: &outputs) == .applied)
    }

    /// A snapshot of a few kilobytes with every kind of part, for the corruption tests.
    static func smallSnapshot() -> [UInt8] {
        var book = StockBook(policy: policy, duplicateWindow: 16)
        _ = fold(&book, session[..<160])
        return book.snapshotBytes()
    }

    @Test("every truncation of a snapshot is rejected with an error")
    func truncations() {
        let bytes = Self.smallSnapshot()
        #expect(bytes.count > 1000)
        for length in 0..<bytes.count {
            switch Self.restore(Array(bytes[..<length])) {
            case .success: Issue.record("a snapshot cut to \(length) of \(bytes.count) bytes was accepted")
            case .failure(let error):
                #expect(error.byteOffset >= 0 && error.byteOffset <= length)
                #expect(!error.message.isEmpty)
            }
        }
        #expect((try? StockBook(snapshot: bytes + [0], policy: Self.policy)) == nil, "a trailing byte was accepted")
    }

    @Test("single-byte corruptions give an error or a book, never a trap")
    func corruptions() {
        let bytes = Self.smallSnapshot()
        var rejected = 0
        var accepted = 0
        for index in bytes.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var corrupted = bytes
                corrupted[index] ^= mask
                switch Self.restore(corrupted) {
                case .success(let book):
                    accepted += 1
                    _ = book.snapshotBytes()  // a state that decodes is a usable book
                case .failure(let error):
                    rejected += 1
                    #expect(error.byteOffset >= 0 && error.byteOffset <= corrupted.count)
                }
            }
        }
        // Counts and values flip into other valid values; structure and codes do not.
        #expect(rejected > 0 && accepted > 0)
        print("snapshot corruption: \(bytes.count) bytes × 3 flips: \(rejected) rejected, \(accepted) decoded to another state")
    }

    @Test("a snapshot with the wrong magic or an unknown version is rejected, naming the version")
    func versionAndMagic() {
        var bytes = StockBook(policy: .builtInDefault).snapshotBytes()
        bytes[4] = 2
        guard case .failure(let error) = Self.restore(bytes) else {
            Issue.record("version 2 was accepted")
            return
        }
        #expect(error.byteOffset == 4)
        #expect(error.message.contains("version 2"))
        #expect(error.description.contains("byte 4"))
        bytes[4] = 1
        bytes[0] = UInt8(ascii: "X")
        guard case .failure(let magic) = Self.restore(bytes) else {
            Issue.record("a wrong magic was accepted")
            return
        }
        #expect(magic.message.contains("SSBK"))
    }

    @Test("malformed structure is named: unsorted SKUs, bad enum codes, impossible counts")
    func structuralErrors() throws {
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        _ = book.apply(.inventory(TestEvents.inventory("i1", sku: "A", .set, 10, tier: .traffic)), outputs: &outputs)
        _ = book.apply(.order(TestEvents.order("o1", order: "x", sku: "A", .created)), outputs: &outputs)
        let bytes = book.snapshotBytes()
        let (windowStart, skuStart) = Self.layout(bytes)
        var huge = bytes
        huge.replaceSubrange((windowStart + 8)..<(windowStart + 12), with: [0xFF, 0xFF, 0xFF, 0x7F])
        let hugeError = try #require(Self.restore(huge).failureValue)
        #expect(hugeError.message.contains("ID count"))
        // The SKU's tier code follows its ledger flags.
        var badTier = bytes
        badTier[skuStart + 4 + 1 + 1 + 1] = 9  // length, "A", parts, ledger flags, tier
        let tierError = try #require(Self.restore(badTier).failureValue)
        #expect(tierError.message.contains("tier") && tierError.message.contains("9"))
        #expect(tierError.byteOffset == skuStart + 7)
    }

    /// The offsets of the duplicate window and of the first SKU record.
    static func layout(_ bytes: [UInt8]) -> (window: Int, firstSKU: Int) {
        var reader = SnapshotReader(bytes)
        func skip(_ count: Int) { for _ in 0..<count { _ = try? reader.uint8("") } }
        skip(8)
        let flags = (try? reader.uint8("")) ?? 0
        skip(flags.nonzeroBitCount * 8 + 40)
        let levels = Int((try? reader.uint8("")) ?? 0)
        skip(levels * 9)
        let tiers = Int((try? reader.uint8("")) ?? 0)
        skip(tiers * 33)
        let window = reader.offset
        skip(8)
        let ids = Int((try? reader.uint32("")) ?? 0)
        for _ in 0..<ids { _ = try? reader.string("") }
        skip(4)
        return (window, reader.offset)
    }

    @Test("bytes per SKU in the memory benchmark's shape: opening stock, a cart add, a like, an order created and paid")
    func bytesPerSKU() throws {
        let count = 1000
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        let emptyBytes = book.snapshotBytes().count
        var idBytes = 0
        for index in 0..<count {
            let sku = "SKU-\(index)"
            let time = EventTime(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(index))
            let events: [StockEvent] = [
                .inventory(InventoryEvent(eventID: "i\(index)", sku: sku, kind: .set, quantity: 100, time: time, tier: .profit)),
                .cart(CartEvent(eventID: "c\(index)", sku: sku, action: .add, quantity: 1, time: time)),
                .interaction(InteractionEvent(eventID: "l\(index)", sku: sku, kind: .like, time: time)),
                .order(OrderEvent(eventID: "oc\(index)", orderID: "o\(index)", sku: sku, quantity: 1, status: .created, time: time)),
                .order(OrderEvent(eventID: "op\(index)", orderID: "o\(index)", sku: sku, quantity: 1, status: .paid, time: time)),
            ]
            for event in events {
                outputs.removeAll(keepingCapacity: true)
                _ = book.apply(event, outputs: &outputs)
                idBytes += 4 + event.eventID.utf8.count
            }
        }
        let bytes = book.snapshotBytes()
        let perSKU = Double(bytes.count - emptyBytes) / Double(count)
        let perSKUState = Double(bytes.count - emptyBytes - idBytes) / Double(count)
        print("snapshot bytes per SKU (benchmark shape, \(count) SKUs): \(perSKU) with its 5 event IDs in the duplicate window, \(perSKUState) without")
        #expect(perSKU < 1024)
        let restored = try StockBook(snapshot: bytes, policy: .builtInDefault)
        let identity = restored.snapshotBytes() == bytes
        #expect(identity)
        let sameLedgers = restored.ledgers == book.ledgers
        #expect(sameLedgers)
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}
