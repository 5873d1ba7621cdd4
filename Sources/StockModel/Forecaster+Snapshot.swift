extension Forecaster {
    /// Writes every field: observation start, the four signals' windows, the 30-minute ring, totals,
    /// learned conversions, the pending forecast and the SKU's accuracy.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        writer.time(observedSince)
        paid.writeSnapshot(to: &writer)
        created.writeSnapshot(to: &writer)
        cartAdds.writeSnapshot(to: &writer)
        mentions.writeSnapshot(to: &writer)
        soldByMinute.writeSnapshot(to: &writer)
        writer.int64(paidUnitsTotal)
        writer.int64(cartUnitsTotal)
        writer.int64(mentionsTotal)
        writer.double(learnedPaidUnits)
        writer.double(learnedCartUnits)
        writer.double(learnedMentions)
        if let pending {
            writer.uint8(1)
            writer.time(pending.issuedAt)
            writer.int(pending.horizonMinutes)
            writer.double(pending.predictedUnits)
            writer.int64(pending.paidUnitsAtIssue)
            writer.int64(pending.cartUnitsAtIssue)
            writer.int64(pending.mentionsAtIssue)
        } else {
            writer.uint8(0)
        }
        accuracy.writeSnapshot(to: &writer)
    }

    /// Reads what ``writeSnapshot(to:)`` wrote.
    init(snapshotOf sku: String, from reader: inout SnapshotReader) throws(SnapshotDecodingError) {
        self.init(observedSince: try reader.time("the observation start of SKU \"\(sku)\""))
        paid = try SignalRates(snapshotFrom: &reader, "the paid units of SKU \"\(sku)\"")
        created = try SignalRates(snapshotFrom: &reader, "the created units of SKU \"\(sku)\"")
        cartAdds = try SignalRates(snapshotFrom: &reader, "the cart adds of SKU \"\(sku)\"")
        mentions = try SignalRates(snapshotFrom: &reader, "the mentions of SKU \"\(sku)\"")
        soldByMinute = try TrailingMinuteCounts(snapshotFrom: &reader, "the sold-by-minute ring of SKU \"\(sku)\"")
        paidUnitsTotal = try reader.int64("the paid units total of SKU \"\(sku)\"")
        cartUnitsTotal = try reader.int64("the cart units total of SKU \"\(sku)\"")
        mentionsTotal = try reader.int64("the mentions total of SKU \"\(sku)\"")
        learnedPaidUnits = try reader.double("the learned paid units of SKU \"\(sku)\"")
        learnedCartUnits = try reader.double("the learned cart units of SKU \"\(sku)\"")
        learnedMentions = try reader.double("the learned mentions of SKU \"\(sku)\"")
        let start = reader.offset
        switch try reader.uint8("the pending-forecast marker of SKU \"\(sku)\"") {
        case 0:
            pending = nil
        case 1:
            let issuedAt = try reader.time("the pending forecast's issue time of SKU \"\(sku)\"")
            let horizon = try reader.int64(
                "the pending forecast's horizon (minutes) of SKU \"\(sku)\"", in: -1_000_000...1_000_000)
            pending = PendingForecast(
                issuedAt: issuedAt, horizonMinutes: Int(horizon),
                predictedUnits: try reader.double("the pending forecast's predicted units of SKU \"\(sku)\""),
                paidUnitsAtIssue: try reader.int64("the pending forecast's paid units of SKU \"\(sku)\""),
                cartUnitsAtIssue: try reader.int64("the pending forecast's cart units of SKU \"\(sku)\""),
                mentionsAtIssue: try reader.int64("the pending forecast's mentions of SKU \"\(sku)\""))
        case let marker:
            throw reader.error("the pending-forecast marker of SKU \"\(sku)\" is \(marker), not 0 or 1", at: start)
        }
        accuracy = try ForecastAccuracy(snapshotFrom: &reader, "the forecast accuracy of SKU \"\(sku)\"")
    }
}

extension ForecastAccuracy {
    /// Writes the two counts and the two error sums.
    func writeSnapshot(to writer: inout SnapshotWriter) {
        writer.int(scoredForecasts)
        writer.int(percentageScoredForecasts)
        writer.double(absoluteErrorSum)
        writer.double(absolutePercentageErrorSum)
    }

    /// Reads what ``writeSnapshot(to:)`` wrote.
    init(snapshotFrom reader: inout SnapshotReader, _ what: @autoclosure () -> String) throws(SnapshotDecodingError) {
        self.init()
        scoredForecasts = try reader.counter("the scored forecasts of \(what())")
        percentageScoredForecasts = try reader.counter("the percentage-scored forecasts of \(what())")
        absoluteErrorSum = try reader.double("the absolute error sum of \(what())")
        absolutePercentageErrorSum = try reader.double("the absolute percentage error sum of \(what())")
    }
}
