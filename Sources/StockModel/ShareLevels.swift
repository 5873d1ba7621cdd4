/// Remaining-share thresholds (available ÷ stock) for each alert level: at or below a threshold, its level holds.
///
/// Valid when `0 ≤ critical ≤ warning ≤ notice ≤ 1`.
public struct ShareLevels: Sendable, Equatable, Codable {
    /// At or below this share, a notice holds. Default: 0.20.
    public var notice: Double
    /// At or below this share, a warning holds. Default: 0.10.
    public var warning: Double
    /// At or below this share, the SKU is critical. Default: 0.05.
    public var critical: Double

    /// Creates share levels.
    public init(notice: Double = 0.20, warning: Double = 0.10, critical: Double = 0.05) {
        self.notice = notice
        self.warning = warning
        self.critical = critical
    }

    /// The highest level whose threshold `share` is at or below, or nil when none holds.
    public func level(forShare share: Double) -> AlertLevel? {
        if share <= critical { return .critical }
        if share <= warning { return .warning }
        if share <= notice { return .notice }
        return nil
    }

    /// The threshold of `level`.
    public func threshold(for level: AlertLevel) -> Double {
        switch level {
        case .notice: notice
        case .warning: warning
        case .critical: critical
        }
    }
}
