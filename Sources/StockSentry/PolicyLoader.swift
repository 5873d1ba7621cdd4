import Foundation
import StockModel
import Yams

/// Reads a policy file (JSON or YAML) into a validated ``PolicySet``.
public enum PolicyLoader {
    /// Loads `path`; YAML is recognised by its `.yaml`/`.yml` extension or by not starting with `{`.
    /// - Throws: ``StockSentryError`` naming the file and, for a bad field, its path and the fix.
    public static func load(path: String) throws -> PolicySet {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw StockSentryError(.configuration, "policy file \(path): cannot be read; check the path and its permissions")
        }
        let bytes = [UInt8](data)
        let looksLikeJSON = bytes.first(where: { !Self.isWhitespace($0) }) == UInt8(ascii: "{")
        let json: [UInt8]
        if looksLikeJSON && !path.hasSuffix(".yaml") && !path.hasSuffix(".yml") {
            json = bytes
        } else {
            json = try yamlToJSON(bytes, path: path)
        }
        do {
            return try PolicySet(json: json)
        } catch {
            throw StockSentryError(.configuration, "policy file \(path): \(error)")
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// Converts YAML to JSON so that the model validates one format with one set of messages.
    static func yamlToJSON(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw StockSentryError(.configuration, "policy file \(path): not UTF-8 text")
        }
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw StockSentryError(.configuration, "policy file \(path): not valid YAML: \(error)")
        }
        guard let node else {
            throw StockSentryError(.configuration, "policy file \(path): empty; write a policy object or omit --policy")
        }
        var out: [UInt8] = []
        try appendJSON(node, to: &out, path: path, at: "")
        return out
    }

    private static func appendJSON(_ node: Node, to out: inout [UInt8], path: String, at fieldPath: String) throws {
        switch node {
        case .mapping(let mapping):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in mapping {
                guard let name = key.string else {
                    throw StockSentryError(.configuration, "policy file \(path): \(fieldPath.isEmpty ? "top level" : fieldPath): keys must be strings")
                }
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                JSONWriter.appendString(name, to: &out)
                out.append(UInt8(ascii: ":"))
                try appendJSON(value, to: &out, path: path, at: fieldPath.isEmpty ? name : "\(fieldPath).\(name)")
            }
            out.append(UInt8(ascii: "}"))
        case .sequence(let sequence):
            out.append(UInt8(ascii: "["))
            for (index, element) in sequence.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try appendJSON(element, to: &out, path: path, at: "\(fieldPath)[\(index)]")
            }
            out.append(UInt8(ascii: "]"))
        case .scalar(let scalar):
            if scalar.style != .plain {
                JSONWriter.appendString(scalar.string, to: &out)
            } else if scalar.string == "null" || scalar.string == "~" || scalar.string.isEmpty {
                out.append(contentsOf: Array("null".utf8))
            } else if let bool = node.bool {
                out.append(contentsOf: Array((bool ? "true" : "false").utf8))
            } else if let int = node.int {
                out.append(contentsOf: Array(String(int).utf8))
            } else if let double = node.float, double.isFinite {
                out.append(contentsOf: Array(String(double).utf8))
            } else {
                JSONWriter.appendString(scalar.string, to: &out)
            }
        case .alias:
            throw StockSentryError(.configuration, "policy file \(path): \(fieldPath): YAML aliases are not supported; write the value out")
        }
    }
}
