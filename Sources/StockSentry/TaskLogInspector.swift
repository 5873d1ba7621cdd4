import Foundation
import StockModel

/// `stocksentry inspect` and `stocksentry log dump`: read a data directory's task logs without
/// contacting Kafka and without changing them.
public enum TaskLogInspector {
    /// The task partitions that have a log under `dataDirectory` for `groupID`, ascending.
    public static func tasks(dataDirectory: String, groupID: String) throws -> [Int32] {
        let groupDirectory = "\(dataDirectory)/\(groupID)"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: groupDirectory) else {
            throw StockSentryError(.configuration, "no task logs under \(groupDirectory); check --data-dir and --group (the directory `run` was given)")
        }
        return names.compactMap { name in name.hasPrefix("task-") ? Int32(name.dropFirst(5)) : nil }.sorted()
    }

    /// Folds every task's log and emits one JSON object per SKU (sorted by task, then SKU).
    public static func inspect(
        dataDirectory: String, groupID: String, policy: PolicySet, sku: String?, emit: (String) -> Void
    ) throws {
        var configuration = StockSentryConfiguration(bootstrapServers: "unused")
        configuration.groupID = groupID
        configuration.policy = policy
        for partition in try tasks(dataDirectory: dataDirectory, groupID: groupID) {
            var task = TaskProcessor(partition: partition, configuration: configuration)
            try task.fold(logDirectory: TaskLog.directory(dataDirectory: dataDirectory, groupID: groupID, partition: partition))
            for ledger in task.book.ledgers where sku == nil || ledger.sku == sku {
                emit(line(ledger, task: partition, book: task.book, policy: policy))
            }
        }
    }

    static func line(_ ledger: SKULedger, task: Int32, book: StockBook, policy: PolicySet) -> String {
        let state = book.alertState(for: ledger.sku)
        let accuracy = book.forecastAccuracy(for: ledger.sku)
        let object: [String: Any] = [
            "sku": ledger.sku,
            "task": Int(task),
            "tier": policy.policy(for: ledger.sku, tier: ledger.tier).tier.rawValue,
            "stock": ledger.stock,
            "sold": ledger.sold,
            "reserved": ledger.reserved,
            "available": ledger.available,
            "oversold": ledger.oversold,
            "sell_through": (ledger.sellThrough * 10_000).rounded() / 10_000,
            "level": state?.level?.rawValue ?? NSNull(),
            "frozen": state?.isFrozen ?? false,
            "forecast_mae": accuracy?.meanAbsoluteError ?? NSNull(),
            "forecast_mape": accuracy?.meanAbsolutePercentageError ?? NSNull(),
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Emits every record of task `partition`'s log as a JSON object: source, key, timestamp, value.
    public static func dump(dataDirectory: String, groupID: String, partition: Int32, emit: (String) -> Void) throws {
        let directory = TaskLog.directory(dataDirectory: dataDirectory, groupID: groupID, partition: partition)
        guard FileManager.default.fileExists(atPath: directory) else {
            throw StockSentryError(.configuration, "no task log at \(directory); `stocksentry inspect` lists the tasks that have one")
        }
        let report = try TaskLog.read(directory: directory, repairingTornTail: false, restore: { snapshot in
            emit(#"{"snapshot_log_position":\#(snapshot.logPosition.byteOffset),"note":"records before the newest snapshot may have been removed by retention; the records after it follow"}"#)
        }) { logged in
            let record = logged.record
            let object: [String: Any] = [
                "topic": record.topic, "partition": Int(record.partition), "offset": record.offset,
                "timestamp": record.timestampMilliseconds ?? NSNull(),
                "key": record.key.map { String(decoding: $0, as: UTF8.self) } ?? NSNull(),
                "value": String(decoding: record.value, as: UTF8.self),
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
            emit(String(decoding: data, as: UTF8.self))
        }
        if let torn = report?.tornTail {
            emit(#"{"torn_tail":"\#(torn)"}"#)
        }
    }
}
