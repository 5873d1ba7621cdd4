/// One output of the model: an alert transition or a command.
public enum StockOutput: Sendable, Equatable {
    /// For the `stock-alerts` topic.
    case alert(StockAlert)
    /// For the `stock-commands` topic.
    case command(StockCommand)

    /// The SKU the output is about; the record key.
    public var sku: String {
        switch self {
        case .alert(let alert): alert.sku
        case .command(let command): command.sku
        }
    }

    /// Appends the output's wire JSON to `bytes`.
    public func encodeJSON(into bytes: inout [UInt8]) {
        switch self {
        case .alert(let alert): alert.encodeJSON(into: &bytes)
        case .command(let command): command.encodeJSON(into: &bytes)
        }
    }
}
