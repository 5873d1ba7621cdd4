/// Remembers the last `capacity` distinct event IDs: a FIFO ring of the IDs plus an open-addressing
/// table of 32-bit fingerprint tags and ring slots (8 bytes an entry), so memory is bounded and an ID
/// is hashed once per insert.
///
/// Exact: a tag match is confirmed by comparing the full ID kept in the ring, so two IDs that share
/// a tag are never taken for duplicates. The fingerprint is a fixed function of
/// the ID's UTF-8 bytes (no per-process seed), so the table's layout is deterministic too.
struct DuplicateFilter: Sendable {
    let capacity: Int
    /// The remembered IDs; once full, `nextSlot` is the oldest and is evicted next.
    var ring: [String] = []
    var nextSlot = 0
    /// Linear-probing table, 2^`tableBits` long and at most half full. An entry is 0 when empty, else
    /// the fingerprint's high 32 bits (its tag) above (ring slot + 1) in the low 32 bits. An entry's
    /// home bucket is its tag's top `tableBits` bits, so the table grows and shifts without rehashing.
    private var table: [UInt64] = []
    private var tableMask = 0
    private var tableBits = 0

    /// Creates a filter; a capacity ≤ 0 remembers nothing.
    init(capacity: Int) {
        self.capacity = max(0, capacity)
        ring.reserveCapacity(min(self.capacity, 1 << 16))
        var bits = 4
        while 1 << bits < 2 * min(self.capacity, 1 << 16) { bits += 1 }
        if self.capacity > 0 { resizeTable(bits: bits) }
    }

    /// The number of IDs remembered now; never more than `capacity`.
    var count: Int { ring.count }

    /// Records `eventID`; returns false when it was already among the remembered IDs.
    mutating func insert(_ eventID: String) -> Bool {
        guard capacity > 0 else { return true }
        let fingerprint = StringFingerprint.of(eventID)
        let tag = fingerprint >> 32
        var bucket = home(tag)
        while true {
            let entry = table[bucket]
            if entry == 0 { break }
            if entry >> 32 == tag && ring[Int(entry & 0xFFFF_FFFF) - 1] == eventID { return false }
            bucket = (bucket + 1) & tableMask
        }
        let slot: Int
        if ring.count < capacity {
            slot = ring.count
            // Ring slots are stored in 32 bits: 4 billion IDs would take 64 GiB of ring before this.
            precondition(slot < Int(UInt32.max), "the duplicate window outgrew 32-bit ring slots")
            ring.append(eventID)
            if ring.count * 2 > table.count { resizeTable(bits: tableBits + 1) }
        } else {
            slot = nextSlot
            remove(slot: slot)
            ring[slot] = eventID
            nextSlot = (nextSlot + 1) % capacity
        }
        // The eviction may have shifted entries, so probe again for a free bucket.
        table[emptyBucket(for: tag)] = tag << 32 | UInt64(slot + 1)
        return true
    }

    /// The home bucket of an entry with `tag` (the fingerprint's high 32 bits).
    private func home(_ tag: UInt64) -> Int {
        Int(truncatingIfNeeded: tag >> (32 - UInt64(tableBits)))
    }

    /// The first empty bucket on `tag`'s probe sequence.
    private func emptyBucket(for tag: UInt64) -> Int {
        var bucket = home(tag)
        while table[bucket] != 0 { bucket = (bucket + 1) & tableMask }
        return bucket
    }

    /// Removes ring slot `slot`'s entry, shifting later entries of its cluster back (no tombstones).
    private mutating func remove(slot: Int) {
        let tag = StringFingerprint.of(ring[slot]) >> 32
        let wanted = tag << 32 | UInt64(slot + 1)
        var hole = home(tag)
        while table[hole] != wanted {
            precondition(table[hole] != 0, "a remembered event ID is missing from the duplicate table")
            hole = (hole + 1) & tableMask
        }
        var next = (hole + 1) & tableMask
        while table[next] != 0 {
            let entry = table[next]
            let home = home(entry >> 32)
            // The entry may move into the hole when its home is not in (hole, next], cyclically.
            let distanceToNext = (next - home) & tableMask
            let distanceToHole = (hole - home) & tableMask
            if distanceToHole < distanceToNext {
                table[hole] = entry
                hole = next
            }
            next = (next + 1) & tableMask
        }
        table[hole] = 0
    }

    /// Rebuilds the table with 2^`bits` buckets (at most 2^32) from the old one's entries.
    private mutating func resizeTable(bits: Int) {
        let old = table
        tableBits = min(bits, 32)
        table = Array(repeating: 0, count: 1 << tableBits)
        tableMask = table.count - 1
        for entry in old where entry != 0 {
            table[emptyBucket(for: entry >> 32)] = entry
        }
    }
}
