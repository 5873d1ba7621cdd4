import Testing

@testable import StockModel

@Suite struct DuplicateFilterTests {
    @Test("the fingerprint table answers exactly like a set of the last capacity distinct IDs")
    func matchesReferenceWindow() {
        var generator = SplitMix64(seed: 0x5EED)
        for capacity in [1, 2, 7, 100] {
            var filter = DuplicateFilter(capacity: capacity)
            var ring: [String] = []
            for _ in 0..<5_000 {
                let id = "event-\(generator.next() % UInt64(capacity * 3))"
                let expected = !ring.contains(id)
                if expected {
                    ring.append(id)
                    if ring.count > capacity { ring.removeFirst() }
                }
                let inserted = filter.insert(id)
                #expect(inserted == expected, "capacity \(capacity), id \(id), seed 0x5EED")
                #expect(filter.idsOldestFirst == ring)
            }
        }
    }

    @Test("IDs of every length up to and past a word are told apart")
    func lengths() {
        var filter = DuplicateFilter(capacity: 1_000)
        let ids = (0...40).map { String(repeating: "a", count: $0) } + (0...40).map { String(repeating: "a", count: $0) + "b" }
        let first = ids.map { filter.insert($0) }
        let second = ids.map { filter.insert($0) }
        #expect(first.allSatisfy { $0 })
        #expect(second.allSatisfy { !$0 })
    }
}
