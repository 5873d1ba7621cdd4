import Testing

@testable import StockModel

@Suite struct SKUIndexTests {
    @Test("positions come back for every SKU across growth, and unknown SKUs are absent")
    func positions() {
        var index = SKUIndex()
        // Short (inline) and long strings, non-ASCII, and SKUs that differ only in their last byte.
        let skus = (0..<50_000).map { n in
            switch n % 4 {
            case 0: "SKU-\(n)"
            case 1: "a-much-longer-sku-name-that-is-stored-on-the-heap-\(n)"
            case 2: "款-\(n)"
            default: "X\(n / 4)"
            }
        }
        for (position, sku) in skus.enumerated() {
            #expect(index.position(of: sku) == nil)
            #expect(index.append(sku) == position)
        }
        #expect(index.count == skus.count)
        var misplaced = 0
        for (position, sku) in skus.enumerated() where index.position(of: sku) != position { misplaced += 1 }
        #expect(misplaced == 0)
        for n in 0..<1_000 {
            #expect(index.position(of: "SKU-\(n)-other") == nil)
            #expect(index.position(of: "X\(50_000 + n)") == nil)
        }
        #expect(index.position(of: "") == nil)
    }
}
