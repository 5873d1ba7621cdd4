import Testing

@testable import StockModel

@Suite struct SKULedgerTests {
    /// One row: the statuses of one order of 3 units, in arrival order, and the expected ledger after them.
    struct StatusSequence: Sendable, CustomTestStringConvertible {
        var statuses: [OrderStatus]
        var sold: Int64
        var reserved: Int64
        var ignored: Int
        var testDescription: String { statuses.map(\.rawValue).joined(separator: " → ") }
    }

    static let sequences: [StatusSequence] = [
        StatusSequence(statuses: [.created], sold: 0, reserved: 3, ignored: 0),
        StatusSequence(statuses: [.created, .paid], sold: 3, reserved: 0, ignored: 0),
        StatusSequence(statuses: [.paid], sold: 3, reserved: 0, ignored: 0),
        StatusSequence(statuses: [.created, .cancelled], sold: 0, reserved: 0, ignored: 0),
        StatusSequence(statuses: [.created, .paid, .cancelled], sold: 0, reserved: 0, ignored: 0),
        StatusSequence(statuses: [.created, .paid, .refunded], sold: 0, reserved: 0, ignored: 0),
        StatusSequence(statuses: [.paid, .refunded], sold: 0, reserved: 0, ignored: 0),
        StatusSequence(statuses: [.created, .refunded], sold: 0, reserved: 0, ignored: 0),
        StatusSequence(statuses: [.created, .created], sold: 0, reserved: 3, ignored: 1),
        StatusSequence(statuses: [.created, .paid, .paid], sold: 3, reserved: 0, ignored: 1),
        StatusSequence(statuses: [.paid, .created], sold: 3, reserved: 0, ignored: 1),
        StatusSequence(statuses: [.cancelled, .paid], sold: 0, reserved: 0, ignored: 1),
        StatusSequence(statuses: [.cancelled, .created, .paid], sold: 0, reserved: 0, ignored: 2),
        StatusSequence(statuses: [.refunded, .cancelled], sold: 0, reserved: 0, ignored: 1),
        StatusSequence(statuses: [.created, .paid, .cancelled, .refunded], sold: 0, reserved: 0, ignored: 1),
    ]

    @Test("each order moves through its statuses once", arguments: sequences)
    func statusSequence(_ sequence: StatusSequence) {
        var ledger = SKULedger(sku: "SKU-1")
        ledger.apply(TestEvents.inventory("i1", .set, 10))
        for (index, status) in sequence.statuses.enumerated() {
            ledger.apply(TestEvents.order("e\(index)", order: "o1", quantity: 3, status, at: Int64(index)))
        }
        #expect(ledger.sold == sequence.sold)
        #expect(ledger.reserved == sequence.reserved)
        #expect(ledger.ignoredOrderStatuses == sequence.ignored)
        #expect(ledger.available == 10 - sequence.sold - sequence.reserved)
    }

    @Test("paid after created moves units from reserved to sold")
    func paidAfterCreated() {
        var ledger = SKULedger(sku: "SKU-1")
        ledger.apply(TestEvents.inventory("i1", .set, 100))
        ledger.apply(TestEvents.order("e1", order: "o1", quantity: 4, .created))
        #expect(ledger.reserved == 4)
        #expect(ledger.available == 96)
        ledger.apply(TestEvents.order("e2", order: "o1", quantity: 4, .paid))
        #expect(ledger.reserved == 0)
        #expect(ledger.sold == 4)
        #expect(ledger.available == 96)
        #expect(ledger.paidUnitsTotal == 4)
        #expect(ledger.reservedUnitsTotal == 4)
    }

    @Test("the first status fixes the order's quantity")
    func quantityFixedByFirstStatus() {
        var ledger = SKULedger(sku: "SKU-1")
        ledger.apply(TestEvents.order("e1", order: "o1", quantity: 2, .created))
        ledger.apply(TestEvents.order("e2", order: "o1", quantity: 5, .paid))
        #expect(ledger.sold == 2)
        #expect(ledger.reserved == 0)
    }

