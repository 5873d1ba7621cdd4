import Foundation

/// An inline SVG picture assembled from a few plot primitives, with escaping, nice axis ticks and UTC clock labels.
///
/// The backtest page must work offline and be byte-for-byte reproducible, so its charts are drawn here rather than by
/// a script library, and every number is formatted without locale or floating-point noise.
struct SVGChart {
    /// A position in pixels from the top left corner.
    struct Point {
        var x: Double
        var y: Double
    }

    /// Maps a value range linearly onto a pixel range; `to` may be smaller than `from`, as on a y axis.
    struct Scale {
        var lower: Double
        var upper: Double
        var from: Double
        var to: Double

        func callAsFunction(_ value: Double) -> Double {
            guard upper > lower else { return (from + to) / 2 }
            return from + (value - lower) / (upper - lower) * (to - from)
        }
    }

    /// How a line is drawn.
    struct Stroke {
        var colour: String
        var width: Double = 1
        /// An SVG `stroke-dasharray`, nil for solid.
        var dash: String? = nil
        var opacity: Double = 1
    }

    /// The shape of a mark; shapes differ as well as colours so the chart still reads in grey or to colour-blind eyes.
    enum Symbol {
        case disc, ring, triangleDown, square, hollowSquare, diamond
    }

    /// What a legend entry shows in front of its label.
    enum LegendKey {
        case line(Stroke)
        case symbol(Symbol, colour: String)
        case swatch(colour: String)
    }

    /// Horizontal alignment of a text.
    enum Anchor: String {
        case start, middle, end
    }

    let width: Double
    /// May grow while drawing, for pictures whose parts are laid out one below the other.
    var height: Double
    private var elements: [String] = []

    init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The finished `<svg>` element; `label` is its accessible name.
    func rendered(label: String) -> String {
        let size = "width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
        return "<svg class=\"chart\" \(size) viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\" role=\"img\" "
            + "aria-label=\"\(Self.escape(label))\">\n" + elements.joined(separator: "\n") + "\n</svg>"
    }

    // MARK: Primitives

    mutating func line(from start: Point, to end: Point, stroke: Stroke) {
        elements.append("<line x1=\"\(Self.number(start.x))\" y1=\"\(Self.number(start.y))\" x2=\"\(Self.number(end.x))\" "
            + "y2=\"\(Self.number(end.y))\"\(Self.attributes(stroke))/>")
    }

    /// A line that holds each point's value until the next point's x, then jumps; the last value runs on to `endX`.
    mutating func stepLine(_ points: [Point], through endX: Double, stroke: Stroke) {
        guard let first = points.first else { return }
        var commands = "M\(Self.number(first.x)) \(Self.number(first.y))"
        for point in points.dropFirst() {
            commands += "H\(Self.number(point.x))V\(Self.number(point.y))"
        }
        commands += "H\(Self.number(max(endX, points[points.count - 1].x)))"
        elements.append("<path d=\"\(commands)\" fill=\"none\"\(Self.attributes(stroke))/>")
    }

    mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String, opacity: Double = 1,
                            stroke: Stroke? = nil, tooltip: String? = nil) {
        let opacityAttribute = opacity < 1 ? " fill-opacity=\"\(Self.number(opacity, digits: 2))\"" : ""
        let strokeAttributes = stroke.map(Self.attributes) ?? ""
        let shape = "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(max(0, width)))\" "
            + "height=\"\(Self.number(max(0, height)))\" fill=\"\(fill)\"\(opacityAttribute)\(strokeAttributes)"
        elements.append(Self.closing(shape, tooltip: tooltip))
    }

    mutating func text(_ text: String, at point: Point, anchor: Anchor = .start, size: Double = 11,
                       fill: String = "#3d4650", bold: Bool = false, tooltip: String? = nil) {
        let weight = bold ? " font-weight=\"600\"" : ""
        let title = tooltip.map { "<title>\(Self.escape($0))</title>" } ?? ""
        elements.append("<text x=\"\(Self.number(point.x))\" y=\"\(Self.number(point.y))\" text-anchor=\"\(anchor.rawValue)\" "
            + "font-size=\"\(Self.number(size))\" fill=\"\(fill)\"\(weight)>\(title)\(Self.escape(text))</text>")
    }

    /// A mark of `size` pixels across centred on `point`, with `tooltip` shown on hover.
    mutating func symbol(_ symbol: Symbol, at point: Point, size: Double, colour: String, tooltip: String?) {
        let x = point.x, y = point.y, half = size / 2
        let shape: String
        switch symbol {
        case .disc:
            shape = "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(half))\" fill=\"\(colour)\" "
                + "stroke=\"#ffffff\" stroke-width=\"1\""
        case .ring:
            shape = "<circle cx=\"\(Self.number(x))\" cy=\"\(Self.number(y))\" r=\"\(Self.number(half - 1))\" fill=\"#ffffff\" "
                + "stroke=\"\(colour)\" stroke-width=\"2\""
        case .triangleDown:
            shape = "<path d=\"M\(Self.number(x - half)) \(Self.number(y - half * 0.8))H\(Self.number(x + half))"
                + "L\(Self.number(x)) \(Self.number(y + half))Z\" fill=\"\(colour)\""
        case .square:
            shape = "<rect x=\"\(Self.number(x - half))\" y=\"\(Self.number(y - half))\" width=\"\(Self.number(size))\" "
                + "height=\"\(Self.number(size))\" fill=\"\(colour)\""
        case .hollowSquare:
            shape = "<rect x=\"\(Self.number(x - half + 1))\" y=\"\(Self.number(y - half + 1))\" width=\"\(Self.number(size - 2))\" "
                + "height=\"\(Self.number(size - 2))\" fill=\"#ffffff\" stroke=\"\(colour)\" stroke-width=\"2\""
        case .diamond:
            shape = "<path d=\"M\(Self.number(x)) \(Self.number(y - half))L\(Self.number(x + half)) \(Self.number(y))"
                + "L\(Self.number(x)) \(Self.number(y + half))L\(Self.number(x - half)) \(Self.number(y))Z\" fill=\"\(colour)\""
        }
        elements.append(Self.closing(shape, tooltip: tooltip))
    }

    // MARK: Axes and legend

    /// Horizontal grid lines at `ticks` from `left` to `right`, labelled left of `left`.
    mutating func valueAxis(_ scale: Scale, ticks: [Double], left: Double, right: Double) {
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for tick in ticks {
            let y = scale(tick)
            line(from: Point(x: left, y: y), to: Point(x: right, y: y), stroke: Stroke(colour: "#e3e7eb"))
            text(Self.tickLabel(tick, step: step), at: Point(x: left - 6, y: y + 3.5), anchor: .end, size: 10)
        }
    }

    /// Vertical grid lines at `ticks` from `top` to `bottom`, labelled below `bottom` as UTC clock times.
    mutating func timeAxis(_ scale: Scale, ticks: [Int64], top: Double, bottom: Double) {
        let spansDays = ticks.count > 1 && ticks[1] - ticks[0] >= Self.millisecondsPerDay
        for tick in ticks {
            let x = scale(Double(tick))
            line(from: Point(x: x, y: top), to: Point(x: x, y: bottom), stroke: Stroke(colour: "#e3e7eb"))
            let label = spansDays ? String(Self.dateTime(tick).prefix(10)) : Self.clock(tick)
            text(label, at: Point(x: x, y: bottom + 14), anchor: .middle, size: 10)
        }
    }

    /// Lays `entries` out left to right from `origin`, wrapping before `maximumX`; returns the y below the last row.
    @discardableResult
    mutating func legend(_ entries: [(key: LegendKey, label: String)], at origin: Point, maximumX: Double) -> Double {
        var x = origin.x, y = origin.y
        let rowHeight = 16.0
        for entry in entries {
            let entryWidth = 22 + Self.estimatedTextWidth(entry.label, size: 11) + 14
            if x + entryWidth > maximumX && x > origin.x {
                x = origin.x
                y += rowHeight
            }
            switch entry.key {
            case .line(let stroke):
                line(from: Point(x: x, y: y), to: Point(x: x + 16, y: y), stroke: stroke)
            case .symbol(let symbol, let colour):
                self.symbol(symbol, at: Point(x: x + 8, y: y), size: 9, colour: colour, tooltip: nil)
            case .swatch(let colour):
                rectangle(x: x + 2, y: y - 5, width: 12, height: 10, fill: colour)
            }
            text(entry.label, at: Point(x: x + 22, y: y + 4), size: 11)
            x += entryWidth
        }
        return y + rowHeight / 2
    }

    // MARK: Numbers, times and text

    static let millisecondsPerMinute: Int64 = 60_000
    static let millisecondsPerDay: Int64 = 86_400_000

    /// About `maximumCount` round values (1, 2 or 5 times a power of ten apart, at least `minimumStep`) that cover
    /// `lower...upper`; the first and last may lie outside it and make a good axis range.
    static func niceTicks(lower: Double, upper: Double, maximumCount: Int, minimumStep: Double = 0) -> [Double] {
        precondition(maximumCount >= 2, "an axis needs two ticks")
        guard lower.isFinite, upper.isFinite else { return [0, 1] }
        let span = max(upper - lower, max(minimumStep, 1e-9))
        let rough = span / Double(maximumCount - 1)
        let magnitude = pow(10, floor(log10(rough)))
        var step = 10 * magnitude
        for factor in [1.0, 2, 5, 10] where factor * magnitude >= rough {
            step = factor * magnitude
            break
        }
        step = max(step, minimumStep)
        let first = Int64(floor(lower / step)), last = max(Int64(ceil(upper / step)), first + 1)
        return (first...last).map { Double($0) * step }
    }

    /// Round clock times (1, 2, 5, 10, 15, 30 minutes … a day apart) within `start...end`, at most about `maximumCount`.
    static func timeTicks(from start: Int64, to end: Int64, maximumCount: Int) -> [Int64] {
        let stepsInMinutes: [Int64] = [1, 2, 5, 10, 15, 20, 30, 60, 120, 180, 240, 360, 720, 1440, 2880, 10080]
        let span = max(end - start, 1)
        let minutes = stepsInMinutes.first { span / ($0 * millisecondsPerMinute) < Int64(maximumCount) } ?? 10080
        let step = minutes * millisecondsPerMinute
        var tick = flooredDivision(start, step) * step
        if tick < start { tick += step }
        var ticks: [Int64] = []
        while tick <= end && ticks.count <= maximumCount {
            ticks.append(tick)
            tick += step
        }
        return ticks
    }

    /// `HH:MM` (or `HH:MM:SS`) in UTC of an epoch-milliseconds instant.
    static func clock(_ milliseconds: Int64, seconds: Bool = false) -> String {
        let secondOfDay = flooredDivision(milliseconds, 1000) - flooredDivision(milliseconds, millisecondsPerDay) * 86_400
        let text = twoDigits(secondOfDay / 3600) + ":" + twoDigits(secondOfDay / 60 % 60)
        return seconds ? text + ":" + twoDigits(secondOfDay % 60) : text
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC of an epoch-milliseconds instant.
    static func dateTime(_ milliseconds: Int64) -> String {
        // Howard Hinnant's civil_from_days, so the date needs no calendar object and no locale.
        let days = flooredDivision(milliseconds, millisecondsPerDay) + 719_468
        let era = flooredDivision(days, 146_097)
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return "\(year)-\(twoDigits(month))-\(twoDigits(day)) \(clock(milliseconds, seconds: true))"
    }

    /// `value` rounded to `digits` decimals, without locale, exponent or `-0`; "n/a" when not finite.
    static func decimal(_ value: Double, digits: Int, trimmingZeros: Bool = false) -> String {
        guard value.isFinite else { return "n/a" }
        var factor: Int64 = 1
        for _ in 0..<digits { factor *= 10 }
        let scaled = (abs(value) * Double(factor)).rounded()
        guard scaled < 9e15 else { return value < 0 ? "-\(Int64(abs(value)))" : "\(Int64(value))" }
        let units = Int64(scaled)
        var text = (value < 0 && units != 0 ? "-" : "") + String(units / factor)
        if digits > 0 {
            var fraction = String(units % factor)
            fraction = String(repeating: "0", count: digits - fraction.count) + fraction
            if trimmingZeros {
                while fraction.hasSuffix("0") { fraction.removeLast() }
            }
            if !fraction.isEmpty { text += "." + fraction }
        }
        return text
    }

    /// Text safe inside HTML and SVG elements and quoted attributes; control characters become U+FFFD.
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            case "\t", "\n": escaped.unicodeScalars.append(scalar)
            default:
                let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
                escaped.unicodeScalars.append(isControl ? "\u{FFFD}" : scalar)
            }
        }
        return escaped
    }

    /// A rough width of `text` in pixels, counting wide (CJK) characters double, for laying out labels.
    static func estimatedTextWidth(_ text: String, size: Double) -> Double {
        text.unicodeScalars.reduce(0) { width, scalar in width + (scalar.value >= 0x1100 ? 1.0 : 0.56) } * size
    }

    /// `text` cut to about `maximumWidth` pixels, with an ellipsis when cut.
    static func truncated(_ text: String, maximumWidth: Double, size: Double) -> String {
        guard estimatedTextWidth(text, size: size) > maximumWidth else { return text }
        var kept = ""
        for character in text {
            if estimatedTextWidth(kept + String(character) + "…", size: size) > maximumWidth { break }
            kept.append(character)
        }
        return kept + "…"
    }

    private static func number(_ value: Double, digits: Int = 1) -> String {
        decimal(value, digits: digits, trimmingZeros: true)
    }

    private static func tickLabel(_ value: Double, step: Double) -> String {
        let digits = step >= 1 ? 0 : min(6, Int(ceil(-log10(step) - 1e-9)))
        return decimal(value, digits: digits)
    }

    private static func attributes(_ stroke: Stroke) -> String {
        var text = " stroke=\"\(stroke.colour)\" stroke-width=\"\(number(stroke.width))\""
        if let dash = stroke.dash { text += " stroke-dasharray=\"\(dash)\"" }
        if stroke.opacity < 1 { text += " stroke-opacity=\"\(number(stroke.opacity, digits: 2))\"" }
        return text
    }

    /// Closes an opened shape element, as a container of its `<title>` when it has a tooltip.
    private static func closing(_ openShape: String, tooltip: String?) -> String {
        guard let tooltip else { return openShape + "/>" }
        let name = openShape.dropFirst().prefix { $0 != " " }
        return openShape + "><title>\(escape(tooltip))</title></\(name)>"
    }

    private static func flooredDivision(_ dividend: Int64, _ divisor: Int64) -> Int64 {
        let quotient = dividend / divisor
        return dividend % divisor < 0 ? quotient - 1 : quotient
    }

    private static func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }
}
