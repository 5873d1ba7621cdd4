import Foundation
import StockModel

// A seeded, deterministic, streaming generator of a live-commerce session: the traffic that
// `stocksentry gen`, `demo`, the backtests and the tests feed to StockSentry. This file depends on
// Foundation only, so it can be built and tested on its own.

/// One generated Kafka record for an input topic.
public struct GeneratedRecord: Sendable, Equatable {
    /// The topic's role name: `orders`, `carts`, `interactions` or `inventory`.
    public var topic: String
    /// The record key: the SKU (or, for one deliberately bad record, another SKU).
    public var key: String?
    /// The payload bytes: a JSON object, or garbage for some deliberately bad records.
    public var value: [UInt8]
    /// The record timestamp, Unix epoch milliseconds; equal to the payload's `ts`.
    public var timestampMilliseconds: Int64
    /// True for records that StockSentry must reject to the dead-letter topic.
    public var isDeliberatelyBad: Bool
    /// For deliberately bad records, what is wrong, in a few words (e.g. "qty is a string").
    public var expectedRejection: String?

    public init(topic: String, key: String?, value: [UInt8], timestampMilliseconds: Int64,
                isDeliberatelyBad: Bool = false, expectedRejection: String? = nil) {
        self.topic = topic
        self.key = key
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
        self.isDeliberatelyBad = isDeliberatelyBad
        self.expectedRejection = expectedRejection
    }
}

/// What to generate. Every field has a default; the defaults give a 20-minute session with
/// 9 SKUs, one host pitch and about 2 000 records.
public struct LiveSessionConfiguration: Sendable {
    /// Seed of every random choice: the same configuration always gives the same records.
    /// Default: 42.
    public var seed: UInt64 = 42
    /// Event time of the session's start (the opening stock counts), Unix epoch milliseconds.
    /// Default: 1 795 000 000 000 (2026-11-18T11:06:40Z).
    public var startMilliseconds: Int64 = 1_795_000_000_000
    /// Length of the session in event time. Records at or after the end are not generated.
    /// Default: 20 minutes.
    public var duration: Duration = .seconds(20 * 60) {
        didSet { precondition(duration >= .seconds(1), "duration must be at least 1 s, got \(duration)") }
    }
    /// SKUs generated for each of the three tiers (traffic, profit, longtail). Default: 3.
    public var skusPerTier: Int = 3 {
        didSet { precondition(skusPerTier >= 1, "skusPerTier must be ≥ 1, got \(skusPerTier)") }
    }
    /// Whether to include the deliberately bad records (non-JSON, wrong types, wrong key, …).
    /// Default: true.
    public var badRecords: Bool = true
    /// Share of good records emitted twice (same event_id, same bytes), as at-least-once
    /// upstream producers do. Default: 0.01.
    public var duplicateShare: Double = 0.01 {
        didSet { precondition((0...1).contains(duplicateShare), "duplicateShare must be in 0...1, got \(duplicateShare)") }
    }
    /// When the host starts pitching the pitched SKU, from the session start; `nil` puts it at
    /// 30% of the duration. Default: nil.
    public var pitchOffset: Duration? = nil
    /// How long the pitch lasts; capped at a quarter of the duration. Default: 5 minutes.
    public var pitchDuration: Duration = .seconds(5 * 60)
    /// Factor by which the pitched SKU's order rate rises during the pitch. Default: 10.
    public var pitchDemandMultiplier: Double = 10 {
        didSet { precondition(pitchDemandMultiplier >= 1, "pitchDemandMultiplier must be ≥ 1") }
    }
    /// Live room id written into orders, carts and interactions. Default: "room-1".
    public var roomID: String = "room-1"

    public init() {}
}

