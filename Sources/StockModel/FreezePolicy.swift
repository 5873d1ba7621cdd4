/// When to freeze a SKU (stop selling) and when to unfreeze it after a restock.
public struct FreezePolicy: Sendable, Equatable, Codable {
    /// A fixed safety buffer in units. Default: 0.
    public var bufferUnits: Int64
    /// A safety buffer as a share of stock, in [0, 1]. Default: 0.
    public var bufferShare: Double
    /// Units above the buffer that available must exceed before unfreezing, so a freeze does not flap. Default: 0.
    public var unfreezeMarginUnits: Int64

    enum CodingKeys: String, CodingKey {
        case bufferUnits = "buffer_units"
        case bufferShare = "buffer_share"
        case unfreezeMarginUnits = "unfreeze_margin_units"
    }

    /// Creates a freeze policy.
    public init(bufferUnits: Int64 = 0, bufferShare: Double = 0, unfreezeMarginUnits: Int64 = 0) {
        self.bufferUnits = bufferUnits
        self.bufferShare = bufferShare
        self.unfreezeMarginUnits = unfreezeMarginUnits
    }

    /// The safety buffer at `stock`: `max(bufferUnits, ceil(bufferShare × stock))`.
    public func buffer(stock: Int64) -> Int64 {
        guard stock > 0, bufferShare > 0 else { return bufferUnits }
        let share = (bufferShare * Double(stock)).rounded(.up)
        let shareUnits = share >= 9.0e18 ? Int64.max : Int64(share)
        return max(bufferUnits, shareUnits)
    }
}
