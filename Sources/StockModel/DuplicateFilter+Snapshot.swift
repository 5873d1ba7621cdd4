extension DuplicateFilter {
    /// The remembered IDs, oldest first: the order in which they will be evicted.
    var idsOldestFirst: [String] {
        ring.count < capacity ? ring : Array(ring[nextSlot...] + ring[..<nextSlot])
    }

    /// Writes the capacity, the count and the IDs oldest first.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        writer.int(capacity)
        let ids = idsOldestFirst
        writer.count(ids.count)
        for id in ids { writer.string(id) }
    }

    /// Reads what ``writeSnapshot(to:)`` wrote; the restored filter evicts in the same order as the original.
    init(snapshotFrom reader: inout SnapshotReader) throws(SnapshotDecodingError) {
        let capacity = try reader.counter("the duplicate window capacity")
        self.init(capacity: capacity)
        let start = reader.offset
        let count = try reader.count("the duplicate window's ID count", minimumElementBytes: 4)
        guard count <= capacity else {
            throw reader.error("the duplicate window holds \(count) IDs, more than its capacity \(capacity)", at: start)
        }
        ring.reserveCapacity(count)
        for _ in 0..<count {
            let idStart = reader.offset
            let id = try reader.string("a remembered event ID")
            guard insert(id) else {
                throw reader.error("event ID \"\(id)\" is in the duplicate window twice", at: idStart)
            }
        }
        nextSlot = 0
    }
}
