/// The alert and freeze rules that apply to one tier or one SKU.
public struct TierPolicy: Sendable, Equatable {
    /// Remaining-share alert thresholds.
    public var shareLevels: ShareLevels
    /// Freeze buffer and unfreeze margin.
    public var freeze: FreezePolicy

    /// Creates a policy; the defaults are the built-in 20/10/5 % levels with no buffer.
    public init(shareLevels: ShareLevels = ShareLevels(), freeze: FreezePolicy = FreezePolicy()) {
        self.shareLevels = shareLevels
        self.freeze = freeze
    }
}