/// A SKU of a generated session.
public struct LiveSessionSKU: Sendable, Equatable {
    /// The SKU id, also the record key.
    public var sku: String
    /// `traffic`, `profit` or `longtail`.
    public var tier: String
    /// Product name (Chinese or English).
    public var name: String
    /// Units of the opening `inventory.set`.
    public var openingStock: Int
    /// True for the one SKU the host pitches (a traffic SKU).
    public var pitched: Bool
    /// Expected orders per minute outside the pitch.
    public var baseOrdersPerMinute: Double
    /// Unit price in cents.
    public var priceCents: Int
}

/// A seeded live-room session, generated as a stream in one-second slices of event time.
///
/// The session: an opening `inventory.set` for every SKU; orders for every SKU at its base rate,
/// most preceded by a cart add 1–3 minutes earlier; orders go `created` → `paid`, some are
/// cancelled before or after payment, a few are refunded; viewer interactions (comments and
/// questions that mention the SKU, likes, shares, clicks) that rise about two minutes before the
/// orders they lead; a host pitch of one traffic SKU that multiplies its orders about tenfold, so
/// it sells out and oversells if nobody freezes it; a restock of that SKU after the pitch; a
/// damage and an adjustment; ~1% exact duplicates; and a handful of deliberately bad records.
///
/// Records come in non-decreasing timestamp order. Memory stays bounded by the records scheduled
/// in the next few minutes of event time, whatever the duration.
public struct LiveSessionGenerator: Sequence, Sendable {
    public let configuration: LiveSessionConfiguration
    /// The session's SKUs, traffic first, then profit, then longtail.
    public let skus: [LiveSessionSKU]
    /// Start of the host's pitch of the pitched SKU, Unix epoch milliseconds (event time).
    public let pitchStartMilliseconds: Int64
    /// End of the pitch (exclusive), Unix epoch milliseconds; demand decays over 2 minutes after it.
    public let pitchEndMilliseconds: Int64
    /// When the pitched SKU is restocked (`inventory.receive`), if within the session.
    public let restockMilliseconds: Int64

    /// Plans the session's SKUs and pitch; generates no records yet.
    public init(configuration: LiveSessionConfiguration) {
        self.configuration = configuration
        let start = configuration.startMilliseconds
        let durationMilliseconds = Self.milliseconds(configuration.duration)
        let pitchOffset = configuration.pitchOffset.map(Self.milliseconds) ?? durationMilliseconds * 3 / 10
        precondition(pitchOffset >= 0, "pitchOffset must not be negative, got \(pitchOffset) ms")
        let pitchLength = Swift.max(1_000, Swift.min(Self.milliseconds(configuration.pitchDuration), durationMilliseconds / 4))
        pitchStartMilliseconds = start + pitchOffset
        pitchEndMilliseconds = pitchStartMilliseconds + pitchLength
        restockMilliseconds = start + Swift.min(pitchOffset + pitchLength + 3 * 60_000, durationMilliseconds * 9 / 10)

        var random = LiveSessionRandom(seed: configuration.seed ^ 0x5EED_5C05)
        var skus: [LiveSessionSKU] = []
        let minutes = Double(durationMilliseconds) / 60_000
        for (tierIndex, tier) in Self.tiers.enumerated() {
            for index in 0..<configuration.skusPerTier {
                let names = Self.productNames[tierIndex]
                let baseName = names[index % names.count]
                let name = index < names.count ? baseName : "\(baseName) #\(index / names.count + 1)"
                let number = index + 1
                let sku = "SKU-\(Self.tierCodes[tierIndex])-\(number < 10 ? "0" : "")\(number)"
                let base: Double
                let priceCents: Int
                switch tier {
                case "traffic":
                    base = 1.5 + random.uniform() * 1.5
                    priceCents = 990 + 100 * random.int(below: 20)
                case "profit":
                    base = 0.4 + random.uniform() * 0.8
                    priceCents = 5_900 + 1_000 * random.int(below: 14)
                default:
                    base = 0.05 + random.uniform() * 0.25
                    priceCents = 1_900 + 500 * random.int(below: 16)
                }
                let pitched = tierIndex == 0 && index == 0
                let openingStock: Int
                if pitched {
                    // Enough for the time before the pitch and a bit over half the pitch: it
                    // sells out mid-pitch, and oversells unless frozen.
                    let beforePitch = base * Double(pitchOffset) / 60_000
                    let inPitch = base * configuration.pitchDemandMultiplier * 0.55 * Double(pitchLength) / 60_000
                    openingStock = Swift.max(5, Int((beforePitch + inPitch) * Self.meanUnitsPerOrder))
                } else {
                    // Some sell out near the end, most do not.
                    let factors = [0.8, 1.4, 2.5, 4.0]
                    let factor = factors[random.int(below: factors.count)]
                    openingStock = Swift.max(5, Int(base * minutes * Self.meanUnitsPerOrder * factor))
                }
                skus.append(LiveSessionSKU(sku: sku, tier: tier, name: name, openingStock: openingStock,
                                           pitched: pitched, baseOrdersPerMinute: base, priceCents: priceCents))
            }
        }
        self.skus = skus
    }

