import Testing

@testable import StockModel

@Suite struct ForecasterTests {
    /// A known demand curve in units/min: a host's pitch ramps 2 → 20 over an hour, holds an hour,
    /// declines to 5 over an hour, then holds.
    static func pitchCurve(minute: Double) -> Double {
        if minute < 60 { return 2 + 18 * minute / 60 }
        if minute < 120 { return 20 }
        if minute < 180 { return 20 - 15 * (minute - 120) / 60 }
        return 5
    }

    /// Feeds `curve` for four hours as paid orders every 6 s (fractional units carried) and returns the book.
    static func session(skus: [(sku: String, curve: (Double) -> Double)]) -> StockBook {
        var book = StockBook(policy: .builtInDefault)
        var outputs: [StockOutput] = []
        for (sku, _) in skus {
            _ = book.apply(.inventory(TestEvents.inventory("inv-\(sku)", sku: sku, .set, 10_000_000, at: 0)), outputs: &outputs)
        }
        var carry = [Double](repeating: 0, count: skus.count)
        var number = 0
        for second in stride(from: Int64(0), to: 4 * 3600, by: 6) {
            for (index, entry) in skus.enumerated() {
                carry[index] += entry.curve(Double(second) / 60) * 6 / 60
                let whole = Int64(carry[index])
                guard whole > 0 else { continue }
                carry[index] -= Double(whole)
                number += 1
                _ = book.apply(
                    .order(TestEvents.order("o\(number)", order: "o\(number)", sku: entry.sku, quantity: whole, .paid, at: second)),
                    outputs: &outputs)
            }
        }
        return book
    }

    /// MAPE of an oracle that knows the true rate at each issue time and assumes it holds for the horizon
    /// (persistence), issued where the book issues: after 5 minutes, then every 30 minutes.
    static func persistenceOracleMAPE(curve: (Double) -> Double, horizon: Double, sessionMinutes: Double) -> Double {
        var errors: [Double] = []
        var issue = 5.0
        while issue + horizon <= sessionMinutes {
            var actual = 0.0
            var minute = issue
            while minute < issue + horizon {
                actual += curve(minute) * 0.01
                minute += 0.01
            }
            errors.append(abs(curve(issue) * horizon - actual) / actual)
            issue += horizon
        }
        return errors.reduce(0, +) / Double(errors.count)
    }

    @Test("forecast error on a known demand curve is reported per SKU and tier and stays within its bound")
    func forecastErrorOnKnownCurve() throws {
        let book = Self.session(skus: [("STEADY", { _ in 10 }), ("PITCH", Self.pitchCurve)])
        let steady = try #require(book.forecastAccuracy(for: "STEADY"))
        let pitch = try #require(book.forecastAccuracy(for: "PITCH"))
        // 4 h, first forecast after 5 min, 30-min horizons back to back.
        #expect(steady.scoredForecasts == 7)
        #expect(pitch.scoredForecasts == 7)
        // Steady demand: only the 6-second sampling of whole units separates forecast from actual.
        #expect(try #require(steady.meanAbsolutePercentageError) < 0.03)
        #expect(try #require(steady.meanAbsoluteError) < 10)
        // The pitch curve changes slope three times within 4 hours; a forecast spanning a change cannot
        // know it. Bound: within 1.5× the error of an oracle that knows the true current rate (the
        // decayed windows see the rate 5 minutes late and estimate the trend), and at most 35%.
        let oracle = Self.persistenceOracleMAPE(curve: Self.pitchCurve, horizon: 30, sessionMinutes: 240)
        let mape = try #require(pitch.meanAbsolutePercentageError)
        #expect(mape <= 1.5 * oracle, "MAPE \(mape) vs oracle \(oracle)")
        #expect(mape <= 0.35)
        let tier = try #require(book.forecastAccuracyByTier[.profit])
        #expect(tier.scoredForecasts == 14)
        #expect(abs(try #require(tier.meanAbsoluteError) - (steady.meanAbsoluteError! + pitch.meanAbsoluteError!) / 2) < 1e-9)
    }

    @Test("a steady rate reads the same in every window from the first minute, and ETA is available ÷ rate")
    func steadyRateAndETA() {
        var forecaster = Forecaster(observedSince: TestEvents.time(0))
        for second in stride(from: Int64(0), to: 600, by: 6) {
            forecaster.recordPaid(1, at: TestEvents.time(second))  // 10 units/min
        }
        let forecast = forecaster.forecast(at: TestEvents.time(600), available: 100, rules: AlertRules())
        #expect(abs(forecast.fiveMinuteRate - 10) < 0.6)
        #expect(abs(forecast.thirtyMinuteRate - 10) < 0.6)
        #expect(forecast.unitsLast30Minutes == 100)
        #expect(abs(forecast.ratePerMinute - 100.0 / 30) < 1e-9)
        #expect(abs(forecast.demand - 300) < 20)
        let eta = forecast.etaMinutes ?? 0
        #expect(abs(eta - 100 / forecast.salesRate) < 1e-9)
        #expect(abs(eta - 10) < 1)
    }

    @Test("nothing sold means no ETA")
    func noSalesNoETA() {
        let forecaster = Forecaster(observedSince: TestEvents.time(0))
        let forecast = forecaster.forecast(at: TestEvents.time(600), available: 100, rules: AlertRules())
        #expect(forecast.etaMinutes == nil)
        #expect(forecast.demand == 0)
        #expect(forecast.ratePerMinute == 0)
    }

    @Test("cart adds raise the forecast before orders do, weighted by the learned conversion")
    func cartAddsLead() {
        var quiet = Forecaster(observedSince: TestEvents.time(0))
        var surging = quiet
        for second in stride(from: Int64(0), to: 600, by: 60) {
            quiet.recordPaid(1, at: TestEvents.time(second))
            surging.recordPaid(1, at: TestEvents.time(second))
        }
        for second in stride(from: Int64(540), to: 600, by: 2) {
            surging.recordCart(1, at: TestEvents.time(second))  // 30 adds in the last minute
        }
        let rules = AlertRules()
        let quietForecast = quiet.forecast(at: TestEvents.time(600), available: 100, rules: rules)
        let surgingForecast = surging.forecast(at: TestEvents.time(600), available: 100, rules: rules)
        #expect(surgingForecast.leadingRate > 1)
        #expect(surgingForecast.demand > quietForecast.demand)
        // Before any completed horizon the conversion is the tier's prior.
        #expect(abs(surgingForecast.cartConversion - rules.conversionPrior) < 1e-9)
    }
}
