/// The kind of an inventory record.
public enum InventoryKind: String, Sendable, CaseIterable {
    /// The sellable quantity is `qty` now (a recount or the opening stock); `qty ≥ 0`.
    case set
    /// A restock adds `qty`; `qty ≥ 1`.
    case receive
    /// A correction adds a signed, non-zero `qty`.
    case adjust
    /// Unsellable units are removed; `qty ≥ 1`.
    case damage
}