    @Test("a cancel before payment releases the reservation and after payment returns the units")
    func cancelCounters() {
        var ledger = SKULedger(sku: "SKU-1")
        ledger.apply(TestEvents.inventory("i1", .set, 10))
        ledger.apply(TestEvents.order("e1", order: "o1", quantity: 2, .created))
        ledger.apply(TestEvents.order("e2", order: "o1", quantity: 2, .cancelled))
        ledger.apply(TestEvents.order("e3", order: "o2", quantity: 3, .paid))
        ledger.apply(TestEvents.order("e4", order: "o2", quantity: 3, .cancelled))
        ledger.apply(TestEvents.order("e5", order: "o3", quantity: 1, .paid))
        ledger.apply(TestEvents.order("e6", order: "o3", quantity: 1, .refunded))
        #expect(ledger.available == 10)
        #expect(ledger.cancelledUnits == 5)
        #expect(ledger.refundedUnits == 1)
        #expect(ledger.orders["o2"]?.status == .cancelled)
    }

    @Test("a repeated or out-of-order status reports that it changed nothing")
    func applyReturnsWhetherItChanged() {
        var ledger = SKULedger(sku: "SKU-1")
        let first = ledger.apply(TestEvents.order("e1", order: "o1", .paid))
        let outOfOrder = ledger.apply(TestEvents.order("e2", order: "o1", .created))
        let repeated = ledger.apply(TestEvents.order("e3", order: "o1", .paid))
        #expect(first)
        #expect(!outOfOrder)
        #expect(!repeated)
    }

    @Test("inventory records set, receive, adjust and damage stock")
    func inventoryKinds() {
        var ledger = SKULedger(sku: "SKU-1")
        #expect(!ledger.hasStock)
        ledger.apply(TestEvents.inventory("i1", .set, 50, tier: .traffic))
        #expect(ledger.hasStock)
        #expect(ledger.tier == .traffic)
        ledger.apply(TestEvents.inventory("i2", .receive, 20))
        ledger.apply(TestEvents.inventory("i3", .adjust, -5))
        ledger.apply(TestEvents.inventory("i4", .damage, 3))
        #expect(ledger.stock == 62)
        #expect(ledger.receivedUnits == 20)
        #expect(ledger.adjustedUnits == -5)
        #expect(ledger.damagedUnits == 3)
        #expect(ledger.tier == .traffic)
        ledger.apply(TestEvents.inventory("i5", .set, 7))
        #expect(ledger.stock == 7)
    }

    @Test("available, sell-through and oversold follow the ledger formulas")
    func derivedNumbers() {
        var ledger = SKULedger(sku: "SKU-1")
        #expect(ledger.sellThrough == 0)
        ledger.apply(TestEvents.inventory("i1", .set, 10))
        ledger.apply(TestEvents.order("e1", order: "o1", quantity: 6, .paid))
        ledger.apply(TestEvents.order("e2", order: "o2", quantity: 2, .created))
        #expect(ledger.available == 2)
        #expect(ledger.sellThrough == 0.75)  // 6 ÷ (6 + 2)
        #expect(ledger.oversold == 0)
        ledger.apply(TestEvents.order("e3", order: "o3", quantity: 5, .paid))
        #expect(ledger.available == -3)
        #expect(ledger.oversold == 3)
        #expect(ledger.sellThrough == 11.0 / 8.0)
    }

    @Test("orders for a SKU with no inventory make it oversold")
    func ordersWithoutInventory() {
        var ledger = SKULedger(sku: "SKU-1")
        ledger.apply(TestEvents.order("e1", order: "o1", quantity: 2, .paid))
        #expect(!ledger.hasStock)
        #expect(ledger.oversold == 2)
        #expect(ledger.sellThrough == 0)  // denominator 2 + (−2) ≤ 0
    }

    @Test("saturating arithmetic never traps")
    func saturation() {
        #expect(SKULedger.saturatingAdd(.max, 1) == .max)
        #expect(SKULedger.saturatingAdd(.min, -1) == .min)
        #expect(SKULedger.saturatingAdd(2, 3) == 5)
        #expect(SKULedger.saturatingSubtract(0, .min) == .max)
        #expect(SKULedger.saturatingSubtract(.min, 1) == .min)
        #expect(SKULedger.saturatingSubtract(5, 3) == 2)
    }

