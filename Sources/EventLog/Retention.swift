/// Removes log segments that no kept snapshot needs.
///
/// A segment is needed when it holds any position at or after the oldest kept snapshot's log
/// position: recovery may fall back to that snapshot and replay from there. The newest segment
/// is never removed (the writer appends to it). With no snapshot, nothing is removed: the whole
/// log is the only way to rebuild the state.
public enum Retention {
    /// Removes the segments no snapshot in `snapshotStore` needs, and syncs the directory.
    ///
    /// Snapshots are counted by file name, so a kept snapshot that fails its checksum still keeps
    /// its segments: the fallback past it needs them.
    /// - Returns: The removed segments, oldest first.
    @discardableResult
    public static func removeUnneededSegments(directory: String, snapshotStore: SnapshotStore) throws -> [Segment] {
        guard let oldest = try snapshotStore.files().last else { return [] }
        return try removeSegments(directory: directory, entirelyBefore: oldest.logPosition)
    }

    /// Removes every segment whose records all lie before `position`, never the newest.
    /// - Returns: The removed segments, oldest first.
    @discardableResult
    public static func removeSegments(directory: String, entirelyBefore position: LogPosition) throws -> [Segment] {
        let segments = try Segment.list(in: directory)
        var removed: [Segment] = []
        // Segment i ends where segment i+1 begins.
        for (segment, next) in zip(segments, segments.dropFirst()) where next.basePosition <= position {
            try LogFile.remove(segment.path)
            removed.append(segment)
        }
        if !removed.isEmpty { try LogFile.synchronizeDirectory(directory) }
        return removed
    }
}
