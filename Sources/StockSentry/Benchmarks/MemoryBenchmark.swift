import StockModel

/// Resident bytes per active SKU, measured before any other scenario allocates (freed memory
/// stays resident, so a later measurement would undercount): each SKU gets its opening stock, an order created and paid, a
/// cart add and a like, as an active SKU in a live room would.
enum MemoryBenchmark {
    static func run(_ configuration: BenchmarkConfiguration, into report: inout BenchmarkReport) {
        let count = max(1, configuration.memorySKUs)
        let before = ProcessMemory.residentBytes ?? 0
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        let start = ContinuousClock.now
        for index in 0..<count {
            let sku = "SKU-\(index)"
            let time = EventTime(millisecondsSinceEpoch: 1_795_000_000_000 + Int64(index))
            let events: [StockEvent] = [
                .inventory(InventoryEvent(eventID: "i\(index)", sku: sku, kind: .set, quantity: 100, time: time, tier: .profit)),
                .cart(CartEvent(eventID: "c\(index)", sku: sku, action: .add, quantity: 1, time: time)),
                .interaction(InteractionEvent(eventID: "l\(index)", sku: sku, kind: .like, time: time)),
                .order(OrderEvent(eventID: "oc\(index)", orderID: "o\(index)", sku: sku, quantity: 1, status: .created, time: time)),
                .order(OrderEvent(eventID: "op\(index)", orderID: "o\(index)", sku: sku, quantity: 1, status: .paid, time: time)),
            ]
            for event in events {
                outputs.removeAll(keepingCapacity: true)
                _ = book.apply(event, outputs: &outputs)
            }
        }
        let elapsed = start.duration(to: .now).seconds
        let after = ProcessMemory.residentBytes ?? 0
        let perSKU = Double(after - before) / Double(count)
        report.add(.memory, "SKUs", Double(count), "SKUs", "5 events each, \(Int(Double(count * 5) / elapsed)) events/s to build")
        report.add(.memory, "resident per SKU", perSKU, "bytes",
                   "RSS growth ÷ SKUs, measured first in a fresh process; includes the bounded 200k event-id window; goal ≤ 1024")
        report.add(.memory, "projected for 1M SKUs", perSKU * 1_000_000 / 1_048_576, "MiB", "goal ≤ 1024")
        withExtendedLifetime(book) {}
    }
}
