/// Why snapshot bytes could not be restored into a ``StockBook``: what is wrong and where.
public struct SnapshotDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the field.
    public var message: String
    /// The offset in the snapshot's state bytes where the problem was found.
    public var byteOffset: Int

    /// Creates an error.
    public init(message: String, byteOffset: Int) {
        self.message = message
        self.byteOffset = byteOffset
    }

    /// `StockBook snapshot, byte <offset>: <message>`.
    public var description: String { "StockBook snapshot, byte \(byteOffset): \(message)" }
}
