/// Where one SKU stands in the alert and freeze state machine.
public struct AlertState: Sendable, Equatable {
    /// The level held now; nil when no alert holds.
    public internal(set) var level: AlertLevel?
    /// The ID of the open episode; nil when no alert holds.
    public internal(set) var alertID: String?
    /// True after a freeze command until the matching unfreeze.
    public internal(set) var isFrozen: Bool

    /// Creates the state of a SKU with no alert and no freeze.
    public init(level: AlertLevel? = nil, alertID: String? = nil, isFrozen: Bool = false) {
        self.level = level
        self.alertID = alertID
        self.isFrozen = isFrozen
    }
}
