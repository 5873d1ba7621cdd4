import Testing

import StockModel

@Suite struct PolicySetTests {
    func load(_ json: String) throws(PolicyError) -> PolicySet {
        try PolicySet(json: Array(json.utf8))
    }

    func error(_ json: String) -> PolicyError? {
        do throws(PolicyError) {
            _ = try load(json)
            return nil
        } catch {
            return error
        }
    }

    @Test("the built-in default is profit with 20/10/5 % levels and no buffer for every tier")
    func builtInDefault() {
        let policies = PolicySet.builtInDefault
        #expect(policies.defaultTier == .profit)
        for tier in Tier.allCases {
            #expect(policies.tiers[tier] == TierPolicy(shareLevels: ShareLevels(notice: 0.20, warning: 0.10, critical: 0.05)))
        }
        #expect(FreezePolicy().buffer(stock: 1000) == 0)
    }

    @Test("an empty policy file gives the built-in default")
    func emptyFile() throws {
        #expect(try load("{}") == PolicySet.builtInDefault)
        #expect(try load(#"{"version":1}"#) == PolicySet.builtInDefault)
    }

    @Test("the full example file loads and SKU overrides merge over their tier")
    func fullExample() throws {
        let policies = try load(
            """
            { "version": 1,
              "default_tier": "profit",
              "tiers": { "profit": { "share_levels": {"notice": 0.20, "warning": 0.10, "critical": 0.05},
                                      "freeze": {"buffer_units": 0, "buffer_share": 0.0, "unfreeze_margin_units": 0} },
                         "traffic": { "share_levels": {"notice": 0.3, "warning": 0.2},
                                      "freeze": {"buffer_share": 0.1, "unfreeze_margin_units": 5} } },
              "skus": { "SKU-1": { "tier": "traffic", "share_levels": {"warning": 0.15}, "freeze": {"buffer_units": 10} },
                        "SKU-2": { "share_levels": {"critical": 0.01} } } }
            """)
        let traffic = TierPolicy(
            shareLevels: ShareLevels(notice: 0.3, warning: 0.2, critical: 0.05),
            freeze: FreezePolicy(bufferUnits: 0, bufferShare: 0.1, unfreezeMarginUnits: 5))
        #expect(policies.tiers[.traffic] == traffic)

        let sku1 = policies.policy(for: "SKU-1", tier: .longtail)
        #expect(sku1.tier == .traffic)  // the override's tier wins over the inventory's
        #expect(sku1.policy.shareLevels == ShareLevels(notice: 0.3, warning: 0.15, critical: 0.05))
        #expect(sku1.policy.freeze == FreezePolicy(bufferUnits: 10, bufferShare: 0.1, unfreezeMarginUnits: 5))

        let sku2 = policies.policy(for: "SKU-2", tier: .traffic)
        #expect(sku2.tier == .traffic)  // no tier in the override: the inventory's tier
        #expect(sku2.policy.shareLevels == ShareLevels(notice: 0.3, warning: 0.2, critical: 0.01))

        let other = policies.policy(for: "SKU-9", tier: nil)
        #expect(other.tier == .profit)  // neither: the default tier
        #expect(other.policy == TierPolicy())
        #expect(policies.overriddenSKUs == ["SKU-1", "SKU-2"])
    }

