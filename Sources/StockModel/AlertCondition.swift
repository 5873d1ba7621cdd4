/// One alert condition evaluated for a SKU: the level it maps to, whether it holds, and whether it
/// still holds within the de-escalation margin.
///
/// It keeps the numbers, not text: the reasons are formatted only when a transition is published,
/// so evaluating a SKU on every event allocates no strings.
public struct AlertCondition: Sendable, Equatable {
    /// Which rule.
    public enum Kind: String, Sendable {
        case share, eta, forecast, acceleration, unitFloor = "unit_floor"
    }

    /// The rule's numbers.
    enum Detail: Sendable, Equatable {
        case share(share: Double, threshold: Double)
        case unitFloor(available: Int64, floor: Int64)
        case eta(minutes: Double, threshold: Double)
        case forecast(available: Int64, k: Double, demand: Double, horizonMinutes: Int)
        case acceleration(fiveMinuteRate: Double, factor: Double, thirtyMinuteRate: Double)
    }

    /// The level the condition maps to.
    public var level: AlertLevel
    /// The condition holds at its threshold.
    public var holds: Bool
    /// The condition holds at its threshold relaxed by the margin (true whenever `holds`).
    public var holdsWithinMargin: Bool
    var detail: Detail
    /// The de-escalation margin, relative to the threshold.
    var margin: Double

    /// Which rule.
    public var kind: Kind {
        switch detail {
        case .share: .share
        case .unitFloor: .unitFloor
        case .eta: .eta
        case .forecast: .forecast
        case .acceleration: .acceleration
        }
    }

    private var marginText: String { StockBook.thresholdPercent(margin) }

    /// The condition with its numbers, e.g. `eta 12.4 min < 15`.
    public var reason: String {
        switch detail {
        case .share(let share, let threshold):
            "remaining share \(StockBook.percent(share)) ≤ \(StockBook.thresholdPercent(threshold))"
        case .unitFloor(let available, let floor):
            "available \(available) ≤ floor \(floor)"
        case .eta(let minutes, let threshold):
            "eta \(DecimalText.format(minutes)) min < \(DecimalText.format(threshold, trim: true))"
        case .forecast(let available, let k, let demand, _):
            "available \(available) < \(forecastText) = \(DecimalText.format(k * demand))"
        case .acceleration:
            accelerationText
        }
    }

    /// The same against the threshold relaxed by the margin, e.g. `eta 16.2 min < 18.75 (15 + margin 25%)`.
    public var marginReason: String {
        let relax = 1 + margin
        switch detail {
        case .share(let share, let threshold):
            return "remaining share \(StockBook.percent(share)) ≤ \(StockBook.thresholdPercent(threshold * relax))"
                + " (\(StockBook.thresholdPercent(threshold)) + margin \(marginText))"
        case .unitFloor(let available, let floor):
            return "available \(available) ≤ \(DecimalText.format(Double(floor) * relax, trim: true))"
                + " (floor \(floor) + margin \(marginText))"
        case .eta(let minutes, let threshold):
            return "eta \(DecimalText.format(minutes)) min < \(DecimalText.format(threshold * relax, trim: true))"
                + " (\(DecimalText.format(threshold, trim: true)) + margin \(marginText))"
        case .forecast(let available, let k, let demand, _):
            return "available \(available) < \(DecimalText.format(k * demand * relax))"
                + " (\(forecastText) + margin \(marginText))"
        case .acceleration:
            return "\(accelerationText) within margin \(marginText)"
        }
    }

    /// Why it does not hold, e.g. `eta 80.2 min ≥ 60`.
    public var clearedReason: String {
        switch detail {
        case .share(let share, let threshold):
            "remaining share \(StockBook.percent(share)) > \(StockBook.thresholdPercent(threshold))"
        case .unitFloor(let available, let floor):
            "available \(available) > floor \(floor)"
        case .eta(let minutes, let threshold):
            "eta \(DecimalText.format(minutes)) min ≥ \(DecimalText.format(threshold, trim: true))"
        case .forecast(let available, let k, let demand, _):
            "available \(available) ≥ \(forecastText) = \(DecimalText.format(k * demand))"
        case .acceleration(let fiveMinuteRate, _, _):
            "5-min rate \(DecimalText.format(fiveMinuteRate)) units/min, no acceleration"
        }
    }

    private var forecastText: String {
        guard case .forecast(_, let k, let demand, let horizonMinutes) = detail else { return "" }
        return "\(DecimalText.format(k, decimals: 2, trim: true)) × forecast \(DecimalText.format(demand))"
            + " over \(horizonMinutes) min"
    }

    private var accelerationText: String {
        guard case .acceleration(let fiveMinuteRate, let factor, let thirtyMinuteRate) = detail else { return "" }
        return "5-min rate \(DecimalText.format(fiveMinuteRate)) ≥ \(DecimalText.format(factor, trim: true))"
            + " × 30-min rate \(DecimalText.format(thirtyMinuteRate)) units/min"
    }
}
