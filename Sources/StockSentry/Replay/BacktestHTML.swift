/// Renders a ``BacktestReport`` as `report.html`: one self-contained page of tables and inline SVG charts.
///
/// Operators read it after the show, often offline, to tune alert policies, so the page loads nothing from elsewhere
/// and the same report always gives the same bytes.
public enum BacktestHTML {
    /// SKUs that get a chart; the rest are listed in one compact table so a catalogue of thousands stays readable.
    static let maximumChartedSKUs = 60

    /// The page's colours, named once because the screenshot test looks for the level colours in the picture.
    enum Palette {
        static let notice = "#d9a400"
        static let warning = "#f28c28"
        static let critical = "#d62728"
        static let freeze = "#1f5fbf"
        static let otherCommand = "#6b7280"
        static let available = "#1b3a5c"
        static let stock = "#8795a8"
        static let soldOut = "#8e2a7b"
        static let zero = "#3d4650"
        static let policies = ["#4c72b0", "#55a868", "#8172b2", "#937860", "#64b5cd", "#8c8c8c"]

        static func level(_ label: String) -> String {
            switch label {
            case "notice": notice
            case "warning": warning
            case "critical": critical
            default: otherCommand
            }
        }

        static func policy(_ index: Int) -> String {
            policies[index % policies.count]
        }
    }

    /// The page for `report`: header, policy comparison, tier summaries, then one chart per SKU.
    ///
    /// - Parameter report: what a replay found; its dictionaries are read in sorted order, so the output is stable.
    /// - Returns: a complete HTML document that references no other file or address.
    public static func render(_ report: BacktestReport) -> String {
        var page = head(report)
        page += header(report)
        page += comparison(report)
        page += tiers(report)
        page += skuSection(report)
        page += "</main>\n</body>\n</html>\n"
        return page
    }

    // MARK: Page

