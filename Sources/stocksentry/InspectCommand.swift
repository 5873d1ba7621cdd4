import ArgumentParser
import StockModel
import StockSentry

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the state recovered from a data directory's task logs, one JSON object per SKU, without contacting Kafka.",
        discussion: "Reads only: a torn last record is reported by `run` on its next start, not cut here."
    )

    @Option(help: "The directory `stocksentry run --data-dir` wrote.")
    var dataDir: String

    @Option(help: "The consumer group the logs belong to.")
    var group = "stocksentry"

    @Option(help: "Only this SKU.")
    var sku: String?

    @Option(help: "The policy `run` used (tiers and levels shown); default: built-in.")
    var policy: String?

    func run() throws {
        let policySet = try policy.map(PolicyLoader.load(path:)) ?? .builtInDefault
        try TaskLogInspector.inspect(dataDirectory: dataDir, groupID: group, policy: policySet, sku: sku) { printLine($0) }
    }
}

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "Read task logs.",
        subcommands: [LogDumpCommand.self]
    )
}

struct LogDumpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print every record of one task's log as JSON lines (source topic, partition, offset, key, timestamp, value)."
    )

    @Option(help: "The directory `stocksentry run --data-dir` wrote.")
    var dataDir: String

    @Option(help: "The consumer group the logs belong to.")
    var group = "stocksentry"

    @Option(help: "The task (input partition number).")
    var task: Int32

    func run() throws {
        try TaskLogInspector.dump(dataDirectory: dataDir, groupID: group, partition: task) { printLine($0) }
    }
}