    public func makeIterator() -> Iterator {
        Iterator(generator: self)
    }

    /// The NDJSON line for `record`, in the shape `scripts/kafkacheck.py produce` reads:
    /// `{"topic":…,"key":…,"partition":null,"timestamp":…,"value":"<payload text>"}` (no newline).
    public static func ndjsonLine(_ record: GeneratedRecord) -> String {
        var writer = LiveSessionJSONWriter()
        writer.string("topic", record.topic)
        if let key = record.key { writer.string("key", key) } else { writer.null("key") }
        writer.null("partition")
        writer.integer("timestamp", record.timestampMilliseconds)
        writer.string("value", String(decoding: record.value, as: UTF8.self))
        return String(decoding: writer.finish(), as: UTF8.self)
    }

    // MARK: - Fixed content

    static let tiers = ["traffic", "profit", "longtail"]
    static let tierCodes = ["TRF", "PRF", "LTL"]
    static let productNames: [[String]] = [
        ["爆款抽纸 24包", "Mini Desk Fan", "懒人手机支架", "果冻唇釉", "Silicone Spatula Set"],
        ["羊绒围巾 Cashmere Scarf", "Air Fryer 5L", "真丝睡衣套装", "Wireless Earbuds Pro", "保温杯 500ml"],
        ["手工皂 Handmade Soap", "Vintage Postcards", "竹制牙刷 4支装", "Linen Tote Bag", "香薰蜡烛"],
    ]
    /// Units per order: 1 (75%), 2 (18%), 3 (5%), 5 (2%).
    static let meanUnitsPerOrder = 0.75 + 0.36 + 0.15 + 0.10
    /// How far ahead of its order a cart add may come; orders are planned this far ahead.
    static let planningHorizonMilliseconds: Int64 = 180_000
    static let sliceMilliseconds: Int64 = 1_000

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000 + attoseconds / 1_000_000_000_000_000
    }

    /// The pitched SKU's demand factor at `time`: ramps up over 30 s at the pitch start, holds,
    /// then decays over 2 minutes after it.
    func pitchFactor(at time: Int64) -> Double {
        let multiplier = configuration.pitchDemandMultiplier
        if time < pitchStartMilliseconds { return 1 }
        if time < pitchEndMilliseconds {
            let ramp = Swift.min(1, Double(time - pitchStartMilliseconds) / 30_000)
            return 1 + (multiplier - 1) * ramp
        }
        let after = Double(time - pitchEndMilliseconds) / 120_000
        return after >= 1 ? 1 : 1 + (multiplier - 1) * (1 - after) * 0.3
    }

    /// Expected orders per minute of SKU `index` at `time`.
    func ordersPerMinute(_ index: Int, at time: Int64) -> Double {
        let sku = skus[index]
        return sku.pitched ? sku.baseOrdersPerMinute * pitchFactor(at: time) : sku.baseOrdersPerMinute
    }

    /// Viewer attention on SKU `index` at `time`: leads its orders by about two minutes.
    func attention(_ index: Int, at time: Int64) -> Double {
        let sku = skus[index]
        let factor = sku.pitched ? pitchFactor(at: time + 120_000) : 1
        return Swift.max(0.2, sku.baseOrdersPerMinute) * factor
    }
}

