import Kafka
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

    /// Decodes `record` and buffers it for the merge.
    mutating func accept(_ record: KafkaRecord, role: InputTopic) {
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
        merger.enqueue(BufferedRecord(record: record, role: role, decoded: decoded, mergeTime: mergeTime))
    }

    mutating func updateHighWatermark(_ role: InputTopic, _ highWatermark: Int64?) {
        merger.updateHighWatermark(role, highWatermark)
    }

    /// Processes buffered records in merge order until the merger waits or runs dry, appending
    /// what must be published to `out`.
    /// - Returns: how many records were processed.
    @discardableResult
    mutating func drain(now: ContinuousClock.Instant, maximumRecords: Int, into out: inout [OutgoingRecord]) -> Int {
        var processed = 0
        while processed < maximumRecords, case .process(let buffered) = merger.next(now: now) {
            process(buffered, into: &out)
            processed += 1
        }
        return processed
    }

    private mutating func process(_ buffered: BufferedRecord, into out: inout [OutgoingRecord]) {
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
