import EventLog
import Kafka
import Logging
import StockModel

/// One task: partition `p` of every input topic, the SKUs hashed to it, their ledger and alerts.
///
/// A value type owned by the service's processing loop. It decides (model) and returns what to
/// publish; the caller does the I/O. While it replays records the group had already committed
/// (rebuilding state from the input topics after an assignment) it applies them but publishes
/// nothing, because their outputs were published before.
struct TaskProcessor: Sendable {
    let partition: Int32
    private let topics: StockSentryConfiguration.Topics
    private let decoder: EventDecoder
    private(set) var book: StockBook
    private(set) var merger: PartitionMerger
    /// Per role: outputs of records below this offset were published by an earlier owner.
    private var restoreBoundary: [InputTopic: Int64] = [:]
    /// Per role: the next offset to commit (last processed + 1).
    private(set) var processedPositions: [InputTopic: Int64] = [:]
    /// The task's durable log, when the service runs with a data directory.
    private var log: TaskLog?
    private var recordsSinceSnapshot = 0
    private var lastSnapshot = ContinuousClock.now
    private var outputScratch: [StockOutput] = []
    /// What happened since the last ``takeCounters()``.
    private var counters = TaskCounters()

    init(partition: Int32, configuration: StockSentryConfiguration) {
        self.partition = partition
        self.topics = configuration.topics
        self.decoder = EventDecoder(maximumRecordBytes: configuration.maximumRecordBytes)
        self.book = StockBook(policy: configuration.policy, duplicateWindow: configuration.duplicateWindow)
        self.merger = PartitionMerger(maximumIdle: configuration.maximumTaskIdle)
    }

    /// Records that the group had committed `offset` for `role` before this task was assigned.
    mutating func setRestoreBoundary(_ role: InputTopic, committedOffset: Int64?) {
        restoreBoundary[role] = committedOffset ?? 0
    }

    /// True while any lane still replays records whose outputs were already published.
    var isRestoring: Bool {
        restoreBoundary.contains { role, boundary in (processedPositions[role] ?? 0) < boundary }
    }

    /// Opens the task's log in `directory` and folds every record it holds, in its logged order.
    ///
    /// Call after the restore boundaries are set: outputs of logged records past the group's
    /// committed offsets may not have been published before the restart, so they are published
    /// again (same IDs). Records the consumer hands over later that the log already holds are
    /// skipped by ``accept(_:role:)``.
    mutating func attachLog(directory: String, logger: Logger, into out: inout [OutgoingRecord]) throws {
        log = try TaskLog.open(directory: directory, logger: logger, restore: { snapshot in
            try self.restore(snapshot, directory: directory)
        }, replay: { logged in
            try self.replay(logged, into: &out)
        })
        recordsSinceSnapshot = 0
        lastSnapshot = .now
    }

    /// Closes the task's log and releases its directory lock (the task's state stays in memory).
    mutating func detachLog() {
        log = nil
    }

    /// Takes the state and positions a snapshot recorded.
    private mutating func restore(_ snapshot: Snapshot, directory: String) throws {
        do {
            book = try StockBook(snapshot: snapshot.state, policy: book.policy)
        } catch {
            throw StockSentryError(.io, "task log \(directory): the snapshot at \(snapshot.logPosition) passed its checksum but does not decode: \(error)")
        }
        merger.restore(streamTime: book.streamTime)
        for role in InputTopic.allCases {
            let key = Snapshot.sourceKey(topic: topics.name(of: role), partition: partition)
            if let next = snapshot.nextOffsets[key] {
                processedPositions[role] = next
                merger.noteReceived(role, offset: next - 1)
            }
        }
    }

    /// Whether `schedule` calls for a snapshot now: the task has a log and processed records since its last snapshot.
    func isSnapshotDue(_ schedule: SnapshotSchedule, now: ContinuousClock.Instant) -> Bool {
        guard log != nil, recordsSinceSnapshot > 0 else { return false }
        return schedule.shouldSnapshot(eventsSinceLast: recordsSinceSnapshot, elapsed: lastSnapshot.duration(to: now))
    }

    /// Snapshots the task's state when `schedule` says it is due; call right after ``commitLog()``.
    mutating func snapshotIfDue(_ schedule: SnapshotSchedule, now: ContinuousClock.Instant) async throws {
        guard let log, isSnapshotDue(schedule, now: now) else { return }
        var nextOffsets: [String: Int64] = [:]
        for (role, position) in processedPositions {
            nextOffsets[Snapshot.sourceKey(topic: topics.name(of: role), partition: partition)] = position
        }
        try await log.snapshot(state: book.snapshotBytes(), nextOffsets: nextOffsets)
        recordsSinceSnapshot = 0
        lastSnapshot = now
    }

    /// Folds the log in `directory` without changing it or publishing anything (for `inspect`).
    mutating func fold(logDirectory directory: String) throws {
        for role in InputTopic.allCases { restoreBoundary[role] = .max }
        var discarded: [OutgoingRecord] = []
        try TaskLog.read(directory: directory, repairingTornTail: false, restore: { snapshot in
            try self.restore(snapshot, directory: directory)
        }) { logged in
            try self.replay(logged, into: &discarded)
            discarded.removeAll(keepingCapacity: true)
        }
    }

    /// Every output the log in `directory` implies, published or not, in log order (for tests
    /// that check nothing was lost across crashes).
    mutating func foldOutputs(logDirectory directory: String) throws -> [OutgoingRecord] {
        for role in InputTopic.allCases { restoreBoundary[role] = 0 }
        var outputs: [OutgoingRecord] = []
        try TaskLog.read(directory: directory, repairingTornTail: false, useSnapshots: false, restore: { _ in }) { logged in
            try self.replay(logged, into: &outputs)
        }
        return outputs
    }

