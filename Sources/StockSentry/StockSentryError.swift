/// The error of the service layer: what happened, what to do about it, and where.
public struct StockSentryError: Error, CustomStringConvertible, Sendable {
    /// An extensible error category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        public var description: String { name }

        /// A flag, a policy file or a configuration value is wrong.
        public static let configuration = Code("configuration")
        /// The Kafka topics do not have the shape StockSentry needs.
        public static let topology = Code("topology")
        /// Reading or writing Kafka failed.
        public static let kafka = Code("kafka")
        /// Reading or writing a local file failed.
        public static let io = Code("io")
    }

    public var code: Code
    /// What happened and how to fix it.
    public var message: String
    /// The underlying error, when there is one.
    public var cause: (any Error & Sendable)?
    public var file: String
    public var line: UInt

    public init(
        _ code: Code, _ message: String, cause: (any Error & Sendable)? = nil,
        file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.cause = cause
        self.file = file
        self.line = line
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}
