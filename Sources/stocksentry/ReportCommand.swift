import ArgumentParser
import Foundation
import StockModel
import StockSentry

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Reconcile one recorded session: per SKU opening, received, sold, cancelled, refunded, damaged and closing stock.",
        discussion: """
            Folds the session with the live processor's ledger (duplicates dropped, order statuses forward-only) \
            and prints a table: movements per SKU, the difference from a physical count (--count-file, CSV \
            `sku,counted`), sell-through, the share of SKUs that sold at least one unit (动销率), slow movers and \
            anomalies (one buyer taking many units, refunds right after payment). With --output-dir it also writes \
            reconciliation.json and reconciliation.csv.
            """
    )

    @OptionGroup var input: ReplayInputOptions

    @Option(help: "Physical count file: CSV with header `sku,counted`.")
    var countFile: String?

    @Option(help: "Also write reconciliation.json and reconciliation.csv here.")
    var outputDir: String?

    @Option(help: "A buyer with at least this many paid units of one SKU is listed as an anomaly.")
    var bulkBuyerUnits: Int64 = 5

    @Option(help: "A refund within this many minutes of its payment is listed as an anomaly.")
    var quickRefundMinutes: Double = 10

    @Option(help: "SKUs with stock and sell-through below this fraction are slow movers.")
    var slowMoverSellThrough: Double = 0.10

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard bulkBuyerUnits >= 1 else { throw ValidationError("--bulk-buyer-units must be ≥ 1, got \(bulkBuyerUnits)") }
        guard quickRefundMinutes > 0 && quickRefundMinutes.isFinite else {
            throw ValidationError("--quick-refund-minutes must be > 0, got \(quickRefundMinutes)")
        }
        guard (0...1).contains(slowMoverSellThrough) else {
            throw ValidationError("--slow-mover-sell-through must be between 0 and 1, got \(slowMoverSellThrough)")
        }
    }

    func run() async throws {
        let logger = try logging.makeLogger(label: "stocksentry.report")
        let counts = try countFile.map(PhysicalCount.load(path:))
        let records = try await input.load(logger: logger)
        var reconciliation = Reconciliation(configuration: .init(
            bulkBuyerUnits: bulkBuyerUnits, quickRefundMinutes: quickRefundMinutes, slowMoverSellThrough: slowMoverSellThrough))
        var configuration = BacktestConfiguration()
        configuration.topics = input.topics.topics
        _ = Backtest.run(records, configuration: configuration) { reconciliation.record($0) }
        let report = reconciliation.report(physicalCounts: counts)
        printLine(report.textTable())
        if let outputDir {
            try ReplayReportFiles.writeReconciliation(report, to: outputDir)
            printLine("written: \(outputDir)/reconciliation.json, \(outputDir)/reconciliation.csv")
        }
    }
}
