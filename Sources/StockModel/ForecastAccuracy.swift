/// Running forecast error: MAE in units and MAPE over the forecasts whose actual demand was non-zero.
public struct ForecastAccuracy: Sendable, Equatable {
    /// Forecasts scored.
    public internal(set) var scoredForecasts = 0
    /// Forecasts with non-zero actual demand (the MAPE denominator).
    public internal(set) var percentageScoredForecasts = 0
    var absoluteErrorSum = 0.0
    var absolutePercentageErrorSum = 0.0

    /// Creates an empty score.
    public init() {}

    /// Mean absolute error in units; nil before the first score.
    public var meanAbsoluteError: Double? {
        scoredForecasts == 0 ? nil : absoluteErrorSum / Double(scoredForecasts)
    }

    /// Mean absolute percentage error as a fraction (0.12 = 12%); nil before a forecast with actual demand.
    public var meanAbsolutePercentageError: Double? {
        percentageScoredForecasts == 0 ? nil : absolutePercentageErrorSum / Double(percentageScoredForecasts)
    }

    /// Adds another running score to this one, as if its forecasts had been scored here.
    public mutating func merge(_ other: ForecastAccuracy) {
        scoredForecasts += other.scoredForecasts
        percentageScoredForecasts += other.percentageScoredForecasts
        absoluteErrorSum += other.absoluteErrorSum
        absolutePercentageErrorSum += other.absolutePercentageErrorSum
    }

    /// Scores one forecast against what actually sold over its horizon.
    public mutating func record(predicted: Double, actual: Int64) {
        let error = abs(predicted - Double(actual))
        scoredForecasts += 1
        absoluteErrorSum += error
        if actual > 0 {
            percentageScoredForecasts += 1
            absolutePercentageErrorSum += error / Double(actual)
        }
    }
}
