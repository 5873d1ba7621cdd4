import Foundation
import StockModel
import Testing

@testable import StockSentry

@Suite struct PolicyLoaderTests {
    static func write(_ text: String, name: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("policy-\(getpid())-\(UInt32.random(in: 0...UInt32.max))-\(name)").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("YAML and JSON spellings of one policy load to the same value")
    func yamlEqualsJSON() throws {
        let yaml = try Self.write("""
            version: 1
            default_tier: traffic
            tiers:
              traffic: { freeze: { buffer_share: 0.05 } }
              profit:
                share_levels: { notice: 0.25, warning: 0.1, critical: 0.05 }
            skus:
              "SKU-1": { tier: longtail, freeze: { buffer_units: 10 } }
            """, name: "p.yaml")
        let json = try Self.write("""
            {"version":1,"default_tier":"traffic","tiers":{"traffic":{"freeze":{"buffer_share":0.05}},
             "profit":{"share_levels":{"notice":0.25,"warning":0.1,"critical":0.05}}},
             "skus":{"SKU-1":{"tier":"longtail","freeze":{"buffer_units":10}}}}
            """, name: "p.json")
        let fromYAML = try PolicyLoader.load(path: yaml)
        let fromJSON = try PolicyLoader.load(path: json)
        #expect(fromYAML == fromJSON)
        #expect(fromYAML.defaultTier == .traffic)
        #expect(fromYAML.policy(for: "SKU-1", tier: nil).tier == .longtail)
        #expect(fromYAML.policy(for: "SKU-1", tier: nil).policy.freeze.bufferUnits == 10)
    }

    @Test("the example policies in deploy/ load")
    func examplesLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let yaml = try PolicyLoader.load(path: root.appendingPathComponent("deploy/policy.example.yaml").path)
        let json = try PolicyLoader.load(path: root.appendingPathComponent("deploy/policy.example.json").path)
        #expect(yaml == json)
    }

    @Test("a bad field is reported with the file and its path")
    func badField() throws {
        let path = try Self.write("tiers:\n  profit:\n    share_levels:\n      warning: 1.5\n", name: "bad.yaml")
        #expect {
            try PolicyLoader.load(path: path)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("tiers.profit.share_levels.warning")
        }
    }

    @Test("a file that is not YAML or cannot be read says so")
    func unreadable() throws {
        #expect { try PolicyLoader.load(path: "/nonexistent/policy.yaml") } throws: { "\($0)".contains("cannot be read") }
        let broken = try Self.write("tiers: [unclosed\n", name: "broken.yaml")
        #expect { try PolicyLoader.load(path: broken) } throws: { "\($0)".contains("not valid YAML") }
    }
}
