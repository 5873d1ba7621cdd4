extension Duration {
    /// The span in whole milliseconds (rounded down), as librdkafka's `*.ms` properties and
    /// timeouts take it. Saturates at `Int32.max` so that C `int` parameters cannot overflow.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return seconds < 0 ? 0 : Int64(Int32.max) }
        return min(Int64(Int32.max), milliseconds.partialValue + attoseconds / 1_000_000_000_000_000)
    }

    /// `wholeMilliseconds` as a C `int`, clamped at 0.
    var timeoutMilliseconds: Int32 { Int32(clamping: max(0, wholeMilliseconds)) }
}

/// Validates a `Duration` option and renders it as a librdkafka millisecond value.
/// - Throws: `KafkaError.configuration` naming the option when it is below `minimum` milliseconds.
func millisecondsProperty(_ value: Duration, option: String, property: String, minimum: Int64) throws -> String {
    let milliseconds = value.wholeMilliseconds
    guard milliseconds >= minimum else {
        throw KafkaError(
            code: .configuration,
            message: "\(option) (\(property)) must be at least \(minimum) ms, got \(value)"
        )
    }
    return String(milliseconds)
}
