import CRdKafka

/// An error raised by the `Kafka` module.
///
/// `message` carries librdkafka's own text (its `errstr`, `rd_kafka_err2str` or
/// `rd_kafka_error_string`) together with what StockSentry was doing.
public struct KafkaError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure. New codes may be added, so `switch` with a `default`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Backing: Hashable, Sendable {
            case configuration, rdKafka, timeout, metadata, delivery, closed, mockCluster, admin, rebalance, transaction
        }

        private let backing: Backing

        private init(_ backing: Backing) { self.backing = backing }

        /// A configuration property was rejected (unknown name, bad value, inconsistent set).
        public static let configuration = Code(.configuration)
        /// A librdkafka call failed; `rdKafkaCode` says which error.
        public static let rdKafka = Code(.rdKafka)
        /// An operation did not finish before its deadline.
        public static let timeout = Code(.timeout)
        /// Cluster metadata was unavailable, or a topic does not exist.
        public static let metadata = Code(.metadata)
        /// A produced record could not be delivered.
        public static let delivery = Code(.delivery)
        /// The client was already closed.
        public static let closed = Code(.closed)
        /// The librdkafka mock cluster (dev broker) failed.
        public static let mockCluster = Code(.mockCluster)
        /// An Admin API request failed.
        public static let admin = Code(.admin)
        /// Handling a consumer-group rebalance failed (reading committed offsets, assigning).
        public static let rebalance = Code(.rebalance)
        /// A transactional producer call (`initTransactions`, `beginTransaction`,
        /// `sendOffsetsToTransaction`, `commitTransaction`, `abortTransaction`) failed; read
        /// `isFatal`, `requiresAbort` and `isRetriable` to decide what to do next.
        public static let transaction = Code(.transaction)

        /// The code's name, e.g. `configuration`.
        public var description: String {
            switch backing {
            case .configuration: "configuration"
            case .rdKafka: "rdKafka"
            case .timeout: "timeout"
            case .metadata: "metadata"
            case .delivery: "delivery"
            case .closed: "closed"
            case .mockCluster: "mockCluster"
            case .admin: "admin"
            case .rebalance: "rebalance"
            case .transaction: "transaction"
            }
        }
    }

    /// The kind of failure.
    public var code: Code
    /// What happened, including librdkafka's own message text.
    public var message: String
    /// librdkafka's `rd_kafka_resp_err_t` value, when the failure came from librdkafka.
    public var rdKafkaCode: Int32?
    /// True when librdkafka reports the client instance unusable (it must be recreated).
    public var isFatal: Bool
    /// True when librdkafka reports that retrying the operation may succeed.
    public var isRetriable: Bool
    /// True when librdkafka reports that the current transaction can no longer commit and must be
    /// aborted (`rd_kafka_error_txn_requires_abort`); the producer stays usable after the abort.
    public var requiresAbort: Bool
    /// The file (`#fileID`) that raised the error.
    public var file: String
    /// The line that raised the error.
    public var line: UInt

    /// Creates an error.
    /// - Parameters:
    ///   - code: The kind of failure.
    ///   - message: What happened, with librdkafka's text where there is one.
    ///   - rdKafkaCode: librdkafka's error code, if any.
    ///   - isFatal: Whether the client is unusable afterwards.
    ///   - isRetriable: Whether a retry may succeed.
    ///   - requiresAbort: Whether the current transaction must be aborted.
    public init(
        code: Code,
        message: String,
        rdKafkaCode: Int32? = nil,
        isFatal: Bool = false,
        isRetriable: Bool = false,
        requiresAbort: Bool = false,
        file: String = #fileID,
        line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.rdKafkaCode = rdKafkaCode
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.requiresAbort = requiresAbort
        self.file = file
        self.line = line
    }

    /// `KafkaError.<code>: <message>` plus librdkafka's code and where the error was raised.
    public var description: String {
        var text = "KafkaError.\(code): \(message)"
        if let rdKafkaCode { text += " (rd_kafka_resp_err_t \(rdKafkaCode))" }
        if isFatal { text += " [fatal]" }
        if requiresAbort { text += " [requires abort]" }
        if isRetriable { text += " [retriable]" }
        text += " at \(file):\(line)"
        return text
    }
}

extension KafkaError {
    /// An error from a plain `rd_kafka_resp_err_t`, with `rd_kafka_err2str`'s text.
    static func rdKafka(
        _ error: rd_kafka_resp_err_t,
        _ context: String,
        code: Code = .rdKafka,
        file: String = #fileID,
        line: UInt = #line
    ) -> KafkaError {
        let text = String(cString: rd_kafka_err2str(error))
        return KafkaError(
            code: error == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout : code,
            message: "\(context): \(text)",
            rdKafkaCode: error.rawValue,
            file: file,
            line: line
        )
    }

    /// Consumes (destroys) an `rd_kafka_error_t` and returns the equivalent `KafkaError`.
    static func consuming(
        _ error: OpaquePointer,
        _ context: String,
        code: Code = .rdKafka,
        file: String = #fileID,
        line: UInt = #line
    ) -> KafkaError {
        defer { rd_kafka_error_destroy(error) }
        let errorCode = rd_kafka_error_code(error)
        return KafkaError(
            code: errorCode == RD_KAFKA_RESP_ERR__TIMED_OUT ? .timeout : code,
            message: "\(context): \(String(cString: rd_kafka_error_string(error)))",
            rdKafkaCode: errorCode.rawValue,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            requiresAbort: rd_kafka_error_txn_requires_abort(error) != 0,
            file: file,
            line: line
        )
    }

    /// The client's fatal error (`rd_kafka_fatal_error`), if it has raised one.
    static func fatal(
        of handle: OpaquePointer,
        _ context: String,
        file: String = #fileID,
        line: UInt = #line
    ) -> KafkaError? {
        var buffer = [CChar](repeating: 0, count: 512)
        let errorCode = rd_kafka_fatal_error(handle, &buffer, buffer.count)
        guard errorCode != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(
            code: .rdKafka,
            message: "\(context): \(String(errorBuffer: buffer))",
            rdKafkaCode: errorCode.rawValue,
            isFatal: true,
            file: file,
            line: line
        )
    }
}
