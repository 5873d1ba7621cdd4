/// How urgent a stock alert is, ordered notice < warning < critical.
public enum AlertLevel: String, Sendable, CaseIterable, Comparable {
    /// Stock is getting low.
    case notice
    /// Act soon.
    case warning
    /// Act now.
    case critical

    var rank: Int {
        switch self {
        case .notice: 1
        case .warning: 2
        case .critical: 3
        }
    }

    /// Orders levels by urgency.
    public static func < (lhs: AlertLevel, rhs: AlertLevel) -> Bool { lhs.rank < rhs.rank }
}
