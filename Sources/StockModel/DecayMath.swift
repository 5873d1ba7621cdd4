/// The exponential function for decay factors, in plain Swift so `StockModel` needs neither Foundation
/// nor the C library and gives the same bits on every platform (determinism of replays).
enum DecayMath {
    private static let ln2 = 0.693_147_180_559_945_3

    /// `e^x`, with a relative error below 1e-15 for |x| ≤ 700; 0 below −745 and +∞ above 709.
    static func exponential(_ x: Double) -> Double {
        guard x.isFinite else { return x > 0 ? .infinity : (x.isNaN ? .nan : 0) }
        if x < -745 { return 0 }
        if x > 709 { return .infinity }
        // x = k·ln2 + r with |r| ≤ ln2/2, so the Taylor series of e^r converges in 16 terms.
        let k = (x / ln2).rounded(.toNearestOrEven)
        let r = x - k * ln2
        var term = 1.0
        var sum = 1.0
        for n in 1...17 {
            term *= r / Double(n)
            sum += term
        }
        // Scale by 2^k in two steps so subnormal results near −745 do not underflow early.
        let exponent = Int(k)
        let half = exponent / 2
        return sum * Double(sign: .plus, exponent: half, significand: 1)
            * Double(sign: .plus, exponent: exponent - half, significand: 1)
    }
}
