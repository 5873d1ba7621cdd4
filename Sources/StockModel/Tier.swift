/// The commercial role of a SKU, which selects its alert and freeze policy.
public enum Tier: String, Sendable, CaseIterable, Codable {
    /// 引流款: cheap, hot items that draw viewers; freeze early.
    case traffic
    /// 利润款: the items that carry the margin.
    case profit
    /// 长尾款: slow sellers.
    case longtail

    /// The position in `allCases`, for tables indexed by tier.
    var ordinal: Int {
        switch self {
        case .traffic: 0
        case .profit: 1
        case .longtail: 2
        }
    }
}