    /// Applies one logged record as the live run did: same decoding, same stream time.
    private mutating func replay(_ logged: LoggedRecord, into out: inout [OutgoingRecord]) throws {
        let record = logged.record
        guard let role = topics.role(of: record.topic) else { return }
        let buffered = buffer(record, role: role)
        merger.noteReceived(role, offset: record.offset)
        merger.advanceStreamTime(past: buffered)
        try process(buffered, into: &out, logging: false)
    }

    /// Writes and fsyncs the records this task appended since the last commit.
    func commitLog() async throws {
        guard let log, log.hasPendingRecords else { return }
        try await log.commit()
    }

    /// Decodes `record` and buffers it for the merge; a record already processed (a re-read of
    /// what the task log holds) is only noted.
    mutating func accept(_ record: KafkaRecord, role: InputTopic) {
        if let position = processedPositions[role], record.offset < position {
            merger.noteReceived(role, offset: record.offset)
            return
        }
        merger.enqueue(buffer(record, role: role))
    }

    private func buffer(_ record: KafkaRecord, role: InputTopic) -> BufferedRecord {
        Self.buffer(record, role: role, decoder: decoder)
    }

    /// Decodes `record` once for the merge; replay uses the same function so both order records alike.
    static func buffer(_ record: KafkaRecord, role: InputTopic, decoder: EventDecoder) -> BufferedRecord {
        let recordTime = record.timestampMilliseconds.map(EventTime.init(millisecondsSinceEpoch:))
        let decoded = decoder.decode(value: record.value, key: record.key, topic: role, recordTimestamp: recordTime)
        let mergeTime: EventTime
        switch decoded {
        case .success(let event): mergeTime = event.time
        case .failure:
            // A rejected record changes no state, so it goes out as soon as it reaches the head of
            // its partition instead of holding back on a timestamp it may not even have.
            mergeTime = EventTime(millisecondsSinceEpoch: .min)
        }
        return BufferedRecord(record: record, role: role, decoded: decoded, mergeTime: mergeTime)
    }

    mutating func updateHighWatermark(_ role: InputTopic, _ highWatermark: Int64?) {
        merger.updateHighWatermark(role, highWatermark)
    }

    /// Processes buffered records in merge order until the merger waits or runs dry, appending
    /// what must be published to `out`.
    /// - Returns: how many records were processed.
    /// - Throws: ``StockSentryError`` when the task log cannot take a record.
    @discardableResult
    mutating func drain(now: ContinuousClock.Instant, maximumRecords: Int, into out: inout [OutgoingRecord]) throws -> Int {
        var processed = 0
        while processed < maximumRecords, case .process(let buffered) = merger.next(now: now) {
            try process(buffered, into: &out, logging: true)
            processed += 1
        }
        return processed
    }

    private mutating func process(_ buffered: BufferedRecord, into out: inout [OutgoingRecord], logging: Bool) throws {
        if logging, let log {
            try log.append(buffered.record)
            recordsSinceSnapshot += 1
        }
        let offset = buffered.record.offset
        let publishes = offset >= (restoreBoundary[buffered.role] ?? 0)
        processedPositions[buffered.role] = offset + 1
        counters.processed += 1
        if !publishes { counters.restored += 1 }
        switch buffered.decoded {
        case .failure(let rejection):
            guard publishes else { return }
            counters.deadLetters += 1
            var value: [UInt8] = []
            DeadLetter(record: buffered.record, reason: rejection.reason).encodeJSON(into: &value)
            out.append(OutgoingRecord(topic: topics.deadLetter, key: buffered.record.key, value: value))
        case .success(let event):
            outputScratch.removeAll(keepingCapacity: true)
            if book.apply(event, outputs: &outputScratch) == .duplicate { counters.duplicates += 1 }
            // Per record, not per drained batch, so outputs depend only on the task's record order and a
            // fold of the same records (GeneratedSessionTests) or a replay gives the same bytes; the book
            // itself does work only when the watermark enters a new 10-second slot.
            if let streamTime = merger.streamTime { book.advanceWatermark(to: streamTime, outputs: &outputScratch) }
            guard publishes else { return }
            for output in outputScratch {
                var value: [UInt8] = []
                value.reserveCapacity(512)
                switch output {
                case .alert(let alert):
                    counters.alertTransitions += 1
                    if alert.transition == .raised || alert.transition == .escalated {
                        counters.alertsByLevel[alert.level, default: 0] += 1
                    }
                    alert.encodeJSON(into: &value)
                    out.append(OutgoingRecord(topic: topics.alerts, key: Array(alert.sku.utf8), value: value))
                case .command(let command):
                    counters.commandsByAction[command.action, default: 0] += 1
                    command.encodeJSON(into: &value)
                    out.append(OutgoingRecord(topic: topics.commands, key: Array(command.sku.utf8), value: value))
                }
            }
        }
    }
}

/// What one task did between two reports to ``StockMetrics``.
struct TaskCounters: Sendable {
    var processed = 0
    var restored = 0
    var deadLetters = 0
    var duplicates = 0
    var alertTransitions = 0
    var alertsByLevel: [AlertLevel: Int] = [:]
    var commandsByAction: [CommandAction: Int] = [:]
}

extension TaskProcessor {
    /// Returns the counters gathered since the previous call and starts again from zero.
    mutating func takeCounters() -> TaskCounters {
        defer { counters = TaskCounters() }
        return counters
    }
}