extension LiveSessionGenerator {
    /// Streams the session one slice of event time at a time.
    public struct Iterator: IteratorProtocol, Sendable {
        let generator: LiveSessionGenerator
        var random: LiveSessionRandom
        var pending = LiveSessionScheduleHeap()
        var ready: [GeneratedRecord] = []
        var readyIndex = 0
        var sliceStart: Int64
        let end: Int64
        var scheduleSequence: UInt64 = 0
        var eventCounter = 0
        var orderCounter = 0
        let idPrefix: String

        init(generator: LiveSessionGenerator) {
            self.generator = generator
            let configuration = generator.configuration
            random = LiveSessionRandom(seed: configuration.seed)
            sliceStart = configuration.startMilliseconds
            end = configuration.startMilliseconds + LiveSessionGenerator.milliseconds(configuration.duration)
            idPrefix = String(configuration.seed, radix: 16)
            scheduleFixedEvents()
            // Orders in the first planning horizon, planned before the first slice.
            var from = configuration.startMilliseconds + LiveSessionGenerator.sliceMilliseconds
            let horizonEnd = Swift.min(end, configuration.startMilliseconds + LiveSessionGenerator.planningHorizonMilliseconds)
            while from < horizonEnd {
                let to = Swift.min(horizonEnd, from + LiveSessionGenerator.sliceMilliseconds)
                planOrders(from: from, to: to)
                from = to
            }
        }

        public mutating func next() -> GeneratedRecord? {
            while readyIndex >= ready.count {
                guard sliceStart < end else { return nil }
                produceSlice()
            }
            defer { readyIndex += 1 }
            return ready[readyIndex]
        }

        // MARK: Slices

        mutating func produceSlice() {
            let start = sliceStart
            let sliceEnd = Swift.min(end, start + LiveSessionGenerator.sliceMilliseconds)
            let horizon = LiveSessionGenerator.planningHorizonMilliseconds
            planOrders(from: start + horizon, to: Swift.min(end, sliceEnd + horizon))
            // The first slice holds the opening stock counts only.
            if start > generator.configuration.startMilliseconds {
                generateInteractions(from: start, to: sliceEnd)
                generateBrowsingCarts(from: start, to: sliceEnd)
            }
            ready.removeAll(keepingCapacity: true)
            readyIndex = 0
            while let item = pending.peek(), item.time < sliceEnd {
                _ = pending.pop()
                precondition(item.time >= start, "scheduled item at \(item.time) fell behind slice \(start)")
                emit(item)
            }
            sliceStart = sliceEnd
        }

        mutating func schedule(_ time: Int64, _ event: LiveSessionScheduledEvent) {
            precondition(time >= sliceStart, "cannot schedule at \(time), before the current slice \(sliceStart)")
            guard time < end else { return }
            scheduleSequence += 1
            pending.push(LiveSessionScheduledItem(time: time, sequence: scheduleSequence, event: event))
        }

