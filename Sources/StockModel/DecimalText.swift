/// Fixed-decimal text for reasons, without Foundation, the same on every platform.
enum DecimalText {
    /// `value` rounded to `decimals` places, e.g. `12.4`; trailing zeros (and the point) dropped when `trim`.
    static func format(_ value: Double, decimals: Int = 1, trim: Bool = false) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded(.toNearestOrAwayFromZero)
        guard scaled.isFinite, abs(scaled) < 1.0e15 else { return "\(value)" }
        let integer = Int64(scaled)
        let sign = integer < 0 ? "-" : ""
        let magnitude = integer.magnitude
        let divisor = UInt64(scale)
        let whole = magnitude / divisor
        guard decimals > 0 else { return "\(sign)\(whole)" }
        var fraction = String(magnitude % divisor)
        while fraction.count < decimals { fraction = "0" + fraction }
        if trim {
            while fraction.last == "0" { fraction.removeLast() }
            if fraction.isEmpty { return "\(sign)\(whole)" }
        }
        return "\(sign)\(whole).\(fraction)"
    }
}
