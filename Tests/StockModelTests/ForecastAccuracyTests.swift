import StockModel
import Testing

@Suite struct ForecastAccuracyTests {
    @Test("merging two scores equals scoring every forecast in one")
    func mergeEqualsOneScore() {
        let first: [(Double, Int64)] = [(10, 12), (5, 0), (8.5, 8)]
        let second: [(Double, Int64)] = [(20, 14), (3, 3)]
        var left = ForecastAccuracy()
        var right = ForecastAccuracy()
        var all = ForecastAccuracy()
        for (predicted, actual) in first {
            left.record(predicted: predicted, actual: actual)
            all.record(predicted: predicted, actual: actual)
        }
        for (predicted, actual) in second {
            right.record(predicted: predicted, actual: actual)
            all.record(predicted: predicted, actual: actual)
        }
        left.merge(right)
        #expect(left == all)
        #expect(left.scoredForecasts == 5)
        #expect(left.percentageScoredForecasts == 4, "the forecast with no actual demand has no percentage error")
        let absoluteErrors: [Double] = [2, 5, 0.5, 6, 0]
        let expectedMeanAbsoluteError = absoluteErrors.reduce(0, +) / 5
        #expect(left.meanAbsoluteError == expectedMeanAbsoluteError)
    }
}
