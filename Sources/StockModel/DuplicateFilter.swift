/// Remembers the last `capacity` distinct event IDs: a FIFO ring of the IDs plus a ``TagTable`` of
/// ring slots (8 bytes an entry), so memory is bounded and a lookup hashes the ID once.
///
/// Exact: a tag match is confirmed by comparing the full ID kept in the ring, so two IDs that share
/// a tag are never taken for duplicates. The fingerprint is a fixed function of
/// the ID's UTF-8 bytes (no per-process seed), so the table's layout is deterministic too.
struct DuplicateFilter: Sendable {
    let capacity: Int
    /// The remembered IDs; once full, `nextSlot` is the oldest and is evicted next.
    var ring: [String] = []
    var nextSlot = 0
    /// Ring slots by the ID's tag.
    private var table: TagTable

    /// Creates a filter; a capacity ≤ 0 remembers nothing.
    init(capacity: Int) {
        self.capacity = max(0, capacity)
        ring.reserveCapacity(min(self.capacity, 1 << 16))
        table = TagTable(minimumBuckets: self.capacity > 0 ? 2 * min(self.capacity, 1 << 16) : 0)
    }

    /// The number of IDs remembered now; never more than `capacity`.
    var count: Int { ring.count }

    /// Records `eventID`; returns false when it was already among the remembered IDs.
    mutating func insert(_ eventID: String) -> Bool {
        guard capacity > 0 else { return true }
        let tag = TagTable.tag(eventID)
        if table.slot(tag: tag, where: { ring[$0] == eventID }) != nil { return false }
        let slot: Int
        if ring.count < capacity {
            slot = ring.count
            ring.append(eventID)
            if ring.count * 2 > table.bucketCount { table.grow() }
        } else {
            slot = nextSlot
            table.remove(tag: TagTable.tag(ring[slot]), slot: slot)
            ring[slot] = eventID
            nextSlot = (nextSlot + 1) % capacity
        }
        table.insert(tag: tag, slot: slot)
        return true
    }
}