    @Test("hand-built events with extreme quantities never trap")
    func extremeQuantities() {
        var ledger = SKULedger(sku: "SKU-1")
        ledger.apply(TestEvents.inventory("i1", .damage, .min))
        ledger.apply(TestEvents.inventory("i2", .adjust, .max))
        ledger.apply(TestEvents.order("e1", order: "o1", quantity: .min, .created))
        ledger.apply(TestEvents.order("e2", order: "o1", quantity: .min, .paid))
        ledger.apply(TestEvents.order("e3", order: "o1", quantity: .min, .refunded))
        _ = (ledger.available, ledger.oversold, ledger.sellThrough)
    }
}

@Suite struct LedgerOrdersTests {
    /// Many orders on one SKU in random status order: the first is kept inline, the rest in the map,
    /// with the same results as a plain dictionary of orders.
    @Test("many orders per SKU go inline, then to the map, with the results of a plain dictionary")
    func manyOrders() throws {
        var random = SplitMix64(seed: 0x0D3E5)
        var ledger = SKULedger(sku: "SKU-1")
        var reference: [String: SKULedger.OrderState] = [:]
        var ignored = 0
        ledger.apply(TestEvents.inventory("i1", .set, 1_000))
        for index in 0..<500 {
            let orderID = "o\(random.next() % 40)"
            let status = OrderStatus.allCases[Int(random.next() % 4)]
            let quantity = Int64(random.next() % 5) + 1
            let previous = reference[orderID]
            if let previous, status.rank <= previous.status.rank {
                ignored += 1
            } else {
                reference[orderID] = SKULedger.OrderState(status: status, quantity: previous?.quantity ?? quantity)
            }
            ledger.apply(TestEvents.order("e\(index)", order: orderID, quantity: quantity, status, at: Int64(index)))
            #expect(ledger.orders.count == reference.count)
        }
        #expect(ledger.ignoredOrderStatuses == ignored)
        for (orderID, state) in reference { #expect(ledger.orders[orderID] == state) }
        #expect(ledger.orders["never-seen"] == nil)
        #expect(ledger.orders.sortedByID().map(\.orderID) == reference.keys.sorted())
        let sold = reference.values.filter { $0.status == .paid }.reduce(0) { $0 + $1.quantity }
        let reserved = reference.values.filter { $0.status == .created }.reduce(0) { $0 + $1.quantity }
        #expect(ledger.sold == sold)
        #expect(ledger.reserved == reserved)
    }

    @Test("orders are equal and snapshot the same whichever one is stored inline")
    func inlineOrderDoesNotShow() throws {
        var first = SKULedger(sku: "SKU-1")
        var second = SKULedger(sku: "SKU-1")
        let orders = [("b", OrderStatus.created, Int64(2)), ("a", .paid, 1), ("c", .cancelled, 4)]
        for (index, (orderID, status, quantity)) in orders.enumerated() {
            first.apply(TestEvents.order("f\(index)", order: orderID, quantity: quantity, status))
        }
        for (index, (orderID, status, quantity)) in orders.reversed().enumerated() {
            second.apply(TestEvents.order("s\(index)", order: orderID, quantity: quantity, status))
        }
        #expect(first == second)
        var firstWriter = SnapshotWriter()
        first.writeSnapshot(to: &firstWriter)
        var secondWriter = SnapshotWriter()
        second.writeSnapshot(to: &secondWriter)
        #expect(firstWriter.bytes == secondWriter.bytes)
        var reader = SnapshotReader(firstWriter.bytes)
        let restored = try SKULedger(snapshotOf: "SKU-1", from: &reader)
        #expect(restored == first)
        var one = SKULedger(sku: "SKU-1")
        one.apply(TestEvents.order("x", order: "a", quantity: 1, .paid))
        #expect(one != first)
    }
}
