import CRdKafka
import Logging
import Synchronization

/// The state librdkafka's callbacks reach through the client's `opaque` pointer
/// (`rd_kafka_conf_set_opaque`, passed as an unretained `Unmanaged` reference).
///
/// Lifetime: the owning `RDKafkaClient` holds this object strongly and destroys its `rd_kafka_t`
/// in `deinit`, before its stored properties (this object) are released, so every callback runs
/// while the object is alive.
///
/// Threading rules:
/// - The rebalance callback runs on the thread inside `rd_kafka_consumer_poll` (or
///   `rd_kafka_consumer_close` / `rd_kafka_destroy`). It may call blocking librdkafka functions
///   (`rd_kafka_committed`, `rd_kafka_commit`, `rd_kafka_assign`) on the handle it is given, but
///   must not call back into `KafkaConsumer`. It only appends to `rebalanceState`, which the
///   polling thread drains after each `rd_kafka_consumer_poll`.
/// - The delivery-report callback runs inside `rd_kafka_poll` / `rd_kafka_flush` on the caller's
///   thread; it only updates `deliveryState`.
/// - The log callback runs on librdkafka's internal threads; it only calls the `Sendable` logger.
/// All mutable state is behind a `Mutex`, so the type is `Sendable` without `@unchecked`.
final class RDKafkaCallbackContext: Sendable {
    /// Rebalance outcomes not yet reported in a poll batch.
    struct RebalanceEvents {
        var assigned: [KafkaPartitionAssignment] = []
        var revoked: [KafkaTopicPartition] = []
        var errors: [KafkaError] = []
        /// A failure that makes the current assignment untrustworthy; the next poll throws it.
        var failure: KafkaError?
    }

    /// Delivery outcomes since the last `takeDeliveryFailure`.
    struct DeliveryState {
        var deliveredCount = 0
        var failedCount = 0
        var firstFailure: KafkaError?
    }

    /// Records sent under a delivery group (`KafkaProducer.send(…, deliveryGroup:)`) whose delivery
    /// has not been reported yet.
    struct DeliveryGroups {
        /// Unreported records per group number; groups with none are removed.
        var outstanding: [UInt64: Int] = [:]
        /// The highest group number sent so far; 0 before the first.
        var highestSent: UInt64 = 0

        /// The highest group number such that every record of it and of every lower group has been
        /// reported (delivered or failed).
        var completed: UInt64 {
            guard let lowest = outstanding.keys.min() else { return highestSent }
            return lowest - 1
        }
    }

    let logger: Logger
    let startAssignedPartitionsFromBeginning: Bool
    let committedOffsetsTimeout: Duration
    /// `KafkaConsumerConfiguration.assignmentStartOffsets`; called inside `assign`.
    let assignmentStartOffsets: (@Sendable ([KafkaTopicPartition]) -> [KafkaTopicPartition: Int64])?
    private let rebalanceEvents = Mutex(RebalanceEvents())
    private let deliveryState = Mutex(DeliveryState())
    private let deliveryGroups = Mutex(DeliveryGroups())

    init(
        logger: Logger,
        startAssignedPartitionsFromBeginning: Bool = false,
        assignmentStartOffsets: (@Sendable ([KafkaTopicPartition]) -> [KafkaTopicPartition: Int64])? = nil,
        committedOffsetsTimeout: Duration = .seconds(10)
    ) {
        self.logger = logger
        self.startAssignedPartitionsFromBeginning = startAssignedPartitionsFromBeginning
        self.assignmentStartOffsets = assignmentStartOffsets
        self.committedOffsetsTimeout = committedOffsetsTimeout
    }

    /// Returns and clears the rebalance outcomes recorded since the previous call.
    func takeRebalanceEvents() -> RebalanceEvents {
        rebalanceEvents.withLock { events in
            defer { events = RebalanceEvents() }
            return events
        }
    }

