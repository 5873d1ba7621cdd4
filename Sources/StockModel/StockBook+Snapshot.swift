/// The binary snapshot of a ``StockBook``: everything its fold depends on, so that
/// `fold(events[..<k]) → snapshot → restore → fold(events[k...])` gives exactly the outputs and state of
/// the uninterrupted fold.
///
/// These bytes are the `state` of an `EventLog` `Snapshot`, which adds the log position, the input
/// offsets and a CRC-32C; this format has no checksum of its own. Write with
/// ``StockBook/snapshotBytes()``, restore with ``StockBook/init(snapshot:policy:)``.
///
/// **Not in the snapshot: the policy.** It comes from configuration at restore, so a policy changed
/// between the snapshot and the restart takes effect from the restore on (events replayed from the log
/// after the snapshot are folded under the new policy; what was folded before it is not re-evaluated).
/// The duplicate window's capacity *is* in the snapshot, with its IDs.
///
/// Encoding: integers are fixed-width little-endian (`u8`, `u32`, `i64`); a `Double` is its IEEE 754
/// bit pattern as a `u64`, so restore is bit-exact; a string is a `u32` byte length and UTF-8; a time is
/// an `i64` of epoch milliseconds; `opt` fields are present when their flag bit is set. Maps are written
/// sorted by key, so equal books give byte-identical snapshots.
///
/// ```
/// book        magic "SSBK" (4 bytes) · version u32 (1)
///             flags u8: bit0 stream time, bit1 evaluated watermark slot
///             [streamTime i64] [evaluatedWatermarkSlot i64]
///             eventsApplied i64 · duplicatesDropped i64 · freezes i64 · unfreezes i64 · lateEvents i64
///             alertsByLevel: count u8, then per level ascending: level u8 · count i64
///             accuracyByTier: count u8, then per tier ascending: tier u8 · accuracy
///             duplicate window: capacity i64 · count u32 · event IDs (string), oldest first
///             skuCount u32 · SKU records sorted by SKU (strictly ascending)
///             (nothing after the last record)
/// SKU record  sku string · parts u8: bit0 ledger, bit1 alert state, bit2 forecaster, bit3 watched
///             (the SKU has an open alert, freeze, lowered exposure or cooldown) · then the parts present
/// ledger      flags u8: bit0 hasStock, bit1 name · tier u8 · [name string]
///             stock, sold, reserved, received, damaged, adjusted, cancelled, refunded,
///             reservedUnitsTotal, paidUnitsTotal: i64 each · ignoredOrderStatuses i64
///             orderCount u32 · per order sorted by ID: orderID string · status u8 · quantity i64
/// alert state flags u8: bit0 frozen, bit1 exposure lowered, bit2 banner shown, bit3 alertID,
///             bit4 clearSince, bit5 evaluatedAt · level u8 · [alertID string] [clearSince i64] [evaluatedAt i64]
/// forecaster  observedSince i64 · signal paid · signal created · signal cartAdds · signal mentions
///             sold-by-minute: count u8 (≤ 30) · per used bucket in ring order: minute i64 · units i64 ·
///             droppedUnits i64
///             paidUnitsTotal, cartUnitsTotal, mentionsTotal i64 · learned paid, cart, mention f64
///             pending u8 (0/1) · [issuedAt i64 · horizonMinutes i64 · predictedUnits f64 ·
///             paid, cart, mentions at issue i64] · accuracy
/// signal      mask u8: bits0–3 the 1/5/15/30-minute windows ever updated, bit4 they share one time
///             shared: updatedAt i64 · count f64 per updated window
///             else:   updatedAt i64 · count f64 per updated window
/// accuracy    scored i64 · percentageScored i64 · absoluteErrorSum f64 · absolutePercentageErrorSum f64
/// codes       tier 0 none, 1 traffic, 2 profit, 3 longtail · level 0 none, 1 notice, 2 warning, 3 critical
///             order status 1 created, 2 paid, 3 cancelled, 4 refunded
/// ```
///
/// Decoding never traps: every read is bounds-checked, counts are bounded by the bytes left, enum
/// codes, flag bits, sort order and times (±10¹⁸ ms) are validated, and any violation throws a
/// ``SnapshotDecodingError`` with the field and byte offset. A version other than ``formatVersion`` is
/// rejected. `BookStatistics.oversoldUnits` is not stored: it is summed over the ledgers on demand.
public enum StockBookSnapshot {
    /// The format version this build writes and reads.
    public static let formatVersion: UInt32 = 1
    /// The first four bytes of every snapshot: "SSBK".
    public static let magic: [UInt8] = Array("SSBK".utf8)

    static let streamTimeFlag: UInt8 = 1 << 0
    static let watermarkSlotFlag: UInt8 = 1 << 1
    static let ledgerPart: UInt8 = 1 << 0
    static let alertStatePart: UInt8 = 1 << 1
    static let forecasterPart: UInt8 = 1 << 2
    static let watchedPart: UInt8 = 1 << 3
    /// The fewest bytes a SKU record takes: an empty SKU's length and the parts byte.
    static let minimumSKURecordBytes = 4 + 1