        mutating func scheduleFixedEvents() {
            let configuration = generator.configuration
            let start = configuration.startMilliseconds
            let durationMilliseconds = end - start
            for index in generator.skus.indices {
                schedule(start, .inventory(sku: index, kind: "set", quantity: generator.skus[index].openingStock, opening: true))
            }
            if let pitched = generator.skus.firstIndex(where: \.pitched) {
                schedule(generator.restockMilliseconds,
                         .inventory(sku: pitched, kind: "receive", quantity: generator.skus[pitched].openingStock, opening: false))
            }
            let profit = generator.skus.firstIndex { $0.tier == "profit" } ?? 0
            schedule(start + durationMilliseconds / 2 + 7_345, .inventory(sku: profit, kind: "damage", quantity: 2, opening: false))
            let longtail = generator.skus.lastIndex { $0.tier == "longtail" } ?? 0
            schedule(start + durationMilliseconds * 7 / 10 + 1_234, .inventory(sku: longtail, kind: "adjust", quantity: -1, opening: false))
            if configuration.badRecords {
                for (slot, kind) in LiveSessionBadRecord.allCases.enumerated() {
                    let time = start + durationMilliseconds * Int64(slot + 1) / Int64(LiveSessionBadRecord.allCases.count + 1) + 517
                    schedule(time, .bad(kind, sku: slot % generator.skus.count))
                }
            }
        }

        // MARK: Traffic

        /// Plans the orders created in `[from, to)`: each order with its cart add (most of them,
        /// 1–3 minutes before), its payment, cancellation or refund.
        mutating func planOrders(from: Int64, to: Int64) {
            guard from < to else { return }
            let sessionStart = generator.configuration.startMilliseconds + LiveSessionGenerator.sliceMilliseconds
            for index in generator.skus.indices {
                let perMillisecond = generator.ordersPerMinute(index, at: from) / 60_000
                let count = random.poisson(mean: perMillisecond * Double(to - from))
                for _ in 0..<count {
                    let createdAt = from + random.int64(below: to - from)
                    planOrder(sku: index, createdAt: createdAt, earliest: Swift.max(sessionStart, sliceStart))
                }
            }
        }

        mutating func planOrder(sku: Int, createdAt: Int64, earliest: Int64) {
            orderCounter += 1
            let orderID = "or-\(idPrefix)-\(orderCounter)"
            let quantity = random.orderQuantity()
            let user = nextUser()
            if random.chance(0.85) {
                var cartAt = createdAt - 60_000 - random.int64(below: 120_001)
                if cartAt < earliest {
                    cartAt = earliest + random.int64(below: Swift.max(1, (createdAt - earliest) / 2))
                }
                schedule(Swift.min(cartAt, createdAt), .cart(sku: sku, action: "add", quantity: quantity, user: user))
            }
            let order = LiveSessionPlannedOrder(sku: sku, orderID: orderID, quantity: quantity, user: user,
                                     channel: random.chance(0.8) ? "live" : "app")
            if random.chance(0.04) {
                // Paid with no `created` seen (a fast checkout upstream).
                schedule(createdAt, .order(order, status: "paid"))
                return
            }
            schedule(createdAt, .order(order, status: "created"))
            if random.chance(0.12) {
                schedule(createdAt + 10_000 + random.int64(below: 110_000), .order(order, status: "cancelled"))
                return
            }
            let paidAt = createdAt + 5_000 + random.int64(below: 85_000)
            schedule(paidAt, .order(order, status: "paid"))
            let fate = random.uniform()
            if fate < 0.03 {
                schedule(paidAt + 60_000 + random.int64(below: 240_000), .order(order, status: "cancelled"))
            } else if fate < 0.05 {
                schedule(paidAt + 120_000 + random.int64(below: 480_000), .order(order, status: "refunded"))
            }
        }

        /// Comments and questions that mention the SKU, likes, shares and clicks, in `[from, to)`.
        mutating func generateInteractions(from: Int64, to: Int64) {
            let kinds: [(kind: String, perAttentionPerMinute: Double)] = [
                ("comment", 0.8), ("question", 0.25), ("like", 1.5), ("share", 0.1), ("click", 1.2),
            ]
            for index in generator.skus.indices {
                let attention = generator.attention(index, at: from)
                for (kind, weight) in kinds {
                    let count = random.poisson(mean: attention * weight * Double(to - from) / 60_000)
                    for _ in 0..<count {
                        schedule(from + random.int64(below: to - from), .interaction(sku: index, kind: kind))
                    }
                }
            }
        }

