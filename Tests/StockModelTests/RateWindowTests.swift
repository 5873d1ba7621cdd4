import Foundation
import Testing

@testable import StockModel

@Suite struct RateWindowTests {
    static func time(minutes: Double) -> EventTime {
        EventTime(millisecondsSinceEpoch: TestEvents.start + Int64(minutes * 60_000))
    }

    @Test("a count decays by e^(−Δt/τ) over the exact gap", arguments: [1, 5, 15, 30])
    func decayOverExactGap(minutes: Int) {
        var window = RateWindow(minutes: minutes)
        window.add(100, at: Self.time(minutes: 0))
        let tau = Double(minutes)
        // e^−1 after one τ, e^−2 after two, half after τ·ln2.
        #expect(abs(window.count(at: Self.time(minutes: tau)) - 100 * 0.367_879_441_171_442_3) < 1e-9)
        #expect(abs(window.count(at: Self.time(minutes: 2 * tau)) - 100 * 0.135_335_283_236_612_7) < 1e-9)
        let halfLife = EventTime(millisecondsSinceEpoch: TestEvents.start + Int64((tau * 60_000 * 0.693_147_180_559_945_3).rounded()))
        #expect(abs(window.count(at: halfLife) - 50) < 1e-3)
        // Decaying in two steps is the same as in one: the exact gap, no per-tick rounding.
        var stepped = RateWindow(minutes: minutes)
        stepped.add(100, at: Self.time(minutes: 0))
        stepped.add(0, at: Self.time(minutes: tau / 3))
        stepped.add(0, at: Self.time(minutes: tau / 2))
        #expect(abs(stepped.count(at: Self.time(minutes: tau)) - window.count(at: Self.time(minutes: tau))) < 1e-9)
    }

    @Test("a steady flow converges to rate × τ, and the bias-corrected rate is right from the first minute")
    func steadyFlow() {
        var window = RateWindow(minutes: 5)
        let start = Self.time(minutes: 0)
        for second in stride(from: 0, to: 3600, by: 6) {
            window.add(1, at: EventTime(millisecondsSinceEpoch: start.millisecondsSinceEpoch + Int64(second) * 1000))
            if second == 120 {
                // two minutes in: 21 units over 2 minutes, ~10/min, though the raw count ÷ τ says ~4
                let now = EventTime(millisecondsSinceEpoch: start.millisecondsSinceEpoch + 120_000)
                #expect(abs(window.ratePerMinute(at: now, observedSince: start) - 10) < 0.6)
                #expect(window.count(at: now) / 5 < 5)
            }
        }
        let end = Self.time(minutes: 60)
        #expect(abs(window.count(at: end) - 50) < 1)  // 10/min × 5 min
        #expect(abs(window.ratePerMinute(at: end, observedSince: start) - 10) < 0.3)
    }

    @Test("a late unit counts with the weight of its age and does not move the window back")
    func lateUnits() {
        var window = RateWindow(minutes: 5)
        window.add(10, at: Self.time(minutes: 10))
        window.add(10, at: Self.time(minutes: 5))  // 5 minutes late: weight e^−1
        #expect(window.updatedAt == Self.time(minutes: 10))
        #expect(abs(window.decayedCount - (10 + 10 * 0.367_879_441_171_442_3)) < 1e-9)
    }

    @Test("the exponential is accurate across the range the windows use")
    func exponentialAccuracy() {
        let known: [(Double, Double)] = [
            (0, 1), (-1, 0.367_879_441_171_442_3), (-0.5, 0.606_530_659_712_633_4), (-10, 4.539_992_976_248_485e-5),
            (-100, 3.720_075_976_020_836e-44), (1, 2.718_281_828_459_045), (-800, 0),
        ]
        for (x, expected) in known {
            let value = DecayMath.exponential(x)
            #expect(expected == 0 ? value == 0 : abs(value - expected) / expected < 1e-14, "e^\(x) = \(value)")
        }
    }

    @Test("the exponential agrees with the C library's to within 1e-15 relative over its whole range")
    func exponentialAgainstLibm() {
        var worst = 0.0
        var x = -708.0
        while x < 709 {
            let value = DecayMath.exponential(x)
            let reference = Foundation.exp(x)
            worst = max(worst, abs(value - reference) / reference)
            x += 0.013_7
        }
        for x in stride(from: -0.01, through: 0.01, by: 0.000_01) {
            worst = max(worst, abs(DecayMath.exponential(x) - Foundation.exp(x)) / Foundation.exp(x))
        }
        #expect(worst < 1e-15, "worst relative difference \(worst)")
        // Subnormal results keep their magnitude rather than flushing to zero.
        #expect(DecayMath.exponential(-740) > 0 && abs(DecayMath.exponential(-740) / Foundation.exp(-740) - 1) < 1e-6)
        #expect(DecayMath.exponential(-746) == 0 && DecayMath.exponential(710) == .infinity)
    }
}
