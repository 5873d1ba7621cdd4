/// Where each SKU's state is in `StockBook`'s contiguous state array.
///
/// A ``TagTable`` of positions beside the SKU strings by position: a lookup hashes the SKU once with
/// ``StringFingerprint`` and confirms a tag match by comparing the string, so it is exact. It
/// replaced a `[String: Int]`, whose SipHash per lookup was the largest cost of finding a SKU, and
/// takes ~33 bytes a SKU instead of ~50.
struct SKUIndex: Sendable {
    private var table = TagTable(minimumBuckets: 16)
    /// The SKU at each position, in order of first sight.
    private(set) var skus: [String] = []

    /// The number of SKUs indexed.
    var count: Int { skus.count }

    /// The position of `sku`, nil when it is not indexed.
    func position(of sku: String) -> Int? {
        table.slot(tag: TagTable.tag(sku), where: { skus[$0] == sku })
    }

    /// Indexes `sku`, which must not be indexed yet, at the next position (``count``); returns it.
    mutating func append(_ sku: String) -> Int {
        let position = skus.count
        skus.append(sku)
        if skus.count * 2 > table.bucketCount { table.grow() }
        table.insert(tag: TagTable.tag(sku), slot: position)
        return position
    }
}