    static func code(of tier: Tier?) -> UInt8 {
        switch tier {
        case nil: 0
        case .traffic?: 1
        case .profit?: 2
        case .longtail?: 3
        }
    }

    static func tier(from reader: inout SnapshotReader, optional: Bool, _ what: String) throws(SnapshotDecodingError)
        -> Tier?
    {
        let start = reader.offset
        switch try reader.uint8(what) {
        case 0 where optional: return nil
        case 1: return .traffic
        case 2: return .profit
        case 3: return .longtail
        case let code: throw reader.error("\(what) has code \(code), not \(optional ? "0" : "1")–3", at: start)
        }
    }

    static func code(of level: AlertLevel?) -> UInt8 {
        switch level {
        case nil: 0
        case .notice?: 1
        case .warning?: 2
        case .critical?: 3
        }
    }

    static func alertLevel(from reader: inout SnapshotReader, optional: Bool = true, _ what: String)
        throws(SnapshotDecodingError) -> AlertLevel?
    {
        let start = reader.offset
        switch try reader.uint8(what) {
        case 0 where optional: return nil
        case 1: return .notice
        case 2: return .warning
        case 3: return .critical
        case let code: throw reader.error("\(what) has code \(code), not \(optional ? "0" : "1")–3", at: start)
        }
    }

    static func code(of status: OrderStatus) -> UInt8 {
        switch status {
        case .created: 1
        case .paid: 2
        case .cancelled: 3
        case .refunded: 4
        }
    }

    static func orderStatus(from reader: inout SnapshotReader, _ what: String) throws(SnapshotDecodingError)
        -> OrderStatus
    {
        let start = reader.offset
        switch try reader.uint8(what) {
        case 1: return .created
        case 2: return .paid
        case 3: return .cancelled
        case 4: return .refunded
        case let code: throw reader.error("\(what) has code \(code), not 1–4", at: start)
        }
    }
}

extension StockBook {
    /// The book's state as a ``StockBookSnapshot`` (format version ``StockBookSnapshot/formatVersion``):
    /// equal books give identical bytes. The policy is not included.
    public func snapshotBytes() -> [UInt8] {
        var writer = SnapshotWriter(reservingCapacity: 64 + skuStates.count * 320)
        writer.raw(StockBookSnapshot.magic)
        writer.uint32(StockBookSnapshot.formatVersion)
        writer.uint8(
            (streamTime != nil ? StockBookSnapshot.streamTimeFlag : 0)
                | (evaluatedWatermarkSlot != nil ? StockBookSnapshot.watermarkSlotFlag : 0))
        if let streamTime { writer.time(streamTime) }
        if let evaluatedWatermarkSlot { writer.int64(evaluatedWatermarkSlot) }
        writer.int(counters.eventsApplied)
        writer.int(counters.duplicatesDropped)
        writer.int(counters.freezes)
        writer.int(counters.unfreezes)
        writer.int(counters.lateEvents)
        let levels = counters.alertsByLevel.keys.sorted()
        writer.uint8(UInt8(levels.count))
        for level in levels {
            writer.uint8(StockBookSnapshot.code(of: level))
            writer.int(counters.alertsByLevel[level]!)
        }
        let tiers = accuracyByTier.keys.sorted { StockBookSnapshot.code(of: $0) < StockBookSnapshot.code(of: $1) }
        writer.uint8(UInt8(tiers.count))
        for tier in tiers {
            writer.uint8(StockBookSnapshot.code(of: tier))
            accuracyByTier[tier]!.writeSnapshot(to: &writer)
        }
        duplicateFilter.writeSnapshot(to: &writer)
        let order = skuStates.indices.filter { !skuStates[$0].parts.isEmpty }.sorted { skuStates[$0].sku < skuStates[$1].sku }
        writer.count(order.count)
        for index in order {
            let state = skuStates[index]
            writer.string(state.sku)
            writer.uint8(state.parts.rawValue)
            if state.parts.contains(.ledger) { state.ledger.writeSnapshot(to: &writer) }
            if state.parts.contains(.alertState) { state.alertState.writeSnapshot(to: &writer) }
            if state.parts.contains(.forecaster) { state.forecaster.writeSnapshot(to: &writer) }
        }
        return writer.bytes
    }