        /// Cart adds that never become orders (browsing), and some removes.
        mutating func generateBrowsingCarts(from: Int64, to: Int64) {
            for index in generator.skus.indices {
                let perMinute = 0.4 * generator.ordersPerMinute(index, at: from + 120_000)
                let count = random.poisson(mean: perMinute * Double(to - from) / 60_000)
                for _ in 0..<count {
                    let at = from + random.int64(below: to - from)
                    let quantity = random.orderQuantity()
                    let user = nextUser()
                    schedule(at, .cart(sku: index, action: "add", quantity: quantity, user: user))
                    if random.chance(0.4) {
                        schedule(at + 30_000 + random.int64(below: 270_000), .cart(sku: index, action: "remove", quantity: quantity, user: user))
                    }
                }
            }
        }

        mutating func nextUser() -> String {
            return "u-\(10_000 + random.int(below: 90_000))"
        }

        // MARK: Records

        mutating func nextEventID() -> String {
            eventCounter += 1
            return "ev-\(idPrefix)-\(eventCounter)"
        }

        mutating func emit(_ item: LiveSessionScheduledItem) {
            let time = item.time
            let skus = generator.skus
            let room = generator.configuration.roomID
            switch item.event {
            case .order(let order, let status):
                let sku = skus[order.sku]
                var writer = LiveSessionJSONWriter()
                writer.string("event_id", nextEventID())
                writer.string("order_id", order.orderID)
                writer.string("sku", sku.sku)
                writer.integer("qty", Int64(order.quantity))
                writer.string("status", status)
                writer.integer("ts", time)
                writer.string("room_id", room)
                writer.string("user_id", order.user)
                writer.string("channel", order.channel)
                writer.raw("price", Self.price(sku.priceCents))
                append(topic: "orders", key: sku.sku, value: writer.finish(), time: time)
            case .cart(let index, let action, let quantity, let user):
                let sku = skus[index]
                var writer = LiveSessionJSONWriter()
                writer.string("event_id", nextEventID())
                writer.string("sku", sku.sku)
                writer.string("action", action)
                writer.integer("qty", Int64(quantity))
                writer.integer("ts", time)
                writer.string("room_id", room)
                writer.string("user_id", user)
                append(topic: "carts", key: sku.sku, value: writer.finish(), time: time)
            case .interaction(let index, let kind):
                let sku = skus[index]
                var writer = LiveSessionJSONWriter()
                writer.string("event_id", nextEventID())
                writer.string("sku", sku.sku)
                writer.string("kind", kind)
                writer.integer("ts", time)
                writer.string("room_id", room)
                if kind == "comment" || kind == "question" {
                    writer.string("text", interactionText(kind: kind, sku: sku))
                }
                append(topic: "interactions", key: sku.sku, value: writer.finish(), time: time)
            case .inventory(let index, let kind, let quantity, let opening):
                let sku = skus[index]
                var writer = LiveSessionJSONWriter()
                writer.string("event_id", nextEventID())
                writer.string("sku", sku.sku)
                writer.string("kind", kind)
                writer.integer("qty", Int64(quantity))
                writer.integer("ts", time)
                if opening {
                    writer.string("tier", sku.tier)
                    writer.string("name", sku.name)
                }
                append(topic: "inventory", key: sku.sku, value: writer.finish(), time: time)
            case .bad(let kind, let index):
                ready.append(badRecord(kind, sku: skus[index], other: skus[(index + 1) % skus.count], time: time))
            }
        }

        /// Appends a good record, and sometimes its exact duplicate.
        mutating func append(topic: String, key: String, value: [UInt8], time: Int64) {
            let record = GeneratedRecord(topic: topic, key: key, value: value, timestampMilliseconds: time)
            ready.append(record)
            if generator.configuration.duplicateShare > 0 && random.chance(generator.configuration.duplicateShare) {
                ready.append(record)
            }
        }

