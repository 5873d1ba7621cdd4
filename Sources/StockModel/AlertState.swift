/// Where one SKU stands in the alert and command state machine.
public struct AlertState: Sendable, Equatable {
    /// The level held now; nil when no alert holds.
    public internal(set) var level: AlertLevel?
    /// The ID of the open episode; nil when no alert holds.
    public internal(set) var alertID: String?
    /// True after a freeze command until the matching unfreeze.
    public internal(set) var isFrozen: Bool
    /// Since when the current level has been clear (even with the margin); nil while it holds.
    public internal(set) var clearSince: EventTime?
    /// True after `lower_exposure` until `restore_exposure`.
    public internal(set) var isExposureLowered: Bool = false
    /// True after this episode's `low_stock_banner`.
    public internal(set) var isBannerShown: Bool = false
    /// The latest time the SKU was evaluated at.
    public internal(set) var evaluatedAt: EventTime?

    /// Creates the state of a SKU with no alert and no freeze.
    public init(level: AlertLevel? = nil, alertID: String? = nil, isFrozen: Bool = false) {
        self.level = level
        self.alertID = alertID
        self.isFrozen = isFrozen
    }

    /// True while watermark evaluation must look at the SKU: something is open that time alone can close.
    var needsWatermarkEvaluation: Bool {
        level != nil || isFrozen || isExposureLowered || clearSince != nil
    }
}
