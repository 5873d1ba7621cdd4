/// What a stock command asks the shop backend to do.
public enum CommandAction: String, Sendable, CaseIterable {
    /// Stop selling the SKU.
    case freeze
    /// Resume selling the SKU.
    case unfreeze
    /// Show the SKU less prominently.
    case lowerExposure = "lower_exposure"
    /// Restore the SKU's usual exposure.
    case restoreExposure = "restore_exposure"
    /// Show a low-stock banner on the host's screen.
    case lowStockBanner = "low_stock_banner"
}
