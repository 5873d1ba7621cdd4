/// The policies side by side as a fixed-width table for a terminal: what `stocksentry replay` prints.
public enum BacktestSummaryTable {
    public static func text(_ report: BacktestReport) -> String {
        let policies = report.policies
        let targets = report.targets
        func minutes(_ value: Double?) -> String { value.map { format($0, 1) + " min" } ?? "—" }
        func rate(_ value: Double?) -> String { value.map { format($0 * 100, 1) + "%" } ?? "—" }
        func mark(_ pass: Bool) -> String { pass ? " ✓" : " ✗" }
        var rows: [(String, [String])] = []
        func row(_ label: String, _ cell: (BacktestReport.PolicyResult) -> String) {
            rows.append((label, policies.map(cell)))
        }
        row("SKUs with stock") { String($0.overall.skus) }
        row("sold out") { String($0.overall.soldOutSKUs) }
        row("warned (warning or critical)") { String($0.overall.warnedSKUs) }
        row("sold out without warning") { String($0.overall.missedSellOuts) + mark($0.targets.noMissedSellOut) }
        row("median warning lead (≥ \(format(targets.medianWarningLeadMinutes, 0)))") {
            minutes($0.overall.medianWarningLeadMinutes) + mark($0.targets.medianWarningLead)
        }
        row("shortest warning lead") { minutes($0.overall.minimumWarningLeadMinutes) }
        row("median critical lead") { minutes($0.overall.medianCriticalLeadMinutes) }
        row("median freeze lead") { minutes($0.overall.medianFreezeLeadMinutes) }
        row("false alarms (\(format(targets.falseAlarmHorizonMinutes, 0)) min)") {
            "\($0.overall.falseAlarms)" + ($0.overall.undecidedAlarms > 0 ? " (+\($0.overall.undecidedAlarms) undecided)" : "")
        }
        row("false-alarm rate (≤ \(format(targets.falseAlarmRate * 100, 0))%)") { rate($0.overall.falseAlarmRate) + mark($0.targets.falseAlarmRate) }
        row("  of decided warnings only") { rate($0.overall.decidedFalseAlarmRate) }
        row("alert transitions") { String($0.overall.alertTransitions) }
        row("per SKU-hour (≤ \(format(targets.transitionsPerSKUHour, 0)))") {
            ($0.overall.transitionsPerSKUHour.map { format($0, 2) } ?? "—") + mark($0.targets.transitionsPerSKUHour)
        }
        row("freezes") { String($0.overall.freezes) }
        row("oversold units (history)") { String($0.overall.oversoldUnits) }
        row("oversold while unfrozen") { String($0.overall.unprotectedOversoldUnits) }
        row("units ordered while frozen") { String($0.overall.unitsOrderedWhileFrozen) }
        row("forecast MAE / MAPE") {
            ($0.overall.forecastMAE.map { format($0, 2) } ?? "—") + " / " + rate($0.overall.forecastMAPE)
        }
        let labelWidth = rows.map { $0.0.count }.max() ?? 0
        let widths = policies.indices.map { index in
            max(policies[index].name.count, rows.map { $0.1[index].count }.max() ?? 0)
        }
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        var lines: [String] = []
        lines.append(pad("policy", labelWidth) + "  " + zip(policies, widths).map { pad($0.name, $1) }.joined(separator: "  "))
        lines.append(String(repeating: "─", count: labelWidth + widths.reduce(0) { $0 + $1 + 2 }))
        for (label, cells) in rows {
            lines.append(pad(label, labelWidth) + "  " + zip(cells, widths).map { pad($0, $1) }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }

    /// `value` with `digits` decimals, rounded half away from zero, as the HTML report prints it.
    public static func format(_ value: Double, _ digits: Int) -> String {
        SVGChart.decimal(value, digits: digits)
    }
}
