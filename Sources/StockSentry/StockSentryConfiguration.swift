import Foundation
import StockModel

/// Everything `stocksentry run` needs, as plain data with documented defaults.
///
/// The CLI maps flags onto this value; nothing else reads flags or environment variables.
public struct StockSentryConfiguration: Sendable {
    /// Kafka topic names; every one can be overridden so a deployment can prefix or rename them.
    public struct Topics: Sendable, Equatable {
        /// Default: `orders`.
        public var orders: String = "orders"
        /// Default: `carts`.
        public var carts: String = "carts"
        /// Default: `interactions`.
        public var interactions: String = "interactions"
        /// Default: `inventory`.
        public var inventory: String = "inventory"
        /// Default: `stock-alerts`.
        public var alerts: String = "stock-alerts"
        /// Default: `stock-commands`.
        public var commands: String = "stock-commands"
        /// Default: `stock-deadletter`.
        public var deadLetter: String = "stock-deadletter"

        public init() {}

        /// The four input topics, in the tie-break order of the partition merger.
        public var inputs: [String] { [inventory, orders, carts, interactions] }
        /// The three output topics.
        public var outputs: [String] { [alerts, commands, deadLetter] }
        /// Every topic StockSentry reads or writes.
        public var all: [String] { [orders, carts, interactions, inventory, alerts, commands, deadLetter] }

        /// The domain role of an input topic name, nil for any other topic.
        public func role(of topic: String) -> InputTopic? {
            switch topic {
            case orders: .orders
            case carts: .carts
            case interactions: .interactions
            case inventory: .inventory
            default: nil
            }
        }

        /// The Kafka topic name that plays `role`.
        public func name(of role: InputTopic) -> String {
            switch role {
            case .orders: orders
            case .carts: carts
            case .interactions: interactions
            case .inventory: inventory
            }
        }
    }

    /// How the output producer groups alerts, commands and dead letters into produce requests.
    ///
    /// librdkafka sends what has queued for a partition once the oldest record has waited
    /// ``linger`` or ``maximumRecords`` have queued, so ``linger`` is added to every output's
    /// latency while outputs trickle, and bounds how many requests a burst of outputs takes.
    /// BENCHMARKS.md "Producer batching" has the measurements behind the defaults.
    public struct OutputBatching: Sendable, Equatable {
        /// How long an output may wait for more outputs to share its produce request (`linger.ms`).
        /// Default: 1 ms.
        public var linger: Duration = .milliseconds(1)
        /// Most outputs in one produce request batch (`batch.num.messages`). Default: 10,000.
        public var maximumRecords: Int = 10_000

        public init() {}

        /// Checks the values librdkafka accepts; the message names the `run` flag to fix.
        /// - Throws: ``StockSentryError`` with code `configuration`.
        public func validate() throws {
            let lingerMilliseconds = linger / .milliseconds(1)
            guard (0...900_000).contains(lingerMilliseconds) else {
                throw StockSentryError(.configuration, "--output-linger-ms must be between 0 and 900000, got \(Int(lingerMilliseconds.rounded()))")
            }
            guard (1...1_000_000).contains(maximumRecords) else {
                throw StockSentryError(.configuration, "--output-batch-records must be between 1 and 1000000, got \(maximumRecords)")
            }
        }
    }

