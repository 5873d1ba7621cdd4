import Foundation

/// The units per SKU found on the shelf after a show, to compare with what the ledger expects there.
///
/// The reconciliation expects `closing stock − sold` units on hand: paid units have left the shelf,
/// while reserved (created, unpaid) units are still on it. The difference it reports is `counted −
/// expected`, so a negative difference is shrinkage.
///
/// The file is CSV with the header `sku,counted` (or `sku,count`, either column order) and one line
/// per SKU. Blank lines and lines starting with `#` are skipped, fields are trimmed, and a field in
/// plain double quotes is unquoted; quotes around commas or doubled quotes are not supported.
public struct PhysicalCount: Sendable, Equatable {
    /// Counted units by SKU.
    public var countedUnits: [String: Int64]

    /// Creates a count from units by SKU.
    public init(countedUnits: [String: Int64]) {
        self.countedUnits = countedUnits
    }

    /// Loads the count file at `path`.
    /// - Throws: ``StockSentryError`` with code `configuration`, naming the file, the line and the fix.
    public static func load(path: String) throws -> PhysicalCount {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StockSentryError(.configuration, "count file \(path): cannot be read; check the path and its permissions")
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw StockSentryError(.configuration, "count file \(path): not UTF-8 text; save it as UTF-8 CSV")
        }
        return try PhysicalCount(csv: text, file: path)
    }

    /// Parses the text of a count file; `file` names it in errors.
    /// - Throws: ``StockSentryError`` with code `configuration`, naming the file, the line and the fix.
    public init(csv text: String, file: String) throws {
        var countedUnits: [String: Int64] = [:]
        var firstLine: [String: Int] = [:]
        var columns: (sku: Int, counted: Int)?
        // By `isNewline`, not "\n": in Swift "\r\n" is one Character, so CRLF files split here too.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (index, rawLine) in lines.enumerated() {
            let number = index + 1
            var line = Substring(rawLine)
            if index == 0, line.first == "\u{FEFF}" { line = line.dropFirst() }
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = try trimmed.split(separator: ",", omittingEmptySubsequences: false).map {
                try Self.field($0, file: file, line: number)
            }
            guard let header = columns else {
                columns = try Self.header(fields, file: file, line: number)
                continue
            }
            guard fields.count == 2 else {
                throw StockSentryError(
                    .configuration,
                    "count file \(file):\(number): expected 2 fields (sku and counted), got \(fields.count) in \"\(trimmed)\";"
                        + " write one SKU and its count per line")
            }
            let sku = fields[header.sku]
            guard !sku.isEmpty else {
                throw StockSentryError(
                    .configuration, "count file \(file):\(number): the sku is empty; write the SKU the units were counted for")
            }
            guard let counted = Int64(fields[header.counted]), counted >= 0 else {
                throw StockSentryError(
                    .configuration,
                    "count file \(file):\(number): counted must be a whole number ≥ 0, got \"\(fields[header.counted])\";"
                        + " write the units found on the shelf, e.g. 12")
            }
            if let first = firstLine[sku] {
                throw StockSentryError(
                    .configuration,
                    "count file \(file):\(number): SKU \"\(sku)\" is counted again (first on line \(first));"
                        + " keep one line per SKU with the total")
            }
            firstLine[sku] = number
            countedUnits[sku] = counted
        }
        guard columns != nil else {
            throw StockSentryError(
                .configuration, "count file \(file): no header; the first line must be `sku,counted` (or `sku,count`)")
        }
        self.countedUnits = countedUnits
    }

    /// The column positions of `sku` and `counted` in a header line.
    private static func header(_ fields: [String], file: String, line: Int) throws -> (sku: Int, counted: Int) {
        let names = fields.map { $0.lowercased() }
        guard names.count == 2, let sku = names.firstIndex(of: "sku"),
              let counted = names.firstIndex(where: { $0 == "counted" || $0 == "count" })
        else {
            throw StockSentryError(
                .configuration,
                "count file \(file):\(line): the header must be `sku,counted` (or `sku,count`), got \"\(fields.joined(separator: ","))\";"
                    + " add that header as the first line")
        }
        return (sku, counted)
    }

    /// A trimmed field, unquoted when it is wrapped in plain double quotes.
    private static func field(_ raw: Substring, file: String, line: Int) throws -> String {
        var field = raw.trimmingCharacters(in: .whitespaces)
        if field.count >= 2, field.hasPrefix("\""), field.hasSuffix("\"") {
            field = String(field.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        guard !field.contains("\"") else {
            throw StockSentryError(
                .configuration,
                "count file \(file):\(line): quoted fields holding commas or quotes are not supported, got \(raw);"
                    + " write the field without quotes")
        }
        return field
    }
}
