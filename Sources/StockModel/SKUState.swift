/// Everything a ``StockBook`` keeps about one SKU, stored together so an event finds it with one hash.
///
/// A part that was never created (no order or inventory yet, no evaluation yet) holds its empty value
/// and is marked absent in ``parts``, so the book answers nil for it as before.
struct SKUState: Sendable {
    /// Which parts exist; the bits are the snapshot's part bits.
    struct Parts: OptionSet, Sendable {
        let rawValue: UInt8
        static let ledger = Parts(rawValue: StockBookSnapshot.ledgerPart)
        static let alertState = Parts(rawValue: StockBookSnapshot.alertStatePart)
        static let forecaster = Parts(rawValue: StockBookSnapshot.forecasterPart)
        /// The SKU has an open alert, freeze, lowered exposure or cooldown.
        static let watched = Parts(rawValue: StockBookSnapshot.watchedPart)
    }

    var ledger: SKULedger
    var forecaster: Forecaster
    var alertState = AlertState()
    var parts: Parts = []

    /// An SKU with no parts yet.
    init(sku: String) {
        ledger = SKULedger(sku: sku)
        forecaster = Forecaster(observedSince: EventTime(millisecondsSinceEpoch: 0))
    }

    var sku: String { ledger.sku }
}
