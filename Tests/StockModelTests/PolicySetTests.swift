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

    @Test("the built-in default is profit with 20/10/5 % levels, no buffer and the tier's forecast rules for every tier")
    func builtInDefault() {
        let policies = PolicySet.builtInDefault
        #expect(policies.defaultTier == .profit)
        #expect(policies.allowedLatenessSeconds == 5)
        for tier in Tier.allCases {
            #expect(
                policies.tiers[tier]
                    == TierPolicy(shareLevels: ShareLevels(notice: 0.20, warning: 0.10, critical: 0.05), alerts: .builtIn(for: tier)))
        }
        #expect(policies.tiers.mapValues(\.alerts.horizonMinutes) == [.traffic: 15, .profit: 30, .longtail: 60])
        let profit = AlertRules.builtIn(for: .profit)
        #expect(profit.etaWarningMinutes == 60 && profit.etaCriticalMinutes == 15 && profit.forecastK == 1.5)
        #expect(profit.accelerationFactor == 2 && profit.minimumVolumeUnits == 10 && profit.unitFloor == nil)
        #expect(profit.margin == 0.25 && profit.cooldownSeconds == 300 && !profit.freezeOnCriticalETA)
        #expect(profit.lowerExposureLevel == nil && profit.lowStockBannerLevel == nil)
        #expect(FreezePolicy().buffer(stock: 1000) == 0)
    }

    @Test("forecast, hysteresis, action and lateness fields load and merge over the tier's built-in rules")
    func forecastFields() throws {
        let policies = try load(
            """
            { "allowed_lateness_seconds": 10,
              "tiers": { "traffic": { "horizon_min": 10, "eta_levels": {"warning": 45, "critical": 10}, "forecast_k": 2,
                                      "acceleration": {"factor": 3, "min_units": 20}, "min_volume_units": 5,
                                      "unit_floor": 8, "conversion_prior": 0.6, "margin": 0.1, "cooldown_seconds": 120,
                                      "freeze": {"on_critical_eta": true},
                                      "actions": {"lower_exposure": "warning", "low_stock_banner": "notice"} } },
              "skus": { "SKU-1": { "tier": "traffic", "actions": {"lower_exposure": null}, "unit_floor": 3 } } }
            """)
        #expect(policies.allowedLatenessSeconds == 10)
        let traffic = try #require(policies.tiers[.traffic]?.alerts)
        #expect(
            traffic
                == AlertRules(
                    horizonMinutes: 10, etaWarningMinutes: 45, etaCriticalMinutes: 10, forecastK: 2, accelerationFactor: 3,
                    accelerationMinimumUnits: 20, minimumVolumeUnits: 5, unitFloor: 8, margin: 0.1, cooldownSeconds: 120,
                    conversionPrior: 0.6, freezeOnCriticalETA: true, lowerExposureLevel: .warning, lowStockBannerLevel: .notice))
        #expect(policies.tiers[.profit]?.alerts == .builtIn(for: .profit))
        let sku = policies.policy(for: "SKU-1", tier: nil).policy.alerts
        #expect(sku.lowerExposureLevel == nil)
        #expect(sku.unitFloor == 3)
        #expect(sku.lowStockBannerLevel == .notice)
        #expect(sku.horizonMinutes == 10)
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
            freeze: FreezePolicy(bufferUnits: 0, bufferShare: 0.1, unfreezeMarginUnits: 5), alerts: .builtIn(for: .traffic))
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
            message: "unknown field; expected one of allowed_lateness_seconds, default_tier, skus, tiers, version"),
        ErrorCase(
            json: #"{"default_tier":"gold"}"#, path: "default_tier",
            message: "must be one of traffic, profit, longtail, got \"gold\""),
        ErrorCase(json: #"{"tiers":[]}"#, path: "tiers", message: "must be an object, got an array"),
        ErrorCase(
            json: #"{"tiers":{"gold":{}}}"#, path: "tiers.gold",
            message: "unknown tier; expected one of traffic, profit, longtail"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"tier":"traffic"}}}"#, path: "tiers.profit.tier",
            message: "unknown field; expected one of acceleration, actions, conversion_prior, cooldown_seconds, eta_levels, forecast_k, freeze, horizon_min, margin, min_volume_units, share_levels, unit_floor"),
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
            message: "unknown field; expected one of buffer_share, buffer_units, on_critical_eta, unfreeze_margin_units"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":5}}}"#, path: "tiers.traffic.freeze",
            message: "must be an object, got 5"),
        ErrorCase(
            json: #"{"skus":{"SKU-1":{"tier":"gold"}}}"#, path: "skus.SKU-1.tier",
            message: "must be one of traffic, profit, longtail, got \"gold\""),
        ErrorCase(
            json: #"{"skus":{"SKU-1":{"colour":"red"}}}"#, path: "skus.SKU-1.colour",
            message: "unknown field; expected one of acceleration, actions, conversion_prior, cooldown_seconds, eta_levels, forecast_k, freeze, horizon_min, margin, min_volume_units, share_levels, tier, unit_floor"),
        ErrorCase(json: #"{"skus":{"":{}}}"#, path: "skus.", message: "sku must be a non-empty string"),
        ErrorCase(
            json: #"{"allowed_lateness_seconds":-1}"#, path: "allowed_lateness_seconds",
            message: "must be an integer between 0 and 3600, got -1"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"horizon_min":0}}}"#, path: "tiers.traffic.horizon_min",
            message: "must be an integer between 1 and 240, got 0"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"eta_levels":{"warning":10}}}}"#, path: "tiers.traffic.eta_levels.critical",
            message: "must be ≤ warning (10.0), got 15.0"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"eta_levels":{"soon":10}}}}"#, path: "tiers.traffic.eta_levels.soon",
            message: "unknown field; expected one of critical, warning"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"forecast_k":-1}}}"#, path: "tiers.profit.forecast_k",
            message: "must be a number ≥ 0 and ≤ 10, got -1"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"acceleration":{"factor":1}}}}"#, path: "tiers.profit.acceleration.factor",
            message: "must be a number > 1 and ≤ 100, got 1"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"acceleration":{"min_units":2.5}}}}"#, path: "tiers.profit.acceleration.min_units",
            message: "must be an integer ≥ 0, got 2.5"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"margin":1.5}}}"#, path: "tiers.profit.margin",
            message: "must be a number ≥ 0 and ≤ 1, got 1.5"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"cooldown_seconds":7200}}}"#, path: "tiers.profit.cooldown_seconds",
            message: "must be an integer between 0 and 3600, got 7200"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"unit_floor":-2}}}"#, path: "tiers.profit.unit_floor",
            message: "must be an integer ≥ 0, got -2"),
        ErrorCase(
            json: #"{"tiers":{"profit":{"conversion_prior":2}}}"#, path: "tiers.profit.conversion_prior",
            message: "must be a number ≥ 0 and ≤ 1, got 2"),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"freeze":{"on_critical_eta":"yes"}}}}"#, path: "tiers.traffic.freeze.on_critical_eta",
            message: "must be true or false, got \"yes\""),
        ErrorCase(
            json: #"{"tiers":{"traffic":{"actions":{"lower_exposure":"high"}}}}"#, path: "tiers.traffic.actions.lower_exposure",
            message: "must be notice, warning, critical or null, got \"high\""),
        ErrorCase(
            json: #"{"skus":{"SKU-1":{"actions":{"banner":"notice"}}}}"#, path: "skus.SKU-1.actions.banner",
            message: "unknown field; expected one of low_stock_banner, lower_exposure"),
        ErrorCase(
            json: #"{"skus":{"SKU-1":{"tier":"longtail","eta_levels":{"critical":90}}}}"#, path: "skus.SKU-1.eta_levels.critical",
            message: "must be ≤ warning (60.0), got 90.0 (merged over tier longtail)"),
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
