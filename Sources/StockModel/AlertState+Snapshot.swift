extension AlertState {
    private static let frozenFlag: UInt8 = 1 << 0
    private static let exposureLoweredFlag: UInt8 = 1 << 1
    private static let bannerShownFlag: UInt8 = 1 << 2
    private static let alertIDFlag: UInt8 = 1 << 3
    private static let clearSinceFlag: UInt8 = 1 << 4
    private static let evaluatedAtFlag: UInt8 = 1 << 5
    private static let allFlags: UInt8 = 0b0011_1111

    /// Writes the flags, the level and the optional fields that are present.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        var flags: UInt8 = 0
        if isFrozen { flags |= Self.frozenFlag }
        if isExposureLowered { flags |= Self.exposureLoweredFlag }
        if isBannerShown { flags |= Self.bannerShownFlag }
        if alertID != nil { flags |= Self.alertIDFlag }
        if clearSince != nil { flags |= Self.clearSinceFlag }
        if evaluatedAt != nil { flags |= Self.evaluatedAtFlag }
        writer.uint8(flags)
        writer.uint8(StockBookSnapshot.code(of: level))
        if let alertID { writer.string(alertID) }
        if let clearSince { writer.time(clearSince) }
        if let evaluatedAt { writer.time(evaluatedAt) }
    }

    /// Reads what ``writeSnapshot(to:)`` wrote.
    init(snapshotOf sku: String, from reader: inout SnapshotReader) throws(SnapshotDecodingError) {
        let flags = try reader.flags("the alert flags of SKU \"\(sku)\"", allowed: Self.allFlags)
        let level = try StockBookSnapshot.alertLevel(from: &reader, "the alert level of SKU \"\(sku)\"")
        let alertID = flags & Self.alertIDFlag != 0 ? try reader.string("the alert ID of SKU \"\(sku)\"") : nil
        self.init(level: level, alertID: alertID, isFrozen: flags & Self.frozenFlag != 0)
        isExposureLowered = flags & Self.exposureLoweredFlag != 0
        isBannerShown = flags & Self.bannerShownFlag != 0
        if flags & Self.clearSinceFlag != 0 { clearSince = try reader.time("the clear-since time of SKU \"\(sku)\"") }
        if flags & Self.evaluatedAtFlag != 0 { evaluatedAt = try reader.time("the evaluation time of SKU \"\(sku)\"") }
    }
}