    /// True when a rebalance outcome was recorded since the last ``takeRebalanceEvents()``.
    var hasRebalanceEvents: Bool {
        rebalanceEvents.withLock { !$0.assigned.isEmpty || !$0.revoked.isEmpty || $0.failure != nil }
    }

    /// Returns and clears the first delivery failure since the previous call.
    func takeDeliveryFailure() -> KafkaError? {
        deliveryState.withLock { state in
            defer { state = DeliveryState() }
            return state.firstFailure
        }
    }

    /// Counts a record about to be enqueued under `group` (> 0, not below any earlier group).
    func registerDelivery(group: UInt64) {
        deliveryGroups.withLock { groups in
            precondition(group > 0 && group >= groups.highestSent,
                         "delivery group \(group) sent after group \(groups.highestSent): group numbers must not decrease")
            groups.outstanding[group, default: 0] += 1
            groups.highestSent = group
        }
    }

    /// Takes back ``registerDelivery(group:)`` for a record that librdkafka did not accept.
    func unregisterDelivery(group: UInt64) {
        deliveryGroups.withLock { groups in groups.release(group) }
    }

    /// See ``DeliveryGroups/completed``.
    var completedDeliveryGroup: UInt64 {
        deliveryGroups.withLock { $0.completed }
    }

    // MARK: - Rebalance (eager, `partition.assignment.strategy=range`)

    func rebalance(
        handle: OpaquePointer,
        error: rd_kafka_resp_err_t,
        partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>
    ) {
        switch error {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            assign(handle: handle, partitions: partitions)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            revoke(handle: handle, partitions: partitions)
        default:
            // librdkafka asks for the assignment to be dropped on any other rebalance error.
            let failure = KafkaError.rdKafka(error, "rebalance failed", code: .rebalance)
            logger.warning("Kafka rebalance error", metadata: [KafkaLoggingKeys.error: "\(failure.message)"])
            _ = rd_kafka_assign(handle, nil)
            rebalanceEvents.withLock { $0.errors.append(failure) }
        }
    }

    private func assign(handle: OpaquePointer, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let list = RDKafkaTopicPartitionList(copying: partitions)
        var failure: KafkaError?
        let committedError = list.withListPointer {
            rd_kafka_committed(handle, $0, committedOffsetsTimeout.timeoutMilliseconds)
        }
        let entries = list.entries
        if committedError != RD_KAFKA_RESP_ERR_NO_ERROR {
            failure = .rdKafka(committedError, "reading committed offsets of \(entries.map(\.topicPartition)) at assignment", code: .rebalance)
        } else if let bad = entries.first(where: { $0.error != RD_KAFKA_RESP_ERR_NO_ERROR }) {
            failure = .rdKafka(bad.error, "reading the committed offset of \(bad.topicPartition) at assignment", code: .rebalance)
        }
        let assignments = entries.map { entry in
            KafkaPartitionAssignment(
                topicPartition: entry.topicPartition,
                committedOffset: failure == nil && entry.offset >= 0 ? entry.offset : nil
            )
        }
        if startAssignedPartitionsFromBeginning {
            list.setAllOffsets(Int64(RD_KAFKA_OFFSET_BEGINNING))
        } else if failure != nil {
            // Let librdkafka fetch the committed offsets itself when it starts fetching.
            list.setAllOffsets(Int64(RD_KAFKA_OFFSET_INVALID))
        }
        if let assignmentStartOffsets {
            let chosen = assignmentStartOffsets(entries.map(\.topicPartition))
            if !chosen.isEmpty {
                list.setOffsets(chosen)
                logger.debug("Kafka assignment start offsets chosen by the caller", metadata: [
                    KafkaLoggingKeys.partitions: "\(chosen.map { "\($0.key)@\($0.value)" }.sorted())",
                ])
            }
        }
        let assignError = list.withListPointer { rd_kafka_assign(handle, $0) }
        if assignError != RD_KAFKA_RESP_ERR_NO_ERROR, failure == nil {
            failure = .rdKafka(assignError, "assigning \(entries.map(\.topicPartition))", code: .rebalance)
        }
        logger.debug("Kafka partitions assigned", metadata: [
            KafkaLoggingKeys.partitions: "\(assignments.map { "\($0.topicPartition)@\($0.committedOffset.map(String.init) ?? "none")" })",
        ])
        rebalanceEvents.withLock { events in
            events.assigned.append(contentsOf: assignments)
            if let failure, events.failure == nil { events.failure = failure }
        }
    }

