/// Writes a task's snapshots atomically and keeps the newest `snapshotsToKeep`.
///
/// Files are named after the snapshot's log position, `%020llu.snapshot`, in the task directory.
/// A write goes to `<name>.tmp`, is fsynced, renamed over `<name>` and the directory fsynced:
/// a crash leaves either the old set of snapshots or the new one, plus at most a temp file that
/// readers ignore and the next write removes.
public struct SnapshotStore: Sendable {
    /// One snapshot file, known by name before it is read.
    public struct File: Hashable, Sendable {
        /// The log position in the file's name.
        public var logPosition: LogPosition
        /// The file's path.
        public var path: String
    }

    /// The file name extension of snapshots.
    public static let fileExtension = ".snapshot"
    /// The extension of a snapshot being written.
    public static let temporaryExtension = ".tmp"

    /// The task directory.
    public let directory: String
    /// How many snapshots to keep; older ones are removed after each write.
    ///
    /// Default: 3.
    public let snapshotsToKeep: Int

    /// A store over `directory`.
    /// - Parameters:
    ///   - directory: The task directory (created by the first write if missing).
    ///   - snapshotsToKeep: Snapshots to keep, at least 1. Default: 3.
    public init(directory: String, snapshotsToKeep: Int = 3) {
        precondition(snapshotsToKeep >= 1, "keep at least one snapshot")
        self.directory = directory
        self.snapshotsToKeep = snapshotsToKeep
    }

    /// The path a snapshot at `position` is stored at.
    public func path(for position: LogPosition) -> String {
        let digits = String(position.byteOffset)
        return directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + Self.fileExtension
    }

    /// Writes `snapshot` atomically, then removes snapshots beyond the newest `snapshotsToKeep`
    /// and leftover temp files.
    ///
    /// - Important: Write a snapshot only at a `logPosition` that is durable (`LogWriter.commit`
    ///   returned it or a later position), or recovery would find the log shorter than the snapshot.
    /// - Returns: The path written.
    /// - Throws: `diskFull` or `io`; the previous snapshots are then untouched.
    @discardableResult
    public func write(_ snapshot: Snapshot) throws -> String {
        try LogFile.createDirectory(directory)
        let finalPath = path(for: snapshot.logPosition)
        let temporaryPath = finalPath + Self.temporaryExtension
        do {
            let file = try LogFile.create(temporaryPath, truncating: true)
            try snapshot.encoded().withUnsafeBytes { try file.write($0, at: 0) }
            try file.synchronize()
            try file.close()
            try LogFile.rename(temporaryPath, to: finalPath)
        } catch {
            try? LogFile.remove(temporaryPath)
            throw error
        }
        try LogFile.synchronizeDirectory(directory)
        try removeExpired()
        return finalPath
    }

    /// The snapshot files, newest (highest log position) first. Temp files are not listed.
    public func files() throws -> [File] {
        try LogFile.entries(of: directory).compactMap { name -> File? in
            guard name.hasSuffix(Self.fileExtension) else { return nil }
            let digits = name.dropLast(Self.fileExtension.count)
            guard digits.count == 20, digits.allSatisfy(\.isASCII), let value = UInt64(digits) else { return nil }
            return File(logPosition: LogPosition(value), path: directory + "/" + name)
        }
        .sorted { $0.logPosition > $1.logPosition }
    }

    /// Reads and verifies one snapshot file.
    /// - Throws: `corrupted`, `unsupportedVersion` or `io`.
    public func load(_ file: File) throws -> Snapshot {
        let handle = try LogFile.openForReading(file.path)
        let size = try handle.size()
        let bytes = try handle.read(count: Int(size), at: 0)
        let snapshot = try Snapshot(decoding: bytes, path: file.path)
        guard snapshot.logPosition == file.logPosition else {
            throw EventLogError(
                code: .corrupted,
                message: "Snapshot reflects log position \(snapshot.logPosition) but is named for \(file.logPosition). "
                    + "It is skipped; recovery falls back to an older snapshot.",
                path: file.path)
        }
        return snapshot
    }

    /// The newest snapshot that passes its checks, and an error for each newer one that did not.
    /// - Returns: `snapshot` is nil when there is none (or none valid).
    /// - Throws: Only when the directory cannot be listed; bad snapshots are returned, not thrown.
    public func loadNewestValid() throws -> (snapshot: Snapshot?, rejected: [EventLogError]) {
        var rejected: [EventLogError] = []
        for file in try files() {
            do {
                return (try load(file), rejected)
            } catch let error as EventLogError {
                rejected.append(error)
            }
        }
        return (nil, rejected)
    }

    private func removeExpired() throws {
        var removed = false
        for file in try files().dropFirst(snapshotsToKeep) {
            try LogFile.remove(file.path)
            removed = true
        }
        for name in try LogFile.entries(of: directory) where name.hasSuffix(Self.fileExtension + Self.temporaryExtension) {
            try LogFile.remove(directory + "/" + name)
            removed = true
        }
        if removed { try LogFile.synchronizeDirectory(directory) }
    }
}