    /// Comma-separated `host:port` list of the Kafka cluster.
    public var bootstrapServers: String
    /// Consumer group shared by every instance of one deployment. Default: `stocksentry`.
    public var groupID: String = "stocksentry"
    /// Topic names. Default: the names in DESIGN.md.
    public var topics = Topics()
    /// Alert and freeze policy. Default: ``PolicySet/builtInDefault`` (profit tier, 20/10/5 %, buffer 0).
    public var policy: PolicySet = .builtInDefault
    /// Where durable task state will live (event log and snapshots arrive with their own issue). Default: nil.
    public var dataDirectory: String?
    /// With a data directory: snapshot a task's state after this many processed records. Default: 10,000.
    public var snapshotEveryRecords: Int = 10_000
    /// With a data directory: snapshot a task's state at least this often while it processes. Default: 60 s.
    public var snapshotInterval: Duration = .seconds(60)
    /// Records taken from librdkafka per poll. Default: 5,000.
    public var maximumBatchRecords: Int = 5_000
    /// How long one poll waits for the first record. Default: 50 ms.
    public var pollTimeout: Duration = .milliseconds(50)
    /// How long a task waits for an empty partition that is known (or not yet known) to have more
    /// records before it processes the others without it. Default: 500 ms (DESIGN.md `max_task_idle`).
    public var maximumTaskIdle: Duration = .milliseconds(500)
    /// How many of a member's tasks decode and fold at once, each on its own thread (tasks share no
    /// state, so a task's outputs are the same either way). 1 works through them one by one.
    /// Default: the machine's active processor count.
    public var taskThreads: Int = Self.defaultTaskThreads
    /// ``taskThreads``' default: the active processor count.
    public static var defaultTaskThreads: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
    /// Records buffered per input partition before that partition is paused. Default: 20,000.
    public var maximumBufferedRecordsPerPartition: Int = 20_000
    /// Event ids remembered per task for dropping duplicates. Default: 200,000.
    public var duplicateWindow: Int = Self.defaultDuplicateWindow
    /// Larger input records are dead-lettered unread. Default: 64 KiB.
    public var maximumRecordBytes: Int = Self.defaultMaximumRecordBytes
    /// ``duplicateWindow``'s default, shared with replay so both drop the same duplicates.
    public static let defaultDuplicateWindow = 200_000
    /// ``maximumRecordBytes``' default, shared with replay so both reject the same records.
    public static let defaultMaximumRecordBytes = 65_536
    /// How often processed offsets are committed to the group (also on rebalance and shutdown). Default: 1 s.
    public var commitInterval: Duration = .seconds(1)
    /// How long start-up waits for topic metadata. Default: 10 s.
    public var metadataTimeout: Duration = .seconds(10)
    /// How long a flush of the output producer may take before the batch fails. Default: 30 s.
    public var flushTimeout: Duration = .seconds(30)
    /// Outputs sent but not yet acknowledged before the processor waits for their delivery (a
    /// flush) instead of processing more: the bound on what a slow broker leaves in flight, so a
    /// flush never has more than this to drain within ``flushTimeout``. Default: 10,000.
    public var maximumOutputsInFlight: Int = 10_000
    /// Batching of the output producer. Default: ``OutputBatching/init()`` (1 ms linger, 10,000 records).
    public var outputBatching = OutputBatching()
    /// Raw librdkafka properties for the consumer and producer (security, tuning), applied last. Default: none.
    public var kafkaProperties: [String: String] = [:]

    /// How outputs reach downstream consumers.
    public enum Delivery: String, Sendable, CaseIterable {
        /// One idempotent producer; outputs are flushed before offsets are stored and committed. After a
        /// crash, outputs since the last commit may be published again, byte-identical with the same IDs.
        case atLeastOnce = "at-least-once"
        /// One transactional producer per task (`transactional.id` = `<group>-task-<p>`); each batch's
        /// outputs and its input offsets commit in one transaction, so `read_committed` consumers see
        /// every output once. Needs a broker with transactions (Apache Kafka ≥ 2.5); the dev broker's
        /// mock cluster does not honour them (README "Delivery and state").
        case exactlyOnce = "exactly-once"
    }

    /// Default: at-least-once, which every broker (and the dev broker) supports.
    public var delivery: Delivery = .atLeastOnce
    /// With exactly-once: how long a transaction may stay open before the broker aborts it
    /// (`transaction.timeout.ms`), and how long a commit may take. Default: 60 s.
    public var transactionTimeout: Duration = .seconds(60)

    public init(bootstrapServers: String) {
        self.bootstrapServers = bootstrapServers
    }
}
