import Foundation

/// The figures of one benchmark run: printed as a table and written as JSON.
public struct BenchmarkReport: Sendable, Codable {
    /// One measured figure.
    public struct Row: Sendable, Codable {
        public var scenario: String
        public var metric: String
        public var value: Double
        public var unit: String
        public var note: String
    }

    public var machine: String
    public var rows: [Row] = []

    public init(machine: String) {
        self.machine = machine
    }

    mutating func add(_ scenario: BenchmarkConfiguration.Scenario, _ metric: String, _ value: Double, _ unit: String, _ note: String = "") {
        rows.append(Row(scenario: scenario.rawValue, metric: metric, value: value, unit: unit, note: note))
    }

    /// The rows as an aligned text table.
    public var table: String {
        let header = ["scenario", "metric", "value", "unit", "note"]
        let cells = rows.map { [$0.scenario, $0.metric, Self.format($0.value), $0.unit, $0.note] }
        let widths = header.indices.map { column in ([header] + cells).map { $0[column].count }.max() ?? 0 }
        func line(_ row: [String]) -> String {
            row.indices.map { column in
                let cell = row[column]
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 2 ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(header)] + cells.map(line)).joined(separator: "\n")
    }

    static func format(_ value: Double) -> String {
        if value.rounded() == value && abs(value) < 1e15 { return String(Int64(value)) }
        if abs(value) >= 100 { return String(format: "%.0f", value) }
        if abs(value) >= 1 { return String(format: "%.2f", value) }
        return String(format: "%.4f", value)
    }

    /// JSON with sorted keys, for tooling.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// Resident memory of this process, read from /proc/self/status.
enum ProcessMemory {
    /// Current resident set size in bytes, nil when /proc is unavailable.
    static var residentBytes: Int? { field("VmRSS:") }
    /// Peak resident set size in bytes.
    static var peakResidentBytes: Int? { field("VmHWM:") }

    private static func field(_ name: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let kilobytes = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first.flatMap { Int($0) }
            return kilobytes.map { $0 * 1_024 }
        }
        return nil
    }
}
