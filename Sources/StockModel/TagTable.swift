/// An open-addressing table of (32-bit tag, slot) entries over an array of keys kept elsewhere:
/// the index behind ``DuplicateFilter`` (slots in its ring of event IDs) and ``SKUIndex`` (positions
/// of SKU states).
///
/// 8 bytes an entry: the tag (the high 32 bits of the key's ``StringFingerprint``) above slot + 1;
/// 0 is empty. Linear probing; the owner keeps it at most half full by calling ``grow()``. An
/// entry's home bucket is its tag's top bits, so growing re-places entries without hashing keys again.
/// A tag match only nominates a slot: the owner confirms it by comparing the key.
struct TagTable: Sendable {
    private var entries: [UInt64]
    private var bits: Int

    /// A table of at least `minimumBuckets` buckets (a power of two, at least 16).
    init(minimumBuckets: Int) {
        var bits = 4
        while 1 << bits < minimumBuckets { bits += 1 }
        self.bits = bits
        self.entries = Array(repeating: 0, count: 1 << bits)
    }

    /// The number of buckets; the owner grows the table before its entries exceed half of them.
    var bucketCount: Int { entries.count }

    /// The tag of `key`.
    static func tag(_ key: String) -> UInt64 { StringFingerprint.of(key) >> 32 }

    /// The first slot under `tag` for which `matches` holds, nil when none does.
    func slot(tag: UInt64, where matches: (Int) -> Bool) -> Int? {
        let mask = entries.count - 1
        var bucket = home(tag)
        while true {
            let entry = entries[bucket]
            if entry == 0 { return nil }
            if entry >> 32 == tag, matches(Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1) {
                return Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// Adds `slot` under `tag`. Slots are stored in 32 bits.
    mutating func insert(tag: UInt64, slot: Int) {
        precondition(slot >= 0 && slot < Int(UInt32.max) - 1, "a tag table slot outgrew 32 bits")
        place(tag << 32 | UInt64(slot + 1))
    }

    /// Removes the entry of `slot` under `tag`, which must be present, shifting later entries of
    /// its probe run back so no lookup stops early.
    mutating func remove(tag: UInt64, slot: Int) {
        let mask = entries.count - 1
        let wanted = tag << 32 | UInt64(slot + 1)
        var hole = home(tag)
        while entries[hole] != wanted {
            precondition(entries[hole] != 0, "a remembered key is missing from its tag table")
            hole = (hole + 1) & mask
        }
        var next = (hole + 1) & mask
        while entries[next] != 0 {
            let entry = entries[next]
            let home = home(entry >> 32)
            // The entry may move into the hole when its home is not in (hole, next], cyclically.
            if (hole - home) & mask < (next - home) & mask {
                entries[hole] = entry
                hole = next
            }
            next = (next + 1) & mask
        }
        entries[hole] = 0
    }

    /// Doubles the buckets (up to 2^32).
    mutating func grow() {
        let old = entries
        bits = min(bits + 1, 32)
        entries = Array(repeating: 0, count: 1 << bits)
        for entry in old where entry != 0 { place(entry) }
    }

    private func home(_ tag: UInt64) -> Int {
        Int(truncatingIfNeeded: tag >> (32 - UInt64(bits)))
    }

    private mutating func place(_ entry: UInt64) {
        let mask = entries.count - 1
        var bucket = home(entry >> 32)
        while entries[bucket] != 0 { bucket = (bucket + 1) & mask }
        entries[bucket] = entry
    }
}
