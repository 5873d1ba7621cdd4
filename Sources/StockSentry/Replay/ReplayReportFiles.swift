import Foundation
import StockModel

/// Writes a replay's results into one directory: `report.json`, `report.html`, one
/// `transitions-<policy>.ndjson` per policy and `deadletters.ndjson`.
///
/// NDJSON lines have the shape `stocksentry gen` writes (`topic`, `key`, `partition`, `timestamp`,
/// `value` as a JSON string), so `scripts/kafkacheck.py produce` or `kcat -P` can publish them and
/// `replay --input` can read them back. `partition` is the task that produced the record.
public enum ReplayReportFiles {
    /// Writes everything; returns the report with each policy's transitions file filled in.
    @discardableResult
    public static func write(_ result: BacktestResult, to directory: String, html: (BacktestReport) -> String) throws -> BacktestReport {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StockSentryError(.io, "--output-dir \(directory): cannot create the directory; check the path and permissions", cause: error as NSError)
        }
        var report = result.report
        var used: Set<String> = []
        for (index, outputs) in result.outputs.enumerated() {
            var name = "transitions-\(fileSafe(report.policies[index].name)).ndjson"
            if used.contains(name) { name = "transitions-\(index + 1)-\(fileSafe(report.policies[index].name)).ndjson" }
            used.insert(name)
            report.policies[index].transitionsFile = name
            try writeFile(ndjson(outputs), to: directory + "/" + name)
        }
        try writeFile(ndjson(result.deadLetters), to: directory + "/deadletters.ndjson")
        try writeFile(json(report), to: directory + "/report.json")
        try writeFile(Array(html(report).utf8), to: directory + "/report.html")
        return report
    }

    /// Writes `reconciliation.json` and `reconciliation.csv` into `directory`.
    public static func writeReconciliation(_ report: ReconciliationReport, to directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StockSentryError(.io, "--output-dir \(directory): cannot create the directory; check the path and permissions", cause: error as NSError)
        }
        try writeFile(encode(report, name: "reconciliation.json"), to: directory + "/reconciliation.json")
        try writeFile(Array(report.csv().utf8), to: directory + "/reconciliation.csv")
    }

    /// The report as pretty JSON with sorted keys: the same report gives the same bytes.
    public static func json(_ report: BacktestReport) throws -> [UInt8] {
        try encode(report, name: "report.json")
    }

    private static func encode(_ value: some Encodable, name: String) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value)) + [0x0A]
        } catch {
            throw StockSentryError(.io, "\(name): cannot encode the report", cause: error as NSError)
        }
    }

    /// One line per output, in the gen/replay input shape.
    public static func ndjson(_ outputs: [ReplayOutput]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(outputs.count * 600)
        for output in outputs {
            appendLine(output, to: &out)
        }
        return out
    }

    /// Appends `output` as one NDJSON line.
    public static func appendLine(_ output: ReplayOutput, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"topic":"#.utf8)
        JSONWriter.appendString(output.topic, to: &out)
        out.append(contentsOf: #","key":"#.utf8)
        if let key = output.key { JSONWriter.appendString(String(decoding: key, as: UTF8.self), to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","partition":"#.utf8)
        out.append(contentsOf: String(output.partition).utf8)
        out.append(contentsOf: #","timestamp":"#.utf8)
        out.append(contentsOf: String(output.time).utf8)
        out.append(contentsOf: #","value":"#.utf8)
        JSONWriter.appendString(String(decoding: output.value, as: UTF8.self), to: &out)
        out.append(contentsOf: "}\n".utf8)
    }

    private static func fileSafe(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" || scalar == "."
                ? Character(scalar) : "_"
        })
    }

    private static func writeFile(_ bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw StockSentryError(.io, "\(path): cannot be written; check the directory is writable and the disk has space")
        }
    }
}
