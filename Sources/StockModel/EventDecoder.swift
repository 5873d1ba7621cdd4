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
        var scan = PayloadScan(bytes: value)
        if scan.scan(maximumDepth: maximumNestingDepth) {
            do throws(ScanDeclined) {
                return try Self.event(from: scan, key: key, topic: topic, recordTimestamp: recordTimestamp)
            } catch {}
        }
        return try decodeTree(value: value, key: key, topic: topic, recordTimestamp: recordTimestamp)
    }

    /// The tree path: the whole payload as a ``JSONValue``, then each field checked by ``PayloadFields``.
    /// It decides every record the scan gives up on and words every rejection.
    func decodeTree(
        value: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer?, topic: InputTopic, recordTimestamp: EventTime?
    ) throws(EventRejection) -> StockEvent {
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

    private static let orderStatuses = OrderStatus.allCases
    private static let cartActions = CartAction.allCases
    private static let interactionKinds = InteractionKind.allCases
    private static let inventoryKinds = InventoryKind.allCases
    private static let tiers = Tier.allCases

    /// The fast path leaves the record to the tree path, which words the rejection (or, for what the
    /// scan does not cover exactly, accepts it). Thrown rather than returned as nil, so the event is
    /// built straight into the caller's result instead of being copied out of an optional.
    private struct ScanDeclined: Error {}

    /// The event from a scan that every check passes; `ScanDeclined` on any problem, which the tree
    /// path then words.
    ///
    /// Each check here accepts exactly what ``PayloadFields`` accepts, field by field.
    private static func event(
        from scan: PayloadScan, key: UnsafeRawBufferPointer?, topic: InputTopic, recordTimestamp: EventTime?
    ) throws(ScanDeclined) -> StockEvent {
        guard let eventID = nonEmptyString(scan, .eventID), let sku = nonEmptyString(scan, .sku), let key,
            scan.stringEquals(scan[.sku], key), let time = time(scan, recordTimestamp: recordTimestamp)
        else { throw ScanDeclined() }
        switch topic {
        case .orders:
            guard let orderID = nonEmptyString(scan, .orderID), let quantity = quantity(scan, minimum: 1),
                let status = scan.enumCase(scan[.status], in: Self.orderStatuses),
                let price = optionalNumber(scan, .price), price.map({ !($0 < 0) }) ?? true,
                let roomID = optionalString(scan, .roomID), let userID = optionalString(scan, .userID),
                let channel = optionalString(scan, .channel)
            else { throw ScanDeclined() }
            return .order(
                OrderEvent(
                    eventID: eventID, orderID: orderID, sku: sku, quantity: quantity, status: status, time: time,
                    roomID: roomID, userID: userID, channel: channel, price: price))
        case .carts:
            guard let action = scan.enumCase(scan[.action], in: Self.cartActions),
                let quantity = quantity(scan, minimum: 1), let roomID = optionalString(scan, .roomID),
                let userID = optionalString(scan, .userID)
            else { throw ScanDeclined() }
            return .cart(
                CartEvent(
                    eventID: eventID, sku: sku, action: action, quantity: quantity, time: time, roomID: roomID,
                    userID: userID))
        case .interactions:
            guard let kind = scan.enumCase(scan[.kind], in: Self.interactionKinds),
                let roomID = optionalString(scan, .roomID), let text = optionalString(scan, .text)
            else { throw ScanDeclined() }
            return .interaction(InteractionEvent(eventID: eventID, sku: sku, kind: kind, time: time, roomID: roomID, text: text))
        case .inventory:
            guard let kind = scan.enumCase(scan[.kind], in: Self.inventoryKinds) else { throw ScanDeclined() }
            let minimum: Int64
            switch kind {
            case .set: minimum = 0
            case .receive, .damage: minimum = 1
            case .adjust: minimum = -maximumQuantity
            }
            guard let quantity = quantity(scan, minimum: minimum), kind != .adjust || quantity != 0 else { throw ScanDeclined() }
            let tier: Tier?
            switch scan[.tier] {
            case .absent, .null: tier = nil
            case let value:
                guard let parsed = scan.enumCase(value, in: Self.tiers) else { throw ScanDeclined() }
                tier = parsed
            }
            guard let name = optionalString(scan, .name) else { throw ScanDeclined() }
            return .inventory(
                InventoryEvent(eventID: eventID, sku: sku, kind: kind, quantity: quantity, time: time, tier: tier, name: name))
        }
    }

    private static func nonEmptyString(_ scan: PayloadScan, _ field: PayloadScan.Field) -> String? {
        guard let string = scan.string(scan[field]), !string.isEmpty else { return nil }
        return string
    }

    /// `.some(nil)` when absent or null, `.some(text)` for a string, nil (a rejection) otherwise.
    private static func optionalString(_ scan: PayloadScan, _ field: PayloadScan.Field) -> String?? {
        switch scan[field] {
        case .absent, .null: return .some(nil)
        case let value: return scan.string(value).map { .some($0) }
        }
    }

    /// `.some(nil)` when absent or null, `.some(number)` for a number, nil (a rejection) otherwise.
    private static func optionalNumber(_ scan: PayloadScan, _ field: PayloadScan.Field) -> Double?? {
        switch scan[field] {
        case .absent, .null: .some(nil)
        case .integer(let value): .some(Double(value))
        case .number(let value): .some(value)
        default: nil
        }
    }

    private static func quantity(_ scan: PayloadScan, minimum: Int64) -> Int64? {
        guard case .integer(let quantity) = scan[.qty], quantity >= minimum, quantity <= maximumQuantity else { return nil }
        return quantity
    }

    private static func time(_ scan: PayloadScan, recordTimestamp: EventTime?) -> EventTime? {
        switch scan[.ts] {
        case .absent, .null:
            return recordTimestamp
        case .integer(let milliseconds):
            return milliseconds >= 0 ? EventTime(millisecondsSinceEpoch: milliseconds) : nil
        case let value:
            guard let text = scan.string(value), let time = EventTime(rfc3339: text), time.millisecondsSinceEpoch >= 0
            else { return nil }
            return time
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