        mutating func interactionText(kind: String, sku: LiveSessionSKU) -> String {
            let comments = ["想要 \(sku.name)！", "\(sku.sku) 还有货吗", "link for \(sku.sku) pls", "主播 \(sku.name) 冲冲冲",
                            "just bought \(sku.name)", "\(sku.name) 好看"]
            let questions = ["\(sku.name) 多少钱？", "does \(sku.sku) ship today?", "\(sku.sku) 有别的颜色吗？",
                             "is \(sku.name) still in stock?"]
            let choices = kind == "question" ? questions : comments
            return choices[random.int(below: choices.count)]
        }

        mutating func badRecord(_ kind: LiveSessionBadRecord, sku: LiveSessionSKU, other: LiveSessionSKU, time: Int64) -> GeneratedRecord {
            let eventID = nextEventID()
            orderCounter += 1
            let orderID = "or-\(idPrefix)-\(orderCounter)"
            var writer = LiveSessionJSONWriter()
            let topic: String
            var key = sku.sku
            switch kind {
            case .notJSON:
                topic = "orders"
                let text = "{\"event_id\":\"\(eventID)\",\"order_id\":\"\(orderID)\",\"sku\":\"\(sku.sku)\",\"qty\":1,\"sta"
                return GeneratedRecord(topic: topic, key: key, value: Array(text.utf8), timestampMilliseconds: time,
                                       isDeliberatelyBad: true, expectedRejection: kind.expectedRejection)
            case .quantityAsString:
                topic = "carts"
                writer.string("event_id", eventID)
                writer.string("sku", sku.sku)
                writer.string("action", "add")
                writer.string("qty", "2")
                writer.integer("ts", time)
            case .negativeQuantity:
                topic = "orders"
                writer.string("event_id", eventID)
                writer.string("order_id", orderID)
                writer.string("sku", sku.sku)
                writer.integer("qty", -3)
                writer.string("status", "created")
                writer.integer("ts", time)
            case .unknownStatus:
                topic = "orders"
                writer.string("event_id", eventID)
                writer.string("order_id", orderID)
                writer.string("sku", sku.sku)
                writer.integer("qty", 1)
                writer.string("status", "shipped")
                writer.integer("ts", time)
            case .missingSKU:
                topic = "interactions"
                writer.string("event_id", eventID)
                writer.string("kind", "comment")
                writer.integer("ts", time)
                writer.string("text", "where is the link?")
            case .oversized:
                topic = "interactions"
                writer.string("event_id", eventID)
                writer.string("sku", sku.sku)
                writer.string("kind", "comment")
                writer.integer("ts", time)
                writer.string("text", String(repeating: "spam ", count: 14_000))
            case .keyMismatch:
                topic = "orders"
                key = other.sku
                writer.string("event_id", eventID)
                writer.string("order_id", orderID)
                writer.string("sku", sku.sku)
                writer.integer("qty", 1)
                writer.string("status", "created")
                writer.integer("ts", time)
            }
            return GeneratedRecord(topic: topic, key: key, value: writer.finish(), timestampMilliseconds: time,
                                   isDeliberatelyBad: true, expectedRejection: kind.expectedRejection)
        }

        static func price(_ cents: Int) -> String {
            let fraction = cents % 100
            return "\(cents / 100).\(fraction < 10 ? "0" : "")\(fraction)"
        }
    }
}

// MARK: - Internals

/// The deliberately bad records of a session, one of each.
enum LiveSessionBadRecord: CaseIterable, Sendable {
    case notJSON, quantityAsString, negativeQuantity, unknownStatus, missingSKU, oversized, keyMismatch

