import Foundation
import Testing

@testable import StockSentry

@Suite struct LiveSessionGeneratorTests {
    static let seeds: [UInt64] = [42, 7, 2_026]

    static func configuration(seed: UInt64) -> LiveSessionConfiguration {
        var configuration = LiveSessionConfiguration()
        configuration.seed = seed
        return configuration
    }

    static func records(seed: UInt64) -> [GeneratedRecord] {
        Array(LiveSessionGenerator(configuration: configuration(seed: seed)))
    }

    static func object(_ record: GeneratedRecord) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(record.value))) as? [String: Any]
    }

    /// The payloads of good records with `topic`, decoded.
    static func payloads(_ records: [GeneratedRecord], topic: String) -> [[String: Any]] {
        records.filter { !$0.isDeliberatelyBad && $0.topic == topic }.compactMap(object)
    }

    @Test("the same seed gives the same records, and another seed different ones", arguments: seeds)
    func deterministic(seed: UInt64) {
        let first = Self.records(seed: seed)
        let second = Self.records(seed: seed)
        #expect(first == second, "seed \(seed)")
        #expect(first != Self.records(seed: seed &+ 1), "seed \(seed)")
        #expect(LiveSessionGenerator(configuration: Self.configuration(seed: seed)).skus
                == LiveSessionGenerator(configuration: Self.configuration(seed: seed)).skus)
    }

    @Test("record timestamps never decrease and stay inside the session", arguments: seeds)
    func timestampsNonDecreasing(seed: UInt64) {
        let configuration = Self.configuration(seed: seed)
        let records = Self.records(seed: seed)
        let end = configuration.startMilliseconds + 20 * 60_000
        #expect(records.count > 500, "seed \(seed)")
        var previous = Int64.min
        for record in records {
            #expect(record.timestampMilliseconds >= previous, "seed \(seed): \(record.timestampMilliseconds) after \(previous)")
            #expect(record.timestampMilliseconds >= configuration.startMilliseconds && record.timestampMilliseconds < end)
            previous = record.timestampMilliseconds
        }
    }

    @Test("good records carry ts equal to the record timestamp, key equal to sku, and unique event ids", arguments: seeds)
    func goodRecordsAreConsistent(seed: UInt64) throws {
        let records = Self.records(seed: seed)
        var seen: [String: [UInt8]] = [:]
        var duplicates = 0
        for record in records where !record.isDeliberatelyBad {
            let object = try #require(Self.object(record), "seed \(seed): good record is JSON")
            let eventID = try #require(object["event_id"] as? String)
            #expect(object["sku"] as? String == record.key, "seed \(seed): \(eventID) key matches sku")
            #expect((object["ts"] as? NSNumber)?.int64Value == record.timestampMilliseconds, "seed \(seed): \(eventID)")
            if let earlier = seen[eventID] {
                #expect(earlier == record.value, "seed \(seed): a repeated event_id \(eventID) is an exact duplicate")
                duplicates += 1
            }
            seen[eventID] = record.value
        }
        let share = Double(duplicates) / Double(records.count)
        #expect(share > 0.002 && share < 0.03, "seed \(seed): about 1% duplicates, got \(duplicates) of \(records.count)")
    }

    @Test("the session opens with a stock count for every SKU, naming its tier and product", arguments: seeds)
    func openingStock(seed: UInt64) throws {
        let generator = LiveSessionGenerator(configuration: Self.configuration(seed: seed))
        let records = Array(generator)
        let opening = records.prefix { $0.timestampMilliseconds == generator.configuration.startMilliseconds }
            .filter { !$0.isDeliberatelyBad }
        #expect(Set(opening.map(\.topic)) == ["inventory"])
        let skus = Set(Self.payloads(Array(opening), topic: "inventory").compactMap { $0["sku"] as? String })
        #expect(skus == Set(generator.skus.map(\.sku)))
        #expect(generator.skus.count == 9)
        #expect(Set(generator.skus.map(\.tier)) == ["traffic", "profit", "longtail"])
        #expect(generator.skus.filter { $0.pitched }.count == 1)
        #expect(generator.skus.first { $0.pitched }?.tier == "traffic")
        let first = try #require(Self.payloads(Array(opening), topic: "inventory").first)
        #expect(first["kind"] as? String == "set" && first["tier"] != nil && first["name"] != nil)
    }

    @Test("the session holds one of each deliberately bad record, described", arguments: seeds)
    func badRecords(seed: UInt64) throws {
        let bad = Self.records(seed: seed).filter(\.isDeliberatelyBad)
        let reasons = bad.compactMap(\.expectedRejection)
        #expect(reasons.count == bad.count)
        for expected in ["not JSON", "qty is a string", "negative qty", "unknown order status", "missing sku", "oversized", "key does not match"] {
            #expect(reasons.contains { $0.contains(expected) }, "seed \(seed): \(expected) in \(reasons)")
        }
        let oversized = try #require(bad.first { $0.expectedRejection?.contains("oversized") == true })
        #expect(oversized.value.count > 64 * 1_024)
        let notJSON = try #require(bad.first { $0.expectedRejection?.contains("not JSON") == true })
        #expect(Self.object(notJSON) == nil)
        let mismatch = try #require(bad.first { $0.expectedRejection?.contains("key") == true })
        #expect(Self.object(mismatch)?["sku"] as? String != mismatch.key)

        var configuration = Self.configuration(seed: seed)
        configuration.badRecords = false
        #expect(!LiveSessionGenerator(configuration: configuration).contains { $0.isDeliberatelyBad })
    }

    @Test("the pitched SKU's order rate during the pitch is at least 5× its rate outside it", arguments: seeds)
    func pitchSpikesOrders(seed: UInt64) throws {
        let generator = LiveSessionGenerator(configuration: Self.configuration(seed: seed))
        let pitched = try #require(generator.skus.first { $0.pitched })
        let created = Self.payloads(Array(generator), topic: "orders")
            .filter { $0["sku"] as? String == pitched.sku && $0["status"] as? String == "created" }
            .compactMap { ($0["ts"] as? NSNumber)?.int64Value }
        let (pitchStart, pitchEnd) = (generator.pitchStartMilliseconds, generator.pitchEndMilliseconds)
        // Outside: the session before the pitch and after its two-minute tail.
        let session = generator.configuration.startMilliseconds..<(generator.configuration.startMilliseconds + 20 * 60_000)
        let during = created.filter { (pitchStart..<pitchEnd).contains($0) }.count
        let outside = created.filter { session.contains($0) && ($0 < pitchStart || $0 >= pitchEnd + 120_000) }.count
        let pitchMinutes = Double(pitchEnd - pitchStart) / 60_000
        let outsideMinutes = Double(session.count - Int(pitchEnd + 120_000 - pitchStart)) / 60_000
        let rateDuring = Double(during) / pitchMinutes
        let rateOutside = Double(outside) / outsideMinutes
        #expect(rateDuring >= 5 * rateOutside, "seed \(seed): \(rateDuring)/min during vs \(rateOutside)/min outside")
        #expect(rateDuring >= 5 * pitched.baseOrdersPerMinute, "seed \(seed): \(rateDuring)/min vs base \(pitched.baseOrdersPerMinute)")

        // Without a freeze the pitched SKU oversells before its restock.
        let restock = generator.restockMilliseconds
        let reservedBeforeRestock = Self.payloads(Array(generator), topic: "orders")
            .filter { $0["sku"] as? String == pitched.sku && $0["status"] as? String == "created"
                && (($0["ts"] as? NSNumber)?.int64Value ?? .max) < restock }
            .compactMap { ($0["qty"] as? NSNumber)?.intValue }.reduce(0, +)
        #expect(reservedBeforeRestock > pitched.openingStock, "seed \(seed): demand \(reservedBeforeRestock) vs stock \(pitched.openingStock)")
    }

    @Test("cart adds lead orders: most orders follow an add by the same user 1–3 minutes earlier", arguments: seeds)
    func cartAddsLeadOrders(seed: UInt64) {
        let records = Self.records(seed: seed)
        var adds: [String: [Int64]] = [:]  // "sku user" → add times
        for cart in Self.payloads(records, topic: "carts") where cart["action"] as? String == "add" {
            let key = "\(cart["sku"] as? String ?? "") \(cart["user_id"] as? String ?? "")"
            adds[key, default: []].append((cart["ts"] as? NSNumber)?.int64Value ?? 0)
        }
        var created = 0
        var led = 0
        var leadMilliseconds: [Int64] = []
        for order in Self.payloads(records, topic: "orders") where order["status"] as? String == "created" {
            let time = (order["ts"] as? NSNumber)?.int64Value ?? 0
            guard time >= records[0].timestampMilliseconds + 4 * 60_000 else { continue }  // after the warm-up
            created += 1
            let key = "\(order["sku"] as? String ?? "") \(order["user_id"] as? String ?? "")"
            if let add = adds[key]?.filter({ $0 <= time }).max() {
                led += 1
                leadMilliseconds.append(time - add)
            }
        }
        #expect(created > 50, "seed \(seed)")
        #expect(Double(led) >= 0.75 * Double(created), "seed \(seed): \(led) of \(created) orders follow a cart add")
        let median = leadMilliseconds.sorted()[leadMilliseconds.count / 2]
        #expect((60_000...180_000).contains(median), "seed \(seed): median lead \(median) ms")
    }

    @Test("orders move through statuses: created, then paid or cancelled, with a few refunds and late cancellations")
    func orderLifecycle() throws {
        let orders = Self.payloads(Self.records(seed: 42), topic: "orders")
        var statuses: [String: [String]] = [:]
        for order in orders {
            statuses[order["order_id"] as? String ?? "", default: []].append(order["status"] as? String ?? "")
        }
        let sequences = Set(statuses.values.map { $0.joined(separator: ">") })
        #expect(sequences.contains("created>paid"))
        #expect(sequences.contains("created>cancelled"))
        #expect(sequences.contains { $0.hasPrefix("created>paid>") && ($0.hasSuffix("refunded") || $0.hasSuffix("cancelled")) }
                || Self.records(seed: 7).contains { Self.object($0)?["status"] as? String == "refunded" })
        let paid = statuses.values.filter { $0.contains("paid") }.count
        #expect(Double(paid) / Double(statuses.count) > 0.7)
    }

    @Test("interactions about the pitched SKU rise before its orders do")
    func interactionsLead() throws {
        let generator = LiveSessionGenerator(configuration: Self.configuration(seed: 42))
        let records = Array(generator)
        let pitched = try #require(generator.skus.first { $0.pitched })
        let start = generator.pitchStartMilliseconds
        func count(_ topic: String, _ range: Range<Int64>) -> Int {
            Self.payloads(records, topic: topic).filter {
                $0["sku"] as? String == pitched.sku && range.contains(($0["ts"] as? NSNumber)?.int64Value ?? 0)
            }.count
        }
        let before = (start - 120_000)..<start
        let earlier = (start - 240_000)..<(start - 120_000)
        #expect(count("interactions", before) >= 3 * count("interactions", earlier))
        let mentions = Self.payloads(records, topic: "interactions").filter {
            ($0["text"] as? String).map { $0.contains(pitched.sku) || $0.contains(pitched.name) } ?? false
        }
        #expect(mentions.count > 10)
    }

    @Test("the pitched SKU is restocked, and the session has a damage and an adjustment")
    func inventoryChanges() throws {
        let generator = LiveSessionGenerator(configuration: Self.configuration(seed: 42))
        let inventory = Self.payloads(Array(generator), topic: "inventory")
        let pitched = try #require(generator.skus.first { $0.pitched })
        #expect(inventory.contains { $0["kind"] as? String == "receive" && $0["sku"] as? String == pitched.sku })
        #expect(inventory.contains { $0["kind"] as? String == "damage" })
        #expect(inventory.contains { $0["kind"] as? String == "adjust" && ($0["qty"] as? NSNumber)?.intValue != 0 })
    }

    @Test("an NDJSON line carries the record as kafkacheck reads it")
    func ndjsonLine() throws {
        let record = GeneratedRecord(topic: "orders", key: "SKU-1", value: Array(#"{"a":"é\"\n"}"#.utf8),
                                     timestampMilliseconds: 1_795_000_000_123)
        let line = LiveSessionGenerator.ndjsonLine(record)
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["topic"] as? String == "orders")
        #expect(object["key"] as? String == "SKU-1")
        #expect(object["partition"] is NSNull)
        #expect((object["timestamp"] as? NSNumber)?.int64Value == 1_795_000_000_123)
        #expect(object["value"] as? String == #"{"a":"é\"\n"}"#)
    }

    @Test("short and long sessions and many SKUs generate without trouble", arguments: [1, 5, 60])
    func otherSizes(minutes: Int) {
        var configuration = LiveSessionConfiguration()
        configuration.duration = .seconds(minutes * 60)
        configuration.skusPerTier = minutes == 60 ? 20 : 2
        let generator = LiveSessionGenerator(configuration: configuration)
        var count = 0
        var previous = Int64.min
        var bad = 0
        for record in generator {
            #expect(record.timestampMilliseconds >= previous)
            previous = record.timestampMilliseconds
            count += 1
            if record.isDeliberatelyBad { bad += 1 }
        }
        #expect(count > generator.skus.count)
        #expect(bad == 7)
        #expect(generator.skus.count == configuration.skusPerTier * 3)
    }
}
