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

    /// The `.broken`, `.broken.1`, … copies torn-tail repairs made of `segment`, oldest (lowest number) first.
    static func brokenCopies(of segment: Segment, in directory: String) throws -> [(number: Int, path: String)] {
        let name = String(segment.path[segment.path.index(after: segment.path.lastIndex(of: "/") ?? segment.path.startIndex)...])
        let prefix = (segment.path.contains("/") ? name : segment.path) + ".broken"
        let copies = try LogFile.entries(of: directory).compactMap { entry -> (Int, String)? in
            guard entry.hasPrefix(prefix) else { return nil }
            let suffix = entry.dropFirst(prefix.count)
            if suffix.isEmpty { return (0, entry) }
            guard suffix.first == ".", let attempt = Int(suffix.dropFirst()) else { return nil }
            return (attempt, entry)
        }
        return copies.sorted { $0.0 < $1.0 }.map { ($0.0, directory + "/" + $0.1) }
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
            // The copies a torn-tail repair kept of this segment go with it.
            for copy in try brokenCopies(of: segment, in: directory) { try LogFile.remove(copy.path) }
            removed.append(segment)
        }
        if !removed.isEmpty { try LogFile.synchronizeDirectory(directory) }
        return removed
    }
}
