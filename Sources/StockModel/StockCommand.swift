/// One command for the shop backend about a SKU, for the `stock-commands` topic.
public struct StockCommand: Sendable, Equatable {
    /// Derived from the causing event and the action, so replays give the same ID.
    public var commandID: String
    /// The SKU.
    public var sku: String
    /// The tier whose policy applied.
    public var tier: Tier
    /// What to do.
    public var action: CommandAction
    /// Why, with numbers, e.g. `available 0 ≤ buffer 0`.
    public var reason: String
    /// `stock − sold − reserved` at the causing event.
    public var available: Int64
    /// The safety buffer at the causing event.
    public var buffer: Int64
    /// Event time of the causing event.
    public var time: EventTime
    /// `event_id` of the causing event.
    public var causedBy: String

    /// Creates a command.
    public init(
        commandID: String, sku: String, tier: Tier, action: CommandAction, reason: String, available: Int64,
        buffer: Int64, time: EventTime, causedBy: String
    ) {
        self.commandID = commandID
        self.sku = sku
        self.tier = tier
        self.action = action
        self.reason = reason
        self.available = available
        self.buffer = buffer
        self.time = time
        self.causedBy = causedBy
    }

    /// Appends the command as one compact JSON object with the wire field names in a fixed order.
    public func encodeJSON(into bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
        JSONWriter.appendKey("command_id", first: true, to: &bytes)
        JSONWriter.appendString(commandID, to: &bytes)
        JSONWriter.appendKey("sku", to: &bytes)
        JSONWriter.appendString(sku, to: &bytes)
        JSONWriter.appendKey("tier", to: &bytes)
        JSONWriter.appendString(tier.rawValue, to: &bytes)
        JSONWriter.appendKey("action", to: &bytes)
        JSONWriter.appendString(action.rawValue, to: &bytes)
        JSONWriter.appendKey("reason", to: &bytes)
        JSONWriter.appendString(reason, to: &bytes)
        JSONWriter.appendKey("available", to: &bytes)
        JSONWriter.appendInteger(available, to: &bytes)
        JSONWriter.appendKey("buffer", to: &bytes)
        JSONWriter.appendInteger(buffer, to: &bytes)
        JSONWriter.appendKey("ts", to: &bytes)
        JSONWriter.appendInteger(time.millisecondsSinceEpoch, to: &bytes)
        JSONWriter.appendKey("caused_by", to: &bytes)
        JSONWriter.appendString(causedBy, to: &bytes)
        bytes.append(UInt8(ascii: "}"))
    }
}
