import StockModel

/// Builders for events with explicit timestamps, shared by the suites.
enum TestEvents {
    static let start: Int64 = 1_795_422_600_000  // 2026-11-23T08:30:00Z

    static func time(_ secondsAfterStart: Int64) -> EventTime {
        EventTime(millisecondsSinceEpoch: start + secondsAfterStart * 1000)
    }

    static func order(
        _ eventID: String, order orderID: String, sku: String = "SKU-1", quantity: Int64 = 1, _ status: OrderStatus,
        at seconds: Int64 = 0
    ) -> OrderEvent {
        OrderEvent(eventID: eventID, orderID: orderID, sku: sku, quantity: quantity, status: status, time: time(seconds))
    }

    static func inventory(
        _ eventID: String, sku: String = "SKU-1", _ kind: InventoryKind, _ quantity: Int64, at seconds: Int64 = 0,
        tier: Tier? = nil
    ) -> InventoryEvent {
        InventoryEvent(eventID: eventID, sku: sku, kind: kind, quantity: quantity, time: time(seconds), tier: tier)
    }
}