    private func revoke(handle: OpaquePointer, partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        let revoked = RDKafkaTopicPartitionList.entries(of: partitions).map(\.topicPartition)
        // Commit what was processed before giving the partitions away, so that the next owner
        // does not re-read it.
        let commitError = rd_kafka_commit(handle, nil, 0)
        var commitFailure: KafkaError?
        if commitError != RD_KAFKA_RESP_ERR_NO_ERROR, commitError != RD_KAFKA_RESP_ERR__NO_OFFSET {
            commitFailure = .rdKafka(commitError, "committing stored offsets before revoking \(revoked)")
            logger.warning("Kafka commit at revocation failed", metadata: [KafkaLoggingKeys.error: "\(commitFailure!.message)"])
        }
        _ = rd_kafka_assign(handle, nil)
        logger.debug("Kafka partitions revoked", metadata: [KafkaLoggingKeys.partitions: "\(revoked)"])
        let revokedSet = Set(revoked)
        rebalanceEvents.withLock { events in
            // Net the batch so that "apply revoked, then assigned" gives the current assignment
            // even when a partition was assigned and revoked again within one poll.
            events.assigned.removeAll { revokedSet.contains($0.topicPartition) }
            events.revoked.append(contentsOf: revoked)
            if let commitFailure { events.errors.append(commitFailure) }
        }
    }

    // MARK: - Delivery reports

    func deliveryReport(_ message: UnsafePointer<rd_kafka_message_t>) {
        // The record's opaque carries its delivery group (0: none), see `KafkaProducer.send`.
        let group = UInt64(UInt(bitPattern: message.pointee._private))
        if group > 0 {
            deliveryGroups.withLock { groups in groups.release(group) }
        }
        let error = message.pointee.err
        guard error != RD_KAFKA_RESP_ERR_NO_ERROR else {
            deliveryState.withLock { $0.deliveredCount += 1 }
            return
        }
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
        let partition = message.pointee.partition >= 0 ? "[\(message.pointee.partition)]" : " (no partition chosen yet)"
        let failure = KafkaError(
            code: .delivery,
            message: "delivery to \(topic)\(partition) failed: \(String(cString: rd_kafka_err2str(error)))",
            rdKafkaCode: error.rawValue
        )
        deliveryState.withLock { state in
            state.failedCount += 1
            if state.firstFailure == nil { state.firstFailure = failure }
        }
    }

    // MARK: - Logging

    func log(level: Int32, facility: String, message: String, instance: String) {
        let metadata: Logger.Metadata = [KafkaLoggingKeys.facility: "\(facility)", KafkaLoggingKeys.instance: "\(instance)"]
        logger.log(level: Self.loggerLevel(syslogLevel: level), "\(message)", metadata: metadata)
    }

    /// Maps a syslog severity (librdkafka's log levels) to a swift-log level.
    static func loggerLevel(syslogLevel: Int32) -> Logger.Level {
        switch syslogLevel {
        case ...2: .critical
        case 3: .error
        case 4: .warning
        case 5: .notice
        case 6: .info
        default: .debug
        }
    }

    /// Maps a swift-log level to the syslog severity librdkafka should log up to (`log_level`).
    static func syslogLevel(for level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}

extension RDKafkaCallbackContext.DeliveryGroups {
    /// One record of `group` reported (or not enqueued after all).
    mutating func release(_ group: UInt64) {
        guard let count = outstanding[group] else { return }
        if count <= 1 {
            outstanding.removeValue(forKey: group)
        } else {
            outstanding[group] = count - 1
        }
    }
}