    /// Restores a book from ``snapshotBytes()``.
    ///
    /// - Parameters:
    ///   - bytes: a snapshot's bytes (an `EventLog` `Snapshot`'s `state`).
    ///   - policy: the policy from configuration; it is not in the snapshot, so a changed policy takes
    ///     effect from the restore on.
    /// - Throws: ``SnapshotDecodingError`` naming the bad field and its byte offset: a wrong magic, an
    ///   unknown version, a truncated or malformed field, trailing bytes. Never traps on bad bytes.
    public init(snapshot bytes: [UInt8], policy: PolicySet) throws(SnapshotDecodingError) {
        var reader = SnapshotReader(bytes)
        guard bytes.count >= 4, Array(bytes[0..<4]) == StockBookSnapshot.magic else {
            throw reader.error("the snapshot does not start with \"SSBK\": not a StockBook snapshot")
        }
        _ = try reader.uint32("the magic")
        let version = try reader.uint32("the format version")
        guard version == StockBookSnapshot.formatVersion else {
            throw reader.error(
                "snapshot format version \(version) is not supported; this build reads version "
                    + "\(StockBookSnapshot.formatVersion)",
                at: 4)
        }
        let flags = try reader.flags(
            "the book flags", allowed: StockBookSnapshot.streamTimeFlag | StockBookSnapshot.watermarkSlotFlag)
        let streamTime = flags & StockBookSnapshot.streamTimeFlag != 0 ? try reader.time("the stream time") : nil
        let slotBound = SnapshotReader.maximumTimeMagnitude / Self.watermarkEvaluationMilliseconds
        let slot = flags & StockBookSnapshot.watermarkSlotFlag != 0
            ? try reader.int64("the evaluated watermark slot", in: -slotBound...slotBound) : nil
        var counters = BookStatistics()
        counters.eventsApplied = try reader.counter("the applied-events counter")
        counters.duplicatesDropped = try reader.counter("the dropped-duplicates counter")
        counters.freezes = try reader.counter("the freezes counter")
        counters.unfreezes = try reader.counter("the unfreezes counter")
        counters.lateEvents = try reader.counter("the late-events counter")
        let levelCount = Int(try reader.uint8("the alerts-by-level count"))
        var previousLevel: UInt8 = 0
        for _ in 0..<levelCount {
            let start = reader.offset
            guard let level = try StockBookSnapshot.alertLevel(from: &reader, optional: false, "an alerts-by-level level")
            else { throw reader.error("an alerts-by-level entry has no level", at: start) }
            let code = StockBookSnapshot.code(of: level)
            guard code > previousLevel else {
                throw reader.error("alerts-by-level entry \(level.rawValue) is out of order or repeated", at: start)
            }
            previousLevel = code
            counters.alertsByLevel[level] = try reader.counter("the \(level.rawValue) alert count")
        }
        let tierCount = Int(try reader.uint8("the accuracy-by-tier count"))
        var accuracyByTier: [Tier: ForecastAccuracy] = [:]
        var previousTier: UInt8 = 0
        for _ in 0..<tierCount {
            let start = reader.offset
            guard let tier = try StockBookSnapshot.tier(from: &reader, optional: false, "an accuracy-by-tier tier") else {
                throw reader.error("an accuracy-by-tier entry has no tier", at: start)
            }
            let code = StockBookSnapshot.code(of: tier)
            guard code > previousTier else {
                throw reader.error("accuracy-by-tier entry \(tier.rawValue) is out of order or repeated", at: start)
            }
            previousTier = code
            accuracyByTier[tier] = try ForecastAccuracy(snapshotFrom: &reader, "tier \(tier.rawValue)")
        }
        let duplicateFilter = try DuplicateFilter(snapshotFrom: &reader)

        self.init(policy: policy, duplicateWindow: 0)
        self.duplicateFilter = duplicateFilter
        self.counters = counters
        self.accuracyByTier = accuracyByTier
        self.streamTime = streamTime
        self.evaluatedWatermarkSlot = slot

        let skuCount = try reader.count("the SKU count", minimumElementBytes: StockBookSnapshot.minimumSKURecordBytes)
        var previousSKU: String?
        for _ in 0..<skuCount {
            let start = reader.offset
            let sku = try reader.string("a SKU")
            if let previousSKU, !(previousSKU < sku) {
                throw reader.error("SKU \"\(sku)\" is not after \"\(previousSKU)\": SKUs must be sorted and unique", at: start)
            }
            previousSKU = sku
            let partsStart = reader.offset
            let parts = try reader.flags("the parts of SKU \"\(sku)\"", allowed: 0x0F)
            guard parts != 0 else { throw reader.error("SKU \"\(sku)\" has no parts", at: partsStart) }
            var state = SKUState(sku: sku)
            state.parts = SKUState.Parts(rawValue: parts)
            if parts & StockBookSnapshot.ledgerPart != 0 {
                state.ledger = try SKULedger(snapshotOf: sku, from: &reader)
            }
            if parts & StockBookSnapshot.alertStatePart != 0 {
                state.alertState = try AlertState(snapshotOf: sku, from: &reader)
            }
            if parts & StockBookSnapshot.forecasterPart != 0 {
                state.forecaster = try Forecaster(snapshotOf: sku, from: &reader)
            }
            if parts & StockBookSnapshot.watchedPart != 0 { watchedSKUs.insert(sku) }
            _ = skuIndex.append(sku)  // sorted and unique, checked above
            skuStates.append(state)
        }
        guard reader.remaining == 0 else {
            throw reader.error("\(reader.remaining) bytes follow the last SKU record")
        }
    }
}