    static func head(_ report: BacktestReport) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>StockSentry backtest · \(escape(report.input.source))</title>
        <style>
        body { margin: 0; background: #f3f5f7; color: #1f2328; font: 14px/1.45 system-ui, "Noto Sans CJK SC", sans-serif; }
        main { max-width: 1360px; margin: 0 auto; padding: 20px 28px 48px; }
        h1 { font-size: 24px; margin: 0 0 12px; }
        h2 { font-size: 19px; margin: 30px 0 10px; padding-bottom: 4px; border-bottom: 1px solid #d0d7de; }
        h3 { font-size: 16px; margin: 0 0 2px; overflow-wrap: anywhere; }
        code { font-size: 13px; overflow-wrap: anywhere; }
        .muted { color: #59636e; }
        .small { font-size: 12px; }
        .card { background: #ffffff; border: 1px solid #d8dee4; border-radius: 6px; padding: 12px 16px; margin: 12px 0; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 18px; margin: 0; }
        .facts dt { color: #59636e; }
        .facts dd { margin: 0; font-variant-numeric: tabular-nums; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; background: #ffffff; }
        th, td { padding: 4px 10px; border-bottom: 1px solid #e6e9ec; text-align: left; vertical-align: top; }
        thead th { background: #f6f8fa; border-bottom: 2px solid #d0d7de; }
        th.group { text-align: center; border-left: 2px solid #d0d7de; }
        td.num, th.num { text-align: right; white-space: nowrap; }
        td.first-of-group, th.first-of-group { border-left: 2px solid #d0d7de; }
        .badge { display: inline-block; margin-left: 6px; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; }
        .pass { background: #dcf2dc; color: #1a5e20; }
        .fail { background: #fbdada; color: #9b1111; }
        .bad { color: #9b1111; font-weight: 600; }
        .chip { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
        .sku-body { display: flex; flex-wrap: wrap; gap: 12px 20px; align-items: flex-start; margin-top: 8px; }
        .sku-body table { font-size: 13px; }
        svg.chart { display: block; max-width: 100%; height: auto; }
        svg text { font-family: inherit; }
        </style>
        </head>
        <body>
        <main>

        """
    }

    static func header(_ report: BacktestReport) -> String {
        let input = report.input
        let topics = ordered(Array(input.recordsByTopic.keys), preferred: ["orders", "carts", "interactions", "inventory"])
        let perTopic = topics.map { "\(escape($0)) \(count(input.recordsByTopic[$0] ?? 0))" }.joined(separator: " · ")
        let total = input.recordsByTopic.values.reduce(0, +)
        let policies = report.policies.enumerated().map { index, policy in policyName(policy, index: index) }
        let facts: [(String, String)] = [
            ("Input", "<code>\(escape(input.source))</code>"),
            ("Records", "\(count(total))" + (perTopic.isEmpty ? "" : " <span class=\"muted\">(\(perTopic))</span>")),
            ("Time span", timeSpan(input)),
            ("Dead letters", count(input.deadLetters)),
            ("Duplicates dropped", count(input.duplicates)),
            ("Late events", count(input.lateEvents)),
            ("Tasks", count(input.tasks)),
            ("SKUs", count(report.skus.count)),
            ("Policies", policies.isEmpty ? "none" : policies.joined(separator: " &nbsp; ")),
        ]
        let targets = report.targets
        var html = "<h1>StockSentry backtest</h1>\n<section class=\"card\">\n<dl class=\"facts\">\n"
        for (term, description) in facts {
            html += "<dt>\(term)</dt><dd>\(description)</dd>\n"
        }
        html += "</dl>\n</section>\n"
        html += "<p class=\"muted\">Targets: median first warning at least \(minutes(targets.medianWarningLeadMinutes)) "
            + "before sell-out and no sell-out without a warning; at most \(percent(targets.falseAlarmRate)) of warned SKUs "
            + "not sold out within \(minutes(targets.falseAlarmHorizonMinutes)) of the warning (false alarms); at most "
            + "\(plain(targets.transitionsPerSKUHour)) alert transitions per SKU per hour. Times are UTC.</p>\n"
        return html
    }

    // MARK: Summary tables

    /// A row of a summary table: what it shows, and for the rows the report judges, the target and its check.
    struct MetricRow {
        var label: String
        var target: (text: String, isMet: (BacktestReport.TargetCheck) -> Bool)? = nil
        var value: (BacktestReport.Summary) -> String
    }

    /// A column of a summary table: one policy's summary over a set of SKUs.
    struct SummaryColumn {
        var policy: BacktestReport.PolicyResult
        var policyIndex: Int
        var summary: BacktestReport.Summary
        /// Shown as pass/fail on target rows; nil where the report does not judge (tiers).
        var check: BacktestReport.TargetCheck?
    }

    static func metricRows(_ targets: BacktestReport.Targets) -> [MetricRow] {
        [
            MetricRow(label: "SKUs with stock") { count($0.skus) },
            MetricRow(label: "Sold out") { count($0.soldOutSKUs) },
            MetricRow(label: "Warned (warning or critical)") { count($0.warnedSKUs) },
            MetricRow(label: "Missed sell-outs", target: ("0", { $0.noMissedSellOut })) { count($0.missedSellOuts) },
            MetricRow(label: "Median warning lead",
                      target: ("≥ \(minutes(targets.medianWarningLeadMinutes))", { $0.medianWarningLead })) {
                minutes($0.medianWarningLeadMinutes)
            },
            MetricRow(label: "Minimum warning lead") { minutes($0.minimumWarningLeadMinutes) },
            MetricRow(label: "Median critical lead") { minutes($0.medianCriticalLeadMinutes) },
            MetricRow(label: "Median freeze lead") { minutes($0.medianFreezeLeadMinutes) },
            MetricRow(label: "False alarms (+ undecided)") { "\(count($0.falseAlarms)) (+\(count($0.undecidedAlarms)))" },
            MetricRow(label: "False alarm rate (undecided count as false)", target: ("≤ \(percent(targets.falseAlarmRate))", { $0.falseAlarmRate })) {
                percent($0.falseAlarmRate)
            },
            MetricRow(label: "False alarm rate of decided warnings") { percent($0.decidedFalseAlarmRate) },
            MetricRow(label: "Alert transitions") { count($0.alertTransitions) },
            MetricRow(label: "Transitions per SKU-hour",
                      target: ("≤ \(plain(targets.transitionsPerSKUHour))", { $0.transitionsPerSKUHour })) {
                plain($0.transitionsPerSKUHour)
            },
            MetricRow(label: "Freezes") { count($0.freezes) },
            MetricRow(label: "Oversold units") { count($0.oversoldUnits) },
            MetricRow(label: "Unprotected oversold units") { count($0.unprotectedOversoldUnits) },
            MetricRow(label: "Units ordered while frozen") { count($0.unitsOrderedWhileFrozen) },
            MetricRow(label: "Forecast MAE (units)") { plain($0.forecastMAE) },
            MetricRow(label: "Forecast MAPE") { percent($0.forecastMAPE) },
        ]
    }

    static func comparison(_ report: BacktestReport) -> String {
        var html = "<h2>Policies compared</h2>\n"
        guard !report.policies.isEmpty else { return html + "<p>No policy was replayed.</p>\n" }
        html += "<p class=\"muted\">All SKUs, one column per policy. Rows with a target say pass or fail for each policy.</p>\n"
        let columns = report.policies.enumerated().map { index, policy in
            SummaryColumn(policy: policy, policyIndex: index, summary: policy.overall, check: policy.targets)
        }
        html += summaryTable(groups: [(nil, columns)], rows: metricRows(report.targets))
        html += "<div class=\"card scroll\">\n" + comparisonChart(report) + "\n</div>\n"
        return html
    }

    static func tiers(_ report: BacktestReport) -> String {
        let tiers = ordered(Array(Set(report.policies.flatMap(\.byTier.keys))),
                            preferred: ["traffic", "profit", "longtail", "untiered"])
        guard !tiers.isEmpty else { return "" }
        let groups: [(String?, [SummaryColumn])] = tiers.map { tier in
            let columns = report.policies.enumerated().compactMap { index, policy in
                policy.byTier[tier].map { SummaryColumn(policy: policy, policyIndex: index, summary: $0, check: nil) }
            }
            return (tier, columns)
        }
        let rows = metricRows(report.targets).map { row in MetricRow(label: row.label, value: row.value) }
        return "<h2>By tier</h2>\n<p class=\"muted\">The same figures per tier; targets are judged over all SKUs only.</p>\n"
            + summaryTable(groups: groups, rows: rows)
    }

    /// A table with a row per metric and a column per policy, grouped under a heading (a tier) when there is one.
    static func summaryTable(groups: [(heading: String?, columns: [SummaryColumn])], rows: [MetricRow]) -> String {
        let grouped = groups.contains { $0.heading != nil }
        var html = "<div class=\"scroll\"><table>\n<thead>\n"
        if grouped {
            html += "<tr><th></th>"
            for group in groups {
                html += "<th class=\"group\" colspan=\"\(group.columns.count)\">\(escape(group.heading ?? ""))</th>"
            }
            html += "</tr>\n"
        }
        let judged = rows.contains { $0.target != nil }
        html += "<tr><th>Metric</th>" + (judged ? "<th>Target</th>" : "")
        for group in groups {
            for (position, column) in group.columns.enumerated() {
                let separator = grouped && position == 0 ? " class=\"first-of-group\"" : ""
                var cell = policyName(column.policy, index: column.policyIndex)
                if !grouped, let path = column.policy.path {
                    cell += "<br><span class=\"muted small\"><code>\(escape(path))</code></span>"
                }
                html += "<th\(separator)>\(cell)</th>"
            }
        }
        html += "</tr>\n</thead>\n<tbody>\n"
        for row in rows {
            html += "<tr><th>\(escape(row.label))</th>"
            if judged { html += "<td class=\"num\">\(row.target.map { escape($0.text) } ?? "")</td>" }
            for group in groups {
                for (position, column) in group.columns.enumerated() {
                    let classes = grouped && position == 0 ? "num first-of-group" : "num"
                    var cell = escape(row.value(column.summary))
                    if let target = row.target, let check = column.check {
                        cell += verdict(target.isMet(check))
                    }
                    html += "<td class=\"\(classes)\">\(cell)</td>"
                }
            }
            html += "</tr>\n"
        }
        if judged {
            html += "<tr><th>Targets met</th><td></td>"
            for column in groups.flatMap(\.columns) {
                let checks = rows.compactMap { row in column.check.flatMap { check in row.target?.isMet(check) } }
                let met = checks.filter { $0 }.count
                html += "<td class=\"num\">\(met) of \(checks.count)\(verdict(met == checks.count))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n"
    }

    /// Bars per policy for the four judged figures, with the target as a dashed line and pass/fail above each bar.
    static func comparisonChart(_ report: BacktestReport) -> String {
        typealias Summary = BacktestReport.Summary
        typealias Check = BacktestReport.TargetCheck
        let targets = report.targets
        let panels: [(title: String, target: Double, targetText: String, value: (Summary) -> Double?, isMet: (Check) -> Bool)] = [
            ("Median warning lead (min)", targets.medianWarningLeadMinutes,
             "target ≥ \(minutes(targets.medianWarningLeadMinutes))", { $0.medianWarningLeadMinutes }, { $0.medianWarningLead }),
            ("Missed sell-outs", 0, "target 0", { Double($0.missedSellOuts) }, { $0.noMissedSellOut }),
            ("False alarm rate (%)", targets.falseAlarmRate * 100,
             "target ≤ \(percent(targets.falseAlarmRate))", { $0.falseAlarmRate.map { $0 * 100 } }, { $0.falseAlarmRate }),
            ("Alert transitions per SKU-hour", targets.transitionsPerSKUHour,
             "target ≤ \(plain(targets.transitionsPerSKUHour))", { $0.transitionsPerSKUHour }, { $0.transitionsPerSKUHour }),
        ]
        let panelWidth = 320.0, top = 48.0, plotBottom = 210.0
        var chart = SVGChart(width: panelWidth * Double(panels.count), height: 0)
        for (panelIndex, panel) in panels.enumerated() {
            let left = Double(panelIndex) * panelWidth + 44, right = Double(panelIndex + 1) * panelWidth - 20
            chart.text(panel.title, at: .init(x: left, y: 18), size: 13, fill: "#1f2328", bold: true)
            chart.text(panel.targetText, at: .init(x: left, y: 34), size: 11)
            let values = report.policies.map { panel.value($0.overall) }
            let largest = max(values.compactMap { $0 }.max() ?? 0, panel.target, 1)
            let ticks = SVGChart.niceTicks(lower: 0, upper: largest * 1.12, maximumCount: 5)
            let y = SVGChart.Scale(lower: ticks[0], upper: ticks[ticks.count - 1], from: plotBottom, to: top)
            chart.valueAxis(y, ticks: ticks, left: left, right: right)
            let slot = (right - left) / Double(max(values.count, 1))
            let barWidth = min(46, slot * 0.62)
            for (index, policy) in report.policies.enumerated() {
                let centre = left + slot * (Double(index) + 0.5)
                let isMet = panel.isMet(policy.targets)
                guard let value = values[index] else {
                    chart.text("n/a", at: .init(x: centre, y: plotBottom - 5), anchor: .middle, size: 11,
                               tooltip: "\(policy.name): no value")
                    continue
                }
                let valueText = plain(value)
                chart.rectangle(x: centre - barWidth / 2, y: y(value), width: barWidth, height: plotBottom - y(value),
                                fill: Palette.policy(index),
                                tooltip: "\(policy.name): \(valueText) (\(panel.targetText), \(isMet ? "pass" : "fail"))")
                chart.text("\(valueText) \(isMet ? "✓" : "✗")", at: .init(x: centre, y: y(value) - 5), anchor: .middle,
                           size: 11, fill: isMet ? "#1a5e20" : "#9b1111", bold: true)
            }
            chart.line(from: .init(x: left, y: plotBottom), to: .init(x: right, y: plotBottom),
                       stroke: .init(colour: "#59636e"))
            chart.line(from: .init(x: left, y: y(panel.target)), to: .init(x: right, y: y(panel.target)),
                       stroke: .init(colour: "#1f2328", width: 1.5, dash: "6 4"))
        }
        let entries = report.policies.enumerated().map { index, policy in
            (key: SVGChart.LegendKey.swatch(colour: Palette.policy(index)), label: policy.name)
        }
        chart.height = chart.legend(entries, at: .init(x: 44, y: plotBottom + 26), maximumX: chart.width - 20) + 8
        return chart.rendered(label: "Policies compared on the judged figures")
    }

    // MARK: SKUs

    /// A SKU's history with its outcome under each policy, in policy order (nil where a policy has none).
    struct SKUEntry {
        var history: BacktestReport.SKUHistory
        var outcomes: [BacktestReport.SKUOutcome?]

        var isAlerted: Bool {
            outcomes.contains { $0?.marks.contains { $0.kind == "alert" } ?? false }
        }
    }

    /// SKUs in reading order: sold out first (missed by some policy first, then by sell-out time), then those some
    /// policy alerted on (false alarms first, then the busiest), then the quiet rest by SKU.
    static func orderedSKUs(_ report: BacktestReport) -> [SKUEntry] {
        let outcomesByPolicy = report.policies.map { policy in
            Dictionary(policy.outcomes.map { ($0.sku, $0) }, uniquingKeysWith: { first, _ in first })
        }
        let entries = report.skus.map { history in
            SKUEntry(history: history, outcomes: outcomesByPolicy.map { $0[history.sku] })
        }
        func rank(_ entry: SKUEntry) -> (group: Int, flagged: Int, order: Int64) {
            let outcomes = entry.outcomes.compactMap { $0 }
            if let soldOutAt = entry.history.soldOutAt {
                return (0, outcomes.contains { $0.missedSellOut } ? 0 : 1, soldOutAt)
            }
            if entry.isAlerted {
                let transitions = outcomes.reduce(0) { $0 + $1.alertTransitions }
                return (1, outcomes.contains { $0.falseAlarm == true } ? 0 : 1, -Int64(transitions))
            }
            return (2, 0, 0)
        }
        let ranked = entries.enumerated().map { (rank: rank($0.element), position: $0.offset, entry: $0.element) }
        return ranked.sorted { lhs, rhs in
            (lhs.rank.group, lhs.rank.flagged, lhs.rank.order, lhs.entry.history.sku, lhs.position)
                < (rhs.rank.group, rhs.rank.flagged, rhs.rank.order, rhs.entry.history.sku, rhs.position)
        }.map(\.entry)
    }

    static func skuSection(_ report: BacktestReport) -> String {
        let entries = orderedSKUs(report)
        var html = "<h2>SKUs</h2>\n"
        guard !entries.isEmpty else { return html + "<p>No SKU had stock.</p>\n" }
        let charted = entries.prefix(maximumChartedSKUs)
        let listed = entries.dropFirst(maximumChartedSKUs)
        html += "<p class=\"muted\">Sold-out SKUs first (those some policy missed first, then by sell-out time), then SKUs "
            + "some policy alerted on (false alarms first), then the rest. Each chart shows available units as a step line, "
            + "stock as a faint line, the sell-out as a dashed vertical line, and under it one lane of alerts (upper row) "
            + "and commands (lower row) per policy; hover a mark for its time, transition and reason.</p>\n"
        if !listed.isEmpty {
            html += "<p><strong>\(count(entries.count)) SKUs: charts for the \(count(charted.count)) most interesting; "
                + "the other \(count(listed.count)) are listed in the table at the end of the page.</strong></p>\n"
        }
        let domain = timeDomain(report)
        for (index, entry) in charted.enumerated() {
            html += skuCard(entry, index: index, policies: report.policies, domain: domain)
        }
        if !listed.isEmpty {
            html += compactTable(Array(listed), policies: report.policies)
        }
        return html
    }

    static func skuCard(_ entry: SKUEntry, index: Int, policies: [BacktestReport.PolicyResult],
                        domain: (start: Int64, end: Int64)) -> String {
        let history = entry.history
        var title = "<code>\(escape(history.sku))</code>"
        if let name = history.name { title += " · \(escape(name))" }
        var facts = ["tier \(escape(history.tier ?? "untiered"))", "task \(history.partition)",
                     "sold \(count(history.soldUnits))", "sell-through \(percent(history.sellThrough))",
                     "closing available \(count(history.closingAvailable)) of stock \(count(history.closingStock))"]
        if history.peakOversoldUnits > 0 { facts.append("<span class=\"bad\">peak oversold \(count(history.peakOversoldUnits))</span>") }
        facts.append(history.soldOutAt.map { "<strong>sold out \(SVGChart.clock($0, seconds: true))</strong>" } ?? "did not sell out")
        return "<section class=\"card sku\" id=\"sku-\(index + 1)\">\n<h3>\(title)</h3>\n"
            + "<div class=\"muted small\">\(facts.joined(separator: " · "))</div>\n<div class=\"sku-body\">\n"
            + skuChart(entry, policies: policies, domain: domain) + "\n" + outcomeTable(entry, policies: policies)
            + "</div>\n</section>\n"
    }

    /// The report's event-time span, or that of its curves and marks when the input has none.
    static func timeDomain(_ report: BacktestReport) -> (start: Int64, end: Int64) {
        if let first = report.input.firstEventTime, let last = report.input.lastEventTime {
            return (first, last)
        }
        let times = report.skus.flatMap { $0.curve.map(\.time) }
            + report.policies.flatMap { $0.outcomes.flatMap { $0.marks.map(\.time) } }
        return (times.min() ?? 0, times.max() ?? 0)
    }

    /// The stock curve with the sell-out and a lane of marks per policy, on the report's shared time axis.
    static func skuChart(_ entry: SKUEntry, policies: [BacktestReport.PolicyResult],
                         domain: (start: Int64, end: Int64)) -> String {
        typealias Point = SVGChart.Point
        let history = entry.history
        let width = 740.0, left = 118.0, right = width - 14, laneHeight = 26.0
        var chart = SVGChart(width: width, height: 0)
        let legendBottom = chart.legend(legendEntries, at: Point(x: left, y: 12), maximumX: right)
        let top = legendBottom + 14, plotBottom = top + 180, lanesTop = plotBottom + 8
        let bottom = lanesTop + laneHeight * Double(policies.count)
        chart.height = bottom + 22

        let times = history.curve.map(\.time) + entry.outcomes.flatMap { $0?.marks.map(\.time) ?? [] }
            + [history.soldOutAt].compactMap { $0 }
        let start = min(domain.start, times.min() ?? domain.start)
        let end = max(domain.end, times.max() ?? domain.end, start + SVGChart.millisecondsPerMinute)
        let x = SVGChart.Scale(lower: Double(start), upper: Double(end), from: left, to: right)
        let units = history.curve.flatMap { [$0.available, $0.stock] }
        let ticks = SVGChart.niceTicks(lower: Double(min(0, units.min() ?? 0)), upper: Double(max(1, units.max() ?? 1)),
                                       maximumCount: 6, minimumStep: 1)
        let y = SVGChart.Scale(lower: ticks[0], upper: ticks[ticks.count - 1], from: plotBottom, to: top)

        chart.rectangle(x: left, y: top, width: right - left, height: plotBottom - top, fill: "#ffffff",
                        stroke: .init(colour: "#d0d7de"))
        for lane in policies.indices where lane % 2 == 0 {
            chart.rectangle(x: left, y: lanesTop + laneHeight * Double(lane), width: right - left, height: laneHeight,
                            fill: "#f3f5f7")
        }
        chart.valueAxis(y, ticks: ticks, left: left, right: right)
        chart.timeAxis(x, ticks: SVGChart.timeTicks(from: start, to: end, maximumCount: 9), top: top, bottom: bottom)
        chart.text("units", at: Point(x: left - 6, y: top - 6), anchor: .end, size: 10)
        chart.line(from: Point(x: left, y: y(0)), to: Point(x: right, y: y(0)), stroke: .init(colour: Palette.zero, width: 1.2))
        let stockPoints = history.curve.map { Point(x: x(Double($0.time)), y: y(Double($0.stock))) }
        chart.stepLine(stockPoints, through: right, stroke: .init(colour: Palette.stock, width: 1.5, opacity: 0.7))
        let availablePoints = history.curve.map { Point(x: x(Double($0.time)), y: y(Double($0.available))) }
        chart.stepLine(availablePoints, through: right, stroke: .init(colour: Palette.available, width: 2))
        if let soldOutAt = history.soldOutAt {
            let soldOutX = x(Double(soldOutAt))
            chart.line(from: Point(x: soldOutX, y: top), to: Point(x: soldOutX, y: bottom),
                       stroke: .init(colour: Palette.soldOut, width: 1.5, dash: "5 3"))
            let nearRightEdge = soldOutX > right - 110
            chart.text("sold out \(SVGChart.clock(soldOutAt))",
                       at: Point(x: soldOutX + (nearRightEdge ? -5 : 5), y: top + 13),
                       anchor: nearRightEdge ? .end : .start, size: 11, fill: Palette.soldOut, bold: true)
        }
        for (lane, policy) in policies.enumerated() {
            let laneTop = lanesTop + laneHeight * Double(lane)
            chart.text(SVGChart.truncated(policy.name, maximumWidth: left - 20, size: 11),
                       at: Point(x: left - 8, y: laneTop + laneHeight / 2 + 4), anchor: .end, size: 11,
                       fill: "#1f2328", tooltip: policy.name)
            let marks = entry.outcomes[lane]?.marks ?? []
            drawLane(marks, policy: policy.name, alertY: laneTop + 8, commandY: laneTop + 19, end: end, x: x,
                     chart: &chart)
        }
        let label = "Stock of \(history.sku)" + (history.name.map { " (\($0))" } ?? "") + " with each policy's alerts"
        return chart.rendered(label: label)
    }

    static let legendEntries: [(key: SVGChart.LegendKey, label: String)] = [
        (.line(.init(colour: Palette.available, width: 2)), "available"),
        (.line(.init(colour: Palette.stock, width: 1.5, opacity: 0.7)), "stock"),
        (.line(.init(colour: Palette.soldOut, width: 1.5, dash: "5 3")), "sold out"),
        (.symbol(.disc, colour: Palette.notice), "notice"),
        (.symbol(.disc, colour: Palette.warning), "warning"),
        (.symbol(.disc, colour: Palette.critical), "critical"),
        (.symbol(.triangleDown, colour: Palette.otherCommand), "de-escalated"),
        (.symbol(.ring, colour: Palette.otherCommand), "resolved"),
        (.symbol(.square, colour: Palette.freeze), "freeze"),
        (.symbol(.hollowSquare, colour: Palette.freeze), "unfreeze"),
        (.symbol(.diamond, colour: Palette.otherCommand), "other command"),
    ]

    /// One policy's marks: faint bars for the time spent at each level and frozen, then the marks on top.
    static func drawLane(_ marks: [BacktestReport.Mark], policy: String, alertY: Double, commandY: Double, end: Int64,
                         x: SVGChart.Scale, chart: inout SVGChart) {
        var level: (label: String, since: Int64)?
        var frozenSince: Int64?
        func span(_ from: Int64, _ to: Int64, y: Double, colour: String, what: String) {
            chart.rectangle(x: x(Double(from)), y: y - 3, width: x(Double(to)) - x(Double(from)), height: 6, fill: colour,
                            opacity: 0.35,
                            tooltip: "\(policy): \(what) \(SVGChart.clock(from, seconds: true))–\(SVGChart.clock(to, seconds: true))")
        }
        for mark in marks {
            if mark.kind == "alert" {
                if let current = level {
                    span(current.since, mark.time, y: alertY, colour: Palette.level(current.label), what: current.label)
                }
                level = mark.transition == "resolved" ? nil : (mark.label, mark.time)
            } else if mark.label == "freeze", frozenSince == nil {
                frozenSince = mark.time
            } else if mark.label == "unfreeze", let since = frozenSince {
                span(since, mark.time, y: commandY, colour: Palette.freeze, what: "frozen")
                frozenSince = nil
            }
        }
        if let current = level { span(current.since, end, y: alertY, colour: Palette.level(current.label), what: current.label) }
        if let since = frozenSince { span(since, end, y: commandY, colour: Palette.freeze, what: "frozen") }

        for mark in marks {
            let isAlert = mark.kind == "alert"
            let symbol: SVGChart.Symbol
            let colour: String
            switch (isAlert, mark.transition ?? "", mark.label) {
            case (true, "deescalated", _), (true, "de-escalated", _): (symbol, colour) = (.triangleDown, Palette.level(mark.label))
            case (true, "resolved", _): (symbol, colour) = (.ring, Palette.level(mark.label))
            case (true, _, _): (symbol, colour) = (.disc, Palette.level(mark.label))
            case (false, _, "freeze"): (symbol, colour) = (.square, Palette.freeze)
            case (false, _, "unfreeze"): (symbol, colour) = (.hollowSquare, Palette.freeze)
            default: (symbol, colour) = (.diamond, Palette.otherCommand)
            }
            var tooltip = "\(policy) · \(SVGChart.clock(mark.time, seconds: true)) UTC · \(mark.kind) \(mark.label)"
            if let transition = mark.transition { tooltip += " (\(transition))" }
            tooltip += " · available \(mark.available)"
            if !mark.reason.isEmpty { tooltip += " · \(mark.reason)" }
            chart.symbol(symbol, at: .init(x: x(Double(mark.time)), y: isAlert ? alertY : commandY), size: 10,
                         colour: colour, tooltip: tooltip)
        }
    }

    /// That SKU's outcome under each policy, side by side.
    static func outcomeTable(_ entry: SKUEntry, policies: [BacktestReport.PolicyResult]) -> String {
        let soldOut = entry.history.soldOutAt != nil
        let rows: [(String, (BacktestReport.SKUOutcome) -> String)] = [
            ("First notice", { levelReached($0, "notice") }),
            ("First warning", { levelReached($0, "warning") }),
            ("First critical", { levelReached($0, "critical") }),
            ("First freeze", { outcome in
                outcome.firstFreezeAt.map { clockWithLead($0, lead: outcome.freezeLeadMinutes) } ?? "—"
            }),
            ("Freezes / unfreezes", { "\($0.freezes) / \($0.unfreezes)" }),
            ("Alert transitions", { count($0.alertTransitions) }),
            ("False alarm", { falseAlarmText($0) }),
            ("Missed sell-out", { soldOut ? ($0.missedSellOut ? "<span class=\"bad\">yes</span>" : "no") : "—" }),
            ("Unprotected oversold", { count($0.unprotectedOversoldUnits) }),
            ("Ordered while frozen", { count($0.unitsOrderedWhileFrozen) }),
            ("Forecast MAE / MAPE", { "\(plain($0.forecastMAE)) / \(percent($0.forecastMAPE))" }),
        ]
        var html = "<table>\n<thead><tr><th></th>"
        for (index, policy) in policies.enumerated() {
            html += "<th>\(policyName(policy, index: index))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for (label, value) in rows {
            html += "<tr><th>\(label)</th>"
            for outcome in entry.outcomes {
                html += "<td class=\"num\">\(outcome.map(value) ?? "—")</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table>\n"
    }

    /// The SKUs beyond the charted ones, one line each.
    static func compactTable(_ entries: [SKUEntry], policies: [BacktestReport.PolicyResult]) -> String {
        var html = "<h2>Other SKUs (not charted)</h2>\n<div class=\"scroll\"><table>\n<thead><tr><th>SKU</th><th>Name</th>"
            + "<th>Tier</th><th class=\"num\">Sold</th><th class=\"num\">Sell-through</th><th class=\"num\">Available</th>"
            + "<th>Sold out</th>"
        for (index, policy) in policies.enumerated() {
            html += "<th>\(policyName(policy, index: index))</th>"
        }
        html += "</tr></thead>\n<tbody>\n"
        for entry in entries {
            let history = entry.history
            html += "<tr><td><code>\(escape(history.sku))</code></td><td>\(escape(history.name ?? ""))</td>"
                + "<td>\(escape(history.tier ?? "untiered"))</td><td class=\"num\">\(count(history.soldUnits))</td>"
                + "<td class=\"num\">\(percent(history.sellThrough))</td>"
                + "<td class=\"num\">\(count(history.closingAvailable))</td>"
                + "<td>\(history.soldOutAt.map { SVGChart.clock($0, seconds: true) } ?? "—")</td>"
            for outcome in entry.outcomes {
                guard let outcome else {
                    html += "<td>—</td>"
                    continue
                }
                var parts = [outcome.firstLevelAt["warning"].map { "warning \(SVGChart.clock($0))" } ?? "no warning"]
                if outcome.falseAlarm == true { parts.append("<span class=\"bad\">false alarm</span>") }
                if outcome.missedSellOut { parts.append("<span class=\"bad\">missed</span>") }
                if outcome.freezes > 0 { parts.append("\(outcome.freezes) freeze\(outcome.freezes == 1 ? "" : "s")") }
                html += "<td>\(parts.joined(separator: " · "))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody>\n</table></div>\n"
    }

    static func levelReached(_ outcome: BacktestReport.SKUOutcome, _ level: String) -> String {
        outcome.firstLevelAt[level].map { clockWithLead($0, lead: outcome.leadMinutes[level]) } ?? "—"
    }

    /// `20:31 · 12.5 min ahead`, or `… late` when it came after the sell-out.
    static func clockWithLead(_ time: Int64, lead: Double?) -> String {
        let clock = SVGChart.clock(time)
        guard let lead else { return clock }
        return lead < 0 ? "\(clock) · <span class=\"bad\">\(minutes(-lead)) late</span>" : "\(clock) · \(minutes(lead)) ahead"
    }

    static func falseAlarmText(_ outcome: BacktestReport.SKUOutcome) -> String {
        switch outcome.falseAlarm {
        case true?: "<span class=\"bad\">yes</span>"
        case false?: "no"
        case nil:
            outcome.firstLevelAt["warning"] != nil || outcome.firstLevelAt["critical"] != nil ? "undecided" : "—"
        }
    }

    // MARK: Text

    static func escape(_ text: String) -> String {
        SVGChart.escape(text)
    }

    static func policyName(_ policy: BacktestReport.PolicyResult, index: Int) -> String {
        "<span class=\"chip\" style=\"background:\(Palette.policy(index))\"></span>\(escape(policy.name))"
    }

    /// A pass/fail badge, in words as well as colour.
    static func verdict(_ isMet: Bool) -> String {
        isMet ? "<span class=\"badge pass\">✓ pass</span>" : "<span class=\"badge fail\">✗ fail</span>"
    }

    /// `keys` with the `preferred` ones first in that order, then the others sorted.
    static func ordered(_ keys: [String], preferred: [String]) -> [String] {
        preferred.filter(keys.contains) + keys.filter { !preferred.contains($0) }.sorted()
    }

    static func count<Count: BinaryInteger>(_ value: Count) -> String {
        let digits = String(value.magnitude)
        var grouped = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { grouped += "," }
            grouped.append(digit)
        }
        return (value < 0 ? "-" : "") + grouped
    }

    static func minutes(_ value: Double?) -> String {
        value.map { "\(SVGChart.decimal($0, digits: 1, trimmingZeros: true)) min" } ?? "—"
    }

    static func percent(_ fraction: Double?) -> String {
        fraction.map { "\(SVGChart.decimal($0 * 100, digits: 1, trimmingZeros: true))%" } ?? "—"
    }

    static func plain(_ value: Double?) -> String {
        value.map { SVGChart.decimal($0, digits: 2, trimmingZeros: true) } ?? "—"
    }

    static func timeSpan(_ input: BacktestReport.Input) -> String {
        guard let first = input.firstEventTime, let last = input.lastEventTime else { return "no records" }
        let firstText = SVGChart.dateTime(first), lastText = SVGChart.dateTime(last)
        let lastShown = firstText.prefix(10) == lastText.prefix(10) ? String(lastText.dropFirst(11)) : lastText
        let seconds = max(0, last - first) / 1000
        let length = seconds >= 3600 ? "\(seconds / 3600) h \(seconds / 60 % 60) min"
            : seconds >= 60 ? "\(seconds / 60) min \(seconds % 60) s" : "\(seconds) s"
        return "\(firstText) – \(lastShown) UTC (\(length))"
    }
}
