/// Decodes and validates one input record into a `StockEvent`, or says in words why it cannot.
///
/// Bad input is never thrown or crashed on: every problem becomes an `EventRejection` naming the field and
/// the value, which the service routes to the dead-letter topic. Unknown extra fields are allowed, so
/// upstream teams can add fields without breaking the processor.
public struct EventDecoder: Sendable {
    /// The largest accepted record value, in bytes.
    public var maximumRecordBytes: Int
    /// The deepest accepted JSON nesting; bounds the reader's recursion.
    public var maximumNestingDepth: Int
    /// The largest accepted `qty`; keeps ledger arithmetic far from `Int64` overflow.
    public static let maximumQuantity: Int64 = 1_000_000_000

    /// Creates a decoder.
    /// - Parameters:
    ///   - maximumRecordBytes: records larger than this are rejected. Default: 65 536.
    ///   - maximumNestingDepth: JSON nested deeper than this is rejected. Default: 32.
    public init(maximumRecordBytes: Int = 65_536, maximumNestingDepth: Int = 32) {
        self.maximumRecordBytes = maximumRecordBytes
        self.maximumNestingDepth = maximumNestingDepth
    }

    /// Decodes one record.
    /// - Parameters:
    ///   - value: the record value, a UTF-8 JSON object.
    ///   - key: the Kafka record key bytes, nil when absent; must equal the payload's `sku`.
    ///   - topic: which input the record came from.
    ///   - recordTimestamp: the Kafka record timestamp, used when the payload has no `ts`.
    /// - Returns: the event, or the reason it was rejected.
    public func decode(
        value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, topic: InputTopic, recordTimestamp: EventTime?
    ) -> Result<StockEvent, EventRejection> {
        do throws(EventRejection) {
            return .success(try decodeEvent(value: value, key: key, topic: topic, recordTimestamp: recordTimestamp))
        } catch {
            return .failure(error)
        }
    }

    /// Decodes one record given as byte arrays; see `decode(value:key:topic:recordTimestamp:)`.
    public func decode(
        value: [UInt8], key: [UInt8]?, topic: InputTopic, recordTimestamp: EventTime?
    ) -> Result<StockEvent, EventRejection> {
        value.withUnsafeBytes { valueBuffer in
            if let key {
                return key.withUnsafeBytes { keyBuffer in
                    decode(value: valueBuffer, key: keyBuffer, topic: topic, recordTimestamp: recordTimestamp)
                }
            }
            return decode(value: valueBuffer, key: nil, topic: topic, recordTimestamp: recordTimestamp)
        }
    }

    private func decodeEvent(
        value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, topic: InputTopic, recordTimestamp: EventTime?
    ) throws(EventRejection) -> StockEvent {
        guard value.count <= maximumRecordBytes else {
            throw EventRejection(reason: "record is \(value.count) bytes; the limit is \(maximumRecordBytes)")
        }
        let parsed: JSONValue
        do throws(JSONReader.SyntaxError) {
            parsed = try JSONReader.parse(value, maximumDepth: maximumNestingDepth)
        } catch {
            throw EventRejection(reason: "not valid JSON: \(error.message)")
        }
        guard case .object(let object) = parsed else {
            throw EventRejection(reason: "payload must be a JSON object, got \(parsed.shortDescription)")
        }
        let fields = PayloadFields(object: object)
        let eventID = try fields.requiredNonEmptyString("event_id")
        let sku = try fields.requiredNonEmptyString("sku")
        try checkKey(key, sku: sku)
        let time = try fields.time(recordTimestamp: recordTimestamp)
        switch topic {
        case .orders:
            let orderID = try fields.requiredNonEmptyString("order_id")
            let quantity = try fields.quantity(minimum: 1, rule: "an integer ≥ 1")
            let status: OrderStatus = try fields.requiredEnum("status")
            let price = try fields.optionalNumber("price")
            if let price, price < 0 {
                throw EventRejection(reason: "price must be a number ≥ 0, got \(fields.object["price"]?.shortDescription ?? "")")
            }
            return .order(
                OrderEvent(
                    eventID: eventID, orderID: orderID, sku: sku, quantity: quantity, status: status, time: time,
                    roomID: try fields.optionalString("room_id"), userID: try fields.optionalString("user_id"),
                    channel: try fields.optionalString("channel"), price: price))
        case .carts:
            let action: CartAction = try fields.requiredEnum("action")
            let quantity = try fields.quantity(minimum: 1, rule: "an integer ≥ 1")
            return .cart(
                CartEvent(
                    eventID: eventID, sku: sku, action: action, quantity: quantity, time: time,
                    roomID: try fields.optionalString("room_id"), userID: try fields.optionalString("user_id")))
        case .interactions:
            let kind: InteractionKind = try fields.requiredEnum("kind")
            return .interaction(
                InteractionEvent(
                    eventID: eventID, sku: sku, kind: kind, time: time,
                    roomID: try fields.optionalString("room_id"), text: try fields.optionalString("text")))
        case .inventory:
            let kind: InventoryKind = try fields.requiredEnum("kind")
            let quantity: Int64
            switch kind {
            case .set: quantity = try fields.quantity(minimum: 0, rule: "an integer ≥ 0 for kind \"set\"")
            case .receive: quantity = try fields.quantity(minimum: 1, rule: "an integer ≥ 1 for kind \"receive\"")
            case .damage: quantity = try fields.quantity(minimum: 1, rule: "an integer ≥ 1 for kind \"damage\"")
            case .adjust:
                quantity = try fields.quantity(minimum: -Self.maximumQuantity, rule: "a non-zero integer for kind \"adjust\"")
                if quantity == 0 {
                    throw EventRejection(reason: "qty must be a non-zero integer for kind \"adjust\", got 0")
                }
            }
            let tier: Tier? = try fields.optionalEnum("tier")
            return .inventory(
                InventoryEvent(
                    eventID: eventID, sku: sku, kind: kind, quantity: quantity, time: time,
                    tier: tier, name: try fields.optionalString("name")))
        }
    }

    private func checkKey(_ key: UnsafeRawBufferPointer?, sku: String) throws(EventRejection) {
        guard let key else {
            throw EventRejection(
                reason: "record has no key; key records by sku so a SKU's events reach one task (sku \"\(sku)\")")
        }
        guard !key.elementsEqual(sku.utf8) else { return }
        let keyText = String(decoding: key.prefix(128), as: UTF8.self)
        throw EventRejection(
            reason: "record key \"\(keyText)\" does not match sku \"\(sku)\"; key records by sku so a SKU's events reach one task"
        )
    }
}
