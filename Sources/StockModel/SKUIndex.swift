/// Where each SKU's state is in `StockBook`'s contiguous state array.
///
/// An open-addressing table of (32-bit fingerprint tag, position + 1) entries, at most half full,
/// beside the SKU strings by position: a lookup hashes the SKU once with ``StringFingerprint`` and
/// confirms a tag match by comparing the string, so it is exact. It replaced a `[String: Int]`, whose
/// SipHash per lookup was the largest cost of finding a SKU, and takes ~33 bytes a SKU instead of ~50.
struct SKUIndex: Sendable {
    private var table: [UInt64] = Array(repeating: 0, count: 16)
    private var tableBits = 4
    /// The SKU at each position, in order of first sight.
    private(set) var skus: [String] = []

    /// The number of SKUs indexed.
    var count: Int { skus.count }

    /// The position of `sku`, nil when it is not indexed.
    func position(of sku: String) -> Int? {
        let tag = StringFingerprint.of(sku) >> 32
        let mask = table.count - 1
        var bucket = home(tag)
        while true {
            let entry = table[bucket]
            if entry == 0 { return nil }
            if entry >> 32 == tag {
                let position = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
                if skus[position] == sku { return position }
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// Indexes `sku`, which must not be indexed yet, at the next position (``count``); returns it.
    mutating func append(_ sku: String) -> Int {
        let position = skus.count
        // Positions are stored in 32 bits: 4 billion SKUs would take terabytes of state first.
        precondition(position < Int(UInt32.max) - 1, "the SKU index outgrew 32-bit positions")
        skus.append(sku)
        if skus.count * 2 > table.count { resize(bits: tableBits + 1) }
        place((StringFingerprint.of(sku) >> 32) << 32 | UInt64(position + 1))
        return position
    }

    /// The home bucket: the tag's top bits, so growing re-places entries without hashing again.
    private func home(_ tag: UInt64) -> Int {
        Int(truncatingIfNeeded: tag >> (32 - UInt64(tableBits)))
    }

    private mutating func place(_ entry: UInt64) {
        let mask = table.count - 1
        var bucket = home(entry >> 32)
        while table[bucket] != 0 { bucket = (bucket + 1) & mask }
        table[bucket] = entry
    }

    private mutating func resize(bits: Int) {
        let old = table
        tableBits = min(bits, 32)
        table = Array(repeating: 0, count: 1 << tableBits)
        for entry in old where entry != 0 { place(entry) }
    }
}