    /// Short descriptions. Only `oversized` and `keyMismatch` carry a schema-valid payload, and
    /// only their descriptions mention the size or the key (tests rely on that wording).
    var expectedRejection: String {
        switch self {
        case .notJSON: "payload is not JSON"
        case .quantityAsString: "qty is a string"
        case .negativeQuantity: "negative qty"
        case .unknownStatus: "unknown order status"
        case .missingSKU: "missing sku"
        case .oversized: "oversized record (> 64 KiB)"
        case .keyMismatch: "record key does not match sku"
        }
    }
}

struct LiveSessionPlannedOrder: Sendable {
    var sku: Int
    var orderID: String
    var quantity: Int
    var user: String
    var channel: String
}

enum LiveSessionScheduledEvent: Sendable {
    case order(LiveSessionPlannedOrder, status: String)
    case cart(sku: Int, action: String, quantity: Int, user: String)
    case interaction(sku: Int, kind: String)
    case inventory(sku: Int, kind: String, quantity: Int, opening: Bool)
    case bad(LiveSessionBadRecord, sku: Int)
}

struct LiveSessionScheduledItem: Sendable {
    var time: Int64
    var sequence: UInt64
    var event: LiveSessionScheduledEvent

    func precedes(_ other: LiveSessionScheduledItem) -> Bool {
        time != other.time ? time < other.time : sequence < other.sequence
    }
}

/// A binary min-heap of scheduled items by (time, sequence).
struct LiveSessionScheduleHeap: Sendable {
    private var items: [LiveSessionScheduledItem] = []

    var count: Int { items.count }

    func peek() -> LiveSessionScheduledItem? { items.first }

    mutating func push(_ item: LiveSessionScheduledItem) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> LiveSessionScheduledItem? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count && items[left].precedes(items[smallest]) { smallest = left }
            if right < items.count && items[right].precedes(items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}

/// SplitMix64: small, fast, and the same on every platform, so a seed reproduces a session.
struct LiveSessionRandom: Sendable {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func uniform() -> Double {
        Double(nextUInt64() >> 11) * 0x1.0p-53
    }

    mutating func chance(_ probability: Double) -> Bool { uniform() < probability }

    mutating func int(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(nextUInt64() % UInt64(bound))
    }

    mutating func int64(below bound: Int64) -> Int64 {
        precondition(bound > 0)
        return Int64(nextUInt64() % UInt64(bound))
    }

    /// A Poisson-distributed count (Knuth's method; means here are small, per slice).
    mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        if mean > 30 {
            // Normal approximation, never negative.
            let u1 = Swift.max(uniform(), 1e-12), u2 = uniform()
            let normal = (-2 * Foundation.log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            return Swift.max(0, Int((mean + normal * mean.squareRoot()).rounded()))
        }
        let limit = exp(-mean)
        var count = 0
        var product = uniform()
        while product > limit {
            count += 1
            product *= uniform()
        }
        return count
    }

    /// Units per order: 1 (75%), 2 (18%), 3 (5%), 5 (2%).
    mutating func orderQuantity() -> Int {
        let draw = uniform()
        if draw < 0.75 { return 1 }
        if draw < 0.93 { return 2 }
        if draw < 0.98 { return 3 }
        return 5
    }
}

/// Writes one flat JSON object with keys in call order, deterministically.
struct LiveSessionJSONWriter {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var first = true

    mutating func string(_ key: String, _ value: String) {
        self.key(key)
        JSONWriter.appendString(value, to: &bytes)
    }

    mutating func integer(_ key: String, _ value: Int64) {
        self.key(key)
        bytes.append(contentsOf: Array(String(value).utf8))
    }

    mutating func null(_ key: String) {
        self.key(key)
        bytes.append(contentsOf: Array("null".utf8))
    }

    /// `value` must already be JSON (a number literal here).
    mutating func raw(_ key: String, _ value: String) {
        self.key(key)
        bytes.append(contentsOf: Array(value.utf8))
    }

    mutating func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private mutating func key(_ key: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        JSONWriter.appendString(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }
}
