extension SignalRates {
    /// Bits 0–3: the 1, 5, 15 and 30 minute windows that were ever updated; bit 4: they share one update time.
    private static let sharedTimeFlag: UInt8 = 1 << 4

    private static var windows: [WritableKeyPath<SignalRates, RateWindow>] {
        [\.oneMinute, \.fiveMinutes, \.fifteenMinutes, \.thirtyMinutes]
    }

    /// Writes a presence mask, then each updated window's time and count (the time once when all share it,
    /// as they do when every update reached all four windows). A window never updated holds a zero count.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        let windows = Self.windows.map { self[keyPath: $0] }
        var mask: UInt8 = 0
        for (index, window) in windows.enumerated() where window.updatedAt != nil { mask |= 1 << UInt8(index) }
        let times = Set(windows.compactMap(\.updatedAt))
        if times.count == 1 { mask |= Self.sharedTimeFlag }
        writer.uint8(mask)
        if times.count == 1 { writer.time(times.first!) }
        for window in windows {
            guard let updatedAt = window.updatedAt else { continue }
            if times.count != 1 { writer.time(updatedAt) }
            writer.double(window.decayedCount)
        }
    }

    /// Reads what ``writeSnapshot(to:)`` wrote.
    init(snapshotFrom reader: inout SnapshotReader, _ what: String) throws(SnapshotDecodingError) {
        self.init()
        let start = reader.offset
        let mask = try reader.flags("the window mask of \(what)", allowed: 0x1F)
        let present = mask & 0x0F
        let shared = mask & Self.sharedTimeFlag != 0
        if shared && present == 0 {
            throw reader.error("the window mask of \(what) shares a time among no windows", at: start)
        }
        let sharedTime = shared ? try reader.time("the update time of \(what)") : nil
        let names = ["1", "5", "15", "30"]
        for (index, keyPath) in Self.windows.enumerated() where present & (1 << UInt8(index)) != 0 {
            let updatedAt: EventTime
            if let sharedTime {
                updatedAt = sharedTime
            } else {
                updatedAt = try reader.time("the \(names[index])-minute window time of \(what)")
            }
            self[keyPath: keyPath].updatedAt = updatedAt
            self[keyPath: keyPath].decayedCount = try reader.double("the \(names[index])-minute window count of \(what)")
        }
    }
}
