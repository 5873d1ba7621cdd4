/// Why a policy file was refused: the path of the bad field and what is wrong with it.
public struct PolicyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the field, e.g. `tiers.profit.share_levels.warning`; empty for the whole document.
    public var path: String
    /// What is wrong, with the value, e.g. `must be between 0 and 1, got 1.5`.
    public var message: String

    /// Creates a policy error.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, or the message alone for the whole document.
    public var description: String {
        path.isEmpty ? "policy: \(message)" : "policy \(path): \(message)"
    }
}
