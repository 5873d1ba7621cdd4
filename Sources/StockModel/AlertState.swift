/// Where one SKU stands in the alert and command state machine.
///
/// The flags and the presence of the two optional times share one byte, so the state takes 34 bytes
/// instead of 57; a time that is absent is stored as 0, so equality is the stored fields' equality.
public struct AlertState: Sendable, Equatable {
    private struct Flags: OptionSet, Sendable, Equatable {
        let rawValue: UInt8
        static let frozen = Flags(rawValue: 1 << 0)
        static let exposureLowered = Flags(rawValue: 1 << 1)
        static let bannerShown = Flags(rawValue: 1 << 2)
        static let hasClearSince = Flags(rawValue: 1 << 3)
        static let hasEvaluatedAt = Flags(rawValue: 1 << 4)
    }

    /// The ID of the open episode; nil when no alert holds.
    public internal(set) var alertID: String?
    private var clearSinceMilliseconds: Int64 = 0
    private var evaluatedAtMilliseconds: Int64 = 0
    /// The level held now; nil when no alert holds.
    public internal(set) var level: AlertLevel?
    private var flags: Flags = []

    /// True after a freeze command until the matching unfreeze.
    public internal(set) var isFrozen: Bool {
        get { flags.contains(.frozen) }
        set { flags.set(.frozen, newValue) }
    }

    /// Since when the current level has been clear (even with the margin); nil while it holds.
    public internal(set) var clearSince: EventTime? {
        get { time(clearSinceMilliseconds, ifPresent: .hasClearSince) }
        set { clearSinceMilliseconds = milliseconds(of: newValue, presence: .hasClearSince) }
    }

    /// True after `lower_exposure` until `restore_exposure`.
    public internal(set) var isExposureLowered: Bool {
        get { flags.contains(.exposureLowered) }
        set { flags.set(.exposureLowered, newValue) }
    }

    /// True after this episode's `low_stock_banner`.
    public internal(set) var isBannerShown: Bool {
        get { flags.contains(.bannerShown) }
        set { flags.set(.bannerShown, newValue) }
    }

    /// The latest time the SKU was evaluated at.
    public internal(set) var evaluatedAt: EventTime? {
        get { time(evaluatedAtMilliseconds, ifPresent: .hasEvaluatedAt) }
        set { evaluatedAtMilliseconds = milliseconds(of: newValue, presence: .hasEvaluatedAt) }
    }

    /// Creates the state of a SKU with no alert and no freeze.
    public init(level: AlertLevel? = nil, alertID: String? = nil, isFrozen: Bool = false) {
        self.level = level
        self.alertID = alertID
        self.isFrozen = isFrozen
    }

    /// The time stored as `milliseconds`, when `flag` says one is present.
    private func time(_ milliseconds: Int64, ifPresent flag: Flags) -> EventTime? {
        flags.contains(flag) ? EventTime(millisecondsSinceEpoch: milliseconds) : nil
    }

    /// Marks `flag` present when `time` is, and returns what to store: its milliseconds, or 0 when absent.
    private mutating func milliseconds(of time: EventTime?, presence flag: Flags) -> Int64 {
        flags.set(flag, time != nil)
        return time?.millisecondsSinceEpoch ?? 0
    }

    /// True while watermark evaluation must look at the SKU: something is open that time alone can close.
    var needsWatermarkEvaluation: Bool {
        level != nil || isFrozen || isExposureLowered || clearSince != nil
    }
}

extension OptionSet {
    /// Inserts `member` when `isOn`, removes it otherwise.
    fileprivate mutating func set(_ member: Element, _ isOn: Bool) {
        if isOn { insert(member) } else { remove(member) }
    }
}
