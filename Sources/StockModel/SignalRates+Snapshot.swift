extension SignalRates {
    /// Bits 0–3: the 1, 5, 15 and 30 minute windows that were ever updated; bit 4: they share one update time.
    private static let sharedTimeFlag: UInt8 = 1 << 4

    /// Writes a presence mask, then the shared update time and the four counts (nothing when never
    /// updated). Earlier builds kept a time per window and wrote the same bytes for these states.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        guard isUpdated else {
            writer.uint8(0)
            return
        }
        writer.uint8(0x0F | Self.sharedTimeFlag)
        writer.time(EventTime(millisecondsSinceEpoch: updatedAtMilliseconds))
        writer.double(oneMinuteCount)
        writer.double(fiveMinuteCount)
        writer.double(fifteenMinuteCount)
        writer.double(thirtyMinuteCount)
    }

    /// Reads what ``writeSnapshot(to:)`` wrote: no window, or all four with one shared time, the only
    /// states a fold produces (every update reaches all four windows).
    init(snapshotFrom reader: inout SnapshotReader, _ what: @autoclosure () -> String) throws(SnapshotDecodingError) {
        self.init()
        let start = reader.offset
        let mask = try reader.flags("the window mask of \(what())", allowed: 0x1F)
        guard mask != 0 else { return }
        guard mask == 0x0F | Self.sharedTimeFlag else {
            throw reader.error(
                "the window mask of \(what()) is \(mask); a signal's windows are all updated at one time or not at all",
                at: start)
        }
        updatedAtMilliseconds = try reader.time("the update time of \(what())").millisecondsSinceEpoch
        isUpdated = true
        oneMinuteCount = try reader.double("the 1-minute window count of \(what())")
        fiveMinuteCount = try reader.double("the 5-minute window count of \(what())")
        fifteenMinuteCount = try reader.double("the 15-minute window count of \(what())")
        thirtyMinuteCount = try reader.double("the 30-minute window count of \(what())")
    }
}
