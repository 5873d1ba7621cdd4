extension SKULedger {
    private static let hasStockFlag: UInt8 = 1 << 0
    private static let hasNameFlag: UInt8 = 1 << 1
    /// The fewest bytes an order entry takes: an empty ID's length, the status, the quantity.
    private static let minimumOrderBytes = 4 + 1 + 8

    /// Writes the ledger's fields (not the SKU, which the book's record carries); orders sorted by ID.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        writer.uint8((hasStock ? Self.hasStockFlag : 0) | (name != nil ? Self.hasNameFlag : 0))
        writer.uint8(StockBookSnapshot.code(of: tier))
        if let name { writer.string(name) }
        for value in [
            stock, sold, reserved, receivedUnits, damagedUnits, adjustedUnits, cancelledUnits, refundedUnits,
            reservedUnitsTotal, paidUnitsTotal,
        ] {
            writer.int64(value)
        }
        writer.int(ignoredOrderStatuses)
        writer.count(orders.count)
        for (orderID, order) in orders.sortedByID() {
            writer.string(orderID)
            writer.uint8(StockBookSnapshot.code(of: order.status))
            writer.int64(order.quantity)
        }
    }

    /// Reads what ``writeSnapshot(to:)`` wrote.
    init(snapshotOf sku: String, from reader: inout SnapshotReader) throws(SnapshotDecodingError) {
        self.init(sku: sku)
        let flags = try reader.flags("the ledger flags of SKU \"\(sku)\"", allowed: Self.hasStockFlag | Self.hasNameFlag)
        hasStock = flags & Self.hasStockFlag != 0
        tier = try StockBookSnapshot.tier(from: &reader, optional: true, "the tier of SKU \"\(sku)\"")
        if flags & Self.hasNameFlag != 0 { name = try reader.string("the name of SKU \"\(sku)\"") }
        stock = try reader.int64("the stock of SKU \"\(sku)\"")
        sold = try reader.int64("the sold units of SKU \"\(sku)\"")
        reserved = try reader.int64("the reserved units of SKU \"\(sku)\"")
        receivedUnits = try reader.int64("the received units of SKU \"\(sku)\"")
        damagedUnits = try reader.int64("the damaged units of SKU \"\(sku)\"")
        adjustedUnits = try reader.int64("the adjusted units of SKU \"\(sku)\"")
        cancelledUnits = try reader.int64("the cancelled units of SKU \"\(sku)\"")
        refundedUnits = try reader.int64("the refunded units of SKU \"\(sku)\"")
        reservedUnitsTotal = try reader.int64("the total reserved units of SKU \"\(sku)\"")
        paidUnitsTotal = try reader.int64("the total paid units of SKU \"\(sku)\"")
        ignoredOrderStatuses = try reader.counter("the ignored order statuses of SKU \"\(sku)\"")
        let count = try reader.count("the order count of SKU \"\(sku)\"", minimumElementBytes: Self.minimumOrderBytes)
        var orders = Orders()
        var previousID: String?
        for _ in 0..<count {
            let start = reader.offset
            let orderID = try reader.string("an order ID of SKU \"\(sku)\"")
            if let previousID, !(previousID < orderID) {
                throw reader.error(
                    "order \"\(orderID)\" of SKU \"\(sku)\" is not after \"\(previousID)\": orders must be sorted and unique",
                    at: start)
            }
            previousID = orderID
            let status = try StockBookSnapshot.orderStatus(from: &reader, "the status of order \"\(orderID)\"")
            let quantity = try reader.int64("the quantity of order \"\(orderID)\"")
            orders.set(OrderState(status: status, quantity: quantity), for: orderID)
        }
        self.orders = orders
    }
}
