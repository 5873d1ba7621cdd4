import CRdKafka
import Dispatch

/// Transactions (exactly-once read-process-write), for a producer made with
/// `KafkaProducerConfiguration.transactionalID` set.
///
/// The loop a task follows:
/// 1. Once, after `make`: `initTransactions(timeout:)`. It fences any older producer with the same
///    `transactionalID` and aborts or completes the transaction that one left open.
/// 2. Per batch: `beginTransaction()`, then `send` the output records, then
///    `sendOffsetsToTransaction(_:consumer:timeout:)` with the input positions (next offset to
///    read = last processed + 1) and the group consumer they came from, then
///    `commitTransaction(timeout:)`. The output records and the group's committed offsets become
///    visible together, or not at all. Do not also commit those offsets on the consumer.
///
/// What to do when a call throws a `KafkaError` (check in this order):
/// - `isFatal`: the producer is unusable (typically fenced by a newer instance with the same
///   `transactionalID`, i.e. another process now owns the task). Drop the producer; do not abort.
///   Stop the task, or create a new producer and start again at step 1.
/// - `requiresAbort`: the transaction cannot commit. Call `abortTransaction(timeout:)`, rewind the
///   input to the last committed offsets (or the local snapshot) and redo the batch in a new
///   transaction.
/// - `isRetriable` (or `code == .timeout`): the outcome is not known yet; call the same method
///   again (a retried `commitTransaction` finishes the commit already under way).
/// - anything else: treat as `requiresAbort`; if the abort fails too, recreate the producer.
///
/// All calls block the calling thread; the `async` variants run them on the producer's own
/// `DispatchQueue` so that the Swift cooperative pool never blocks. Call them from one task at a
/// time: a producer has at most one open transaction.
extension KafkaProducer {
    /// Registers the `transactionalID` with the transaction coordinator
    /// (`rd_kafka_init_transactions`); call once, before any other transactional call.
    /// - Throws: `KafkaError.transaction` (or `.timeout`) with librdkafka's message and flags;
    ///   `.timeout` and `isRetriable` errors may be retried.
    public func initTransactions(timeout: Duration) throws {
        try check(rd_kafka_init_transactions(client.handle, timeout.timeoutMilliseconds), "initializing transactions")
    }

    /// Starts a transaction (`rd_kafka_begin_transaction`); local, it does not contact the broker.
    /// - Throws: `KafkaError.transaction` with librdkafka's message and flags (e.g. when a
    ///   transaction is already open or `initTransactions` has not succeeded).
    public func beginTransaction() throws {
        try check(rd_kafka_begin_transaction(client.handle), "beginning a transaction")
    }

    /// Adds the consumer group's input positions to the open transaction
    /// (`rd_kafka_send_offsets_to_transaction` with `rd_kafka_consumer_group_metadata` of
    /// `consumer`): on commit they become the group's committed offsets.
    /// - Parameters:
    ///   - offsets: The next offset to read per input partition (last processed + 1). Empty: no-op.
    ///   - consumer: The group consumer the input was read with; it must be a current member.
    ///   - timeout: How long to wait for the group coordinator.
    /// - Throws: `KafkaError.transaction` (or `.timeout`) with librdkafka's message and flags.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaTopicPartition: Int64],
        consumer: KafkaConsumer,
        timeout: Duration
    ) throws {
        guard !offsets.isEmpty else { return }
        let list = RDKafkaTopicPartitionList(capacity: offsets.count)
        for (topicPartition, offset) in offsets {
            list.add(topicPartition, offset: offset)
        }
        try consumer.withGroupMetadata { metadata in
            try list.withListPointer { listPointer in
                try check(
                    rd_kafka_send_offsets_to_transaction(client.handle, listPointer, metadata, timeout.timeoutMilliseconds),
                    "sending offsets \(offsets) to the transaction"
                )
            }
        }
    }

    /// Flushes the transaction's records and commits it (`rd_kafka_commit_transaction`).
    /// - Throws: `KafkaError.transaction` (or `.timeout`) with librdkafka's message and flags; a
    ///   delivery failure of a record in the transaction shows up here with `requiresAbort`.
    public func commitTransaction(timeout: Duration) throws {
        try check(rd_kafka_commit_transaction(client.handle, timeout.timeoutMilliseconds), "committing the transaction")
        // Delivery reports of the committed records are served; a failure would have failed the commit.
        _ = client.context.takeDeliveryFailure()
    }

    /// Aborts the open transaction (`rd_kafka_abort_transaction`), purging its unsent records.
    /// - Throws: `KafkaError.transaction` (or `.timeout`) with librdkafka's message and flags;
    ///   `isRetriable`/`.timeout` may be retried, `isFatal` means the producer must be recreated.
    public func abortTransaction(timeout: Duration) throws {
        try check(rd_kafka_abort_transaction(client.handle, timeout.timeoutMilliseconds), "aborting the transaction")
        // The aborted records' delivery failures (purged) are expected, not news.
        _ = client.context.takeDeliveryFailure()
    }

    /// Same as `initTransactions(timeout:)`, run on the producer's own `DispatchQueue`.
    public func initTransactions(timeout: Duration) async throws {
        try await onQueue { try self.initTransactions(timeout: timeout) }
    }

    /// Same as `sendOffsetsToTransaction(_:consumer:timeout:)`, run on the producer's own `DispatchQueue`.
    public func sendOffsetsToTransaction(
        _ offsets: [KafkaTopicPartition: Int64],
        consumer: KafkaConsumer,
        timeout: Duration
    ) async throws {
        try await onQueue { try self.sendOffsetsToTransaction(offsets, consumer: consumer, timeout: timeout) }
    }

    /// Same as `commitTransaction(timeout:)`, run on the producer's own `DispatchQueue`.
    public func commitTransaction(timeout: Duration) async throws {
        try await onQueue { try self.commitTransaction(timeout: timeout) }
    }

    /// Same as `abortTransaction(timeout:)`, run on the producer's own `DispatchQueue`.
    public func abortTransaction(timeout: Duration) async throws {
        try await onQueue { try self.abortTransaction(timeout: timeout) }
    }

    // MARK: - Helpers

    /// Throws the `rd_kafka_error_t` (consumed) as a `.transaction` error, if there is one.
    private func check(_ error: OpaquePointer?, _ context: String) throws {
        guard let error else { return }
        throw KafkaError.consuming(error, context, code: .transaction)
    }

    private func onQueue(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