    @Test("the default tier applies to SKUs without a tier")
    func defaultTier() throws {
        let policies = try load(#"{"default_tier":"longtail","tiers":{"longtail":{"freeze":{"buffer_units":3}}}}"#)
        let resolved = policies.policy(for: "SKU-1", tier: nil)
        #expect(resolved.tier == .longtail)
        #expect(resolved.policy.freeze.bufferUnits == 3)
    }

    @Test(
        "the freeze buffer is the larger of the fixed units and the share of stock, rounded up",
        arguments: [
            (FreezePolicy(bufferUnits: 10), Int64(100), Int64(10)),
            (FreezePolicy(bufferShare: 0.1), 100, 10),
            (FreezePolicy(bufferShare: 0.1), 101, 11),
            (FreezePolicy(bufferUnits: 5, bufferShare: 0.1), 30, 5),
            (FreezePolicy(bufferUnits: 5, bufferShare: 0.1), 0, 5),
            (FreezePolicy(bufferShare: 1), -10, 0),
        ])
    func buffer(policy: FreezePolicy, stock: Int64, expected: Int64) {
        #expect(policy.buffer(stock: stock) == expected)
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var json: String
        var path: String
        var message: String
        var testDescription: String { "\(path): \(message)" }
    }

    static let errors: [ErrorCase] = [
        ErrorCase(json: "[]", path: "", message: "must be an object, got an array"),
        ErrorCase(json: "{", path: "", message: "not valid JSON: unexpected end of input at byte 1"),
        ErrorCase(json: #"{"version":2}"#, path: "version", message: "must be 1, got 2"),
        ErrorCase(json: #"{"version":"1"}"#, path: "version", message: "must be 1, got \"1\""),
        ErrorCase(
            json: #"{"verison":1}"#, path: "verison",
            message: "unknown field; expected one of default_tier, skus, tiers, version"),
        ErrorCase(
            json: #"{"default_tier":"gold"}"#, path: "default_tier",
            message: "must be one of traffic, profit, longtail, got \"gold\""),
        ErrorCase(json: #"{"tiers":[]}"#, path: "tiers", message: "must be an object, got an array"),
        ErrorCase(
            json: #"{"tiers":{"gold":{}}}"#, path: "tiers.gold",
            message: "unknown tier; expected one of traffic, profit, longtail"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"tier":"traffic"}}}"#, path: "tiers.profit.tier",
            message: "unknown field; expected one of freeze, share_levels"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"share_levels":{"warning":1.5}}}}"#, path: "tiers.profit.share_levels.warning",
            message: "must be between 0 and 1, got 1.5"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"share_levels":{"critical":-0.1}}}}"#,
            path: "tiers.profit.share_levels.critical", message: "must be between 0 and 1, got -0.1"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"share_levels":{"notice":"20%"}}}}"#, path: "tiers.profit.share_levels.notice",
            message: "must be between 0 and 1, got \"20%\""),
        ErrorCase(
            json: #"{"tiers":{"profit":{"share_levels":{"notise":0.2}}}}"#, path: "tiers.profit.share_levels.notise",
            message: "unknown field; expected one of critical, notice, warning"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"share_levels":{"critical":0.2}}}}"#,
            path: "tiers.profit.share_levels.critical", message: "must be ≤ warning (0.1), got 0.2"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"share_levels":{"warning":0.3}}}}"#,
            path: "tiers.profit.share_levels.warning", message: "must be ≤ notice (0.2), got 0.3"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":{"buffer_units":-1}}}}"#, path: "tiers.traffic.freeze.buffer_units",
            message: "must be an integer ≥ 0, got -1"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":{"buffer_units":2.5}}}}"#, path: "tiers.traffic.freeze.buffer_units",
            message: "must be an integer ≥ 0, got 2.5"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":{"buffer_share":2}}}}"#, path: "tiers.traffic.freeze.buffer_share",
            message: "must be between 0 and 1, got 2"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":{"unfreeze_margin_units":-3}}}}"#,
            path: "tiers.traffic.freeze.unfreeze_margin_units", message: "must be an integer ≥ 0, got -3"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":{"buffer":1}}}}"#, path: "tiers.traffic.freeze.buffer",
            message: "unknown field; expected one of buffer_share, buffer_units, unfreeze_margin_units"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":5}}}"#, path: "tiers.traffic.freeze",
            message: "must be an object, got 5"),
        ErrorCase(
            json: #"{"skus":{"SKU-1":{"tier":"gold"}}}"#, path: "skus.SKU-1.tier",
            message: "must be one of traffic, profit, longtail, got \"gold\""),
        ErrorCase(
            json: #"{"skus":{"SKU-1":{"colour":"red"}}}"#, path: "skus.SKU-1.colour",
            message: "unknown field; expected one of freeze, share_levels, tier"),
        ErrorCase(json: #"{"skus":{"":{}}}"#, path: "skus.", message: "sku must be a non-empty string"),
        ErrorCase(
            json: #"{"skus":{"SKU-1":{"tier":"profit","share_levels":{"warning":0.25}}}}"#,
            path: "skus.SKU-1.share_levels.warning", message: "must be ≤ notice (0.2), got 0.25 (merged over tier profit)"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"share_levels":{"notice":0.1,"warning":0.08}}},"skus":{"SKU-1":{"share_levels":{"critical":0.09}}}}"#,
            path: "skus.SKU-1.share_levels.critical",
            message: "must be ≤ warning (0.08), got 0.09 (merged over tier traffic)"),
    ]

    @Test("invalid policy files are refused with the path of the bad field", arguments: errors)
    func refuses(_ errorCase: ErrorCase) {
        #expect(error(errorCase.json) == PolicyError(path: errorCase.path, message: errorCase.message))
    }

    @Test("a policy error describes itself with its path")
    func errorDescription() {
        #expect(
            PolicyError(path: "tiers.profit.share_levels.warning", message: "must be between 0 and 1, got 1.5").description
                == "policy tiers.profit.share_levels.warning: must be between 0 and 1, got 1.5")
        #expect(PolicyError(path: "", message: "must be an object").description == "policy: must be an object")
    }
}
