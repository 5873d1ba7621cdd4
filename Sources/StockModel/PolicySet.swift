/// The alert and freeze policies of all tiers plus per-SKU overrides, as loaded from the policy file.
///
/// Resolution for a SKU: the SKU override's tier, else the tier from its inventory records, else
/// `defaultTier`; then the SKU override's fields merge over that tier's policy.
public struct PolicySet: Sendable, Equatable {
    /// `default_tier` profit; every tier 20/10/5 % share levels, no buffer, no margin, its built-in
    /// ``AlertRules``; allowed lateness 5 s.
    public static let builtInDefault = PolicySet()

    /// How far behind the highest event time seen the watermark trails [`allowed_lateness_seconds`]. Default: 5.
    public var allowedLatenessSeconds: Int64 = 5

    /// The tier of SKUs that neither an override nor an inventory record places.
    public var defaultTier: Tier
    /// The policy of each tier; every tier is present.
    public var tiers: [Tier: TierPolicy] {
        Dictionary(uniqueKeysWithValues: Tier.allCases.map { ($0, tierPolicies[$0.ordinal]) })
    }
    /// Every tier's policy by ``Tier/ordinal``: `policy(for:tier:)` runs twice per event, and an
    /// array read costs a fraction of hashing the tier.
    private var tierPolicies: [TierPolicy]
    var skuOverrides: [String: PolicyOverride]

    /// Creates a policy set; tiers not given get the built-in `TierPolicy()`.
    public init(defaultTier: Tier = .profit, tiers: [Tier: TierPolicy] = [:]) {
        self.defaultTier = defaultTier
        self.tierPolicies = Tier.allCases.map { tiers[$0] ?? TierPolicy.builtIn(for: $0) }
        self.skuOverrides = [:]
    }

    /// The tier and policy that apply to `sku`: SKU override > `tier` from inventory > `defaultTier`.
    public func policy(for sku: String, tier: Tier?) -> (tier: Tier, policy: TierPolicy) {
        withPolicy(for: sku, tier: tier) { ($0, $1) }
    }

    /// Calls `body` with the tier and policy that apply to `sku` (as ``policy(for:tier:)`` resolves
    /// them), lending the stored policy instead of returning a copy: `StockBook` resolves a policy
    /// twice per event, and copying the ~150-byte policy and its optionals cost more than the rules.
    public func withPolicy<Result>(for sku: String, tier: Tier?, _ body: (Tier, TierPolicy) -> Result) -> Result {
        // Most policy files override no SKU: skip hashing the SKU then.
        if !skuOverrides.isEmpty, let override = skuOverrides[sku] {
            let resolvedTier = override.tier ?? tier ?? defaultTier
            return body(resolvedTier, override.merged(over: tierPolicies[resolvedTier.ordinal]))
        }
        let resolvedTier = tier ?? defaultTier
        return tierPolicies.withUnsafeBufferPointer { body(resolvedTier, $0[resolvedTier.ordinal]) }
    }

    /// The SKUs that have an override in the policy file, sorted.
    public var overriddenSKUs: [String] { skuOverrides.keys.sorted() }

    /// Parses and validates a policy file given as JSON (YAML is converted to JSON by the caller).
    ///
    /// Every field is optional: missing values come from the built-in default, and a partially given
    /// object merges over the tier's values. Unknown keys are errors.
    /// - Throws: `PolicyError` naming the path of the first bad field.
    public init(json bytes: [UInt8]) throws(PolicyError) {
        let document: JSONValue
        do throws(JSONReader.SyntaxError) {
            document = try JSONReader.parse(bytes, maximumDepth: 16)
        } catch {
            throw PolicyError(path: "", message: "not valid JSON: \(error.message)")
        }
        let root = try Self.object(document, path: "")
        try Self.rejectUnknownKeys(
            root, allowed: ["version", "default_tier", "allowed_lateness_seconds", "tiers", "skus"], path: "")
        self.init()
        if let version = root["version"] {
            guard case .integer(1) = version else {
                throw PolicyError(path: "version", message: "must be 1, got \(version.shortDescription)")
            }
        }
        if let defaultTierValue = root["default_tier"] {
            defaultTier = try Self.tier(defaultTierValue, path: "default_tier")
        }
        if let lateness = try Self.units(root["allowed_lateness_seconds"], path: "allowed_lateness_seconds", maximum: 3600) {
            allowedLatenessSeconds = lateness
        }
        if let tiersValue = root["tiers"] {
            let tiersObject = try Self.object(tiersValue, path: "tiers")
            for member in tiersObject.members {
                let path = "tiers.\(member.key)"
                guard let tier = Tier(rawValue: member.key) else {
                    throw PolicyError(path: path, message: "unknown tier; expected one of \(Self.tierChoices)")
                }
                let override = try Self.override(member.value, path: path, allowsTier: false)
                let policy = override.merged(over: TierPolicy.builtIn(for: tier))
                try Self.validate(policy, path: path, context: "")
                tierPolicies[tier.ordinal] = policy
            }
        }
        if let skusValue = root["skus"] {
            let skusObject = try Self.object(skusValue, path: "skus")
            for member in skusObject.members {
                let path = "skus.\(member.key)"
                guard !member.key.isEmpty else {
                    throw PolicyError(path: path, message: "sku must be a non-empty string")
                }
                let override = try Self.override(member.value, path: path, allowsTier: true)
                // The SKU's tier may come from inventory later, so the merge must be valid over every tier it could get.
                for tier in override.tier.map({ [$0] }) ?? Tier.allCases {
                    try Self.validate(
                        override.merged(over: tierPolicies[tier.ordinal]), path: path,
                        context: " (merged over tier \(tier.rawValue))")
                }
                skuOverrides[member.key] = override
            }
        }
    }

    private static let tierChoices = Tier.allCases.map(\.rawValue).joined(separator: ", ")

    private static func object(_ value: JSONValue, path: String) throws(PolicyError) -> JSONObject {
        guard case .object(let object) = value else {
            throw PolicyError(path: path, message: "must be an object, got \(value.shortDescription)")
        }
        return object
    }

    private static func rejectUnknownKeys(_ object: JSONObject, allowed: Set<String>, path: String) throws(PolicyError) {
        for key in object.keys where !allowed.contains(key) {
            throw PolicyError(
                path: path.isEmpty ? key : "\(path).\(key)",
                message: "unknown field; expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private static func tier(_ value: JSONValue, path: String) throws(PolicyError) -> Tier {
        guard case .string(let text) = value, let tier = Tier(rawValue: text) else {
            throw PolicyError(path: path, message: "must be one of \(tierChoices), got \(value.shortDescription)")
        }
        return tier
    }

    private static func share(_ value: JSONValue?, path: String) throws(PolicyError) -> Double? {
        guard let value else { return nil }
        guard let number = value.numberValue, number >= 0, number <= 1 else {
            throw PolicyError(path: path, message: "must be between 0 and 1, got \(value.shortDescription)")
        }
        return number
    }

    private static func units(_ value: JSONValue?, path: String, minimum: Int64 = 0, maximum: Int64? = nil)
        throws(PolicyError) -> Int64?
    {
        guard let value else { return nil }
        guard case .integer(let units) = value, units >= minimum, maximum.map({ units <= $0 }) ?? true else {
            let range = maximum.map { "between \(minimum) and \($0)" } ?? "≥ \(minimum)"
            throw PolicyError(path: path, message: "must be an integer \(range), got \(value.shortDescription)")
        }
        return units
    }

    private static func number(_ value: JSONValue?, path: String, minimum: Double, maximum: Double, exclusiveMinimum: Bool = false)
        throws(PolicyError) -> Double?
    {
        guard let value else { return nil }
        guard let number = value.numberValue, exclusiveMinimum ? number > minimum : number >= minimum, number <= maximum else {
            let lower = exclusiveMinimum ? "> \(DecimalText.format(minimum, decimals: 3, trim: true))"
                : "≥ \(DecimalText.format(minimum, decimals: 3, trim: true))"
            throw PolicyError(
                path: path,
                message: "must be a number \(lower) and ≤ \(DecimalText.format(maximum, decimals: 3, trim: true)), got \(value.shortDescription)")
        }
        return number
    }

    private static func level(_ value: JSONValue, path: String) throws(PolicyError) -> AlertLevel? {
        if case .null = value { return nil }
        guard case .string(let text) = value, let level = AlertLevel(rawValue: text) else {
            throw PolicyError(path: path, message: "must be notice, warning, critical or null, got \(value.shortDescription)")
        }
        return level
    }

    private static func override(_ value: JSONValue, path: String, allowsTier: Bool) throws(PolicyError)
        -> PolicyOverride
    {
        let object = try object(value, path: path)
        let fields: Set<String> = [
            "share_levels", "freeze", "horizon_min", "eta_levels", "forecast_k", "acceleration", "min_volume_units",
            "unit_floor", "conversion_prior", "margin", "cooldown_seconds", "actions",
        ]
        try rejectUnknownKeys(object, allowed: allowsTier ? fields.union(["tier"]) : fields, path: path)
        var override = PolicyOverride()
        if allowsTier, let tierValue = object["tier"] {
            override.tier = try tier(tierValue, path: "\(path).tier")
        }
        if let levelsValue = object["share_levels"] {
            let levelsPath = "\(path).share_levels"
            let levels = try self.object(levelsValue, path: levelsPath)
            try rejectUnknownKeys(levels, allowed: ["notice", "warning", "critical"], path: levelsPath)
            override.notice = try share(levels["notice"], path: "\(levelsPath).notice")
            override.warning = try share(levels["warning"], path: "\(levelsPath).warning")
            override.critical = try share(levels["critical"], path: "\(levelsPath).critical")
        }
        if let freezeValue = object["freeze"] {
            let freezePath = "\(path).freeze"
            let freeze = try self.object(freezeValue, path: freezePath)
            try rejectUnknownKeys(
                freeze, allowed: ["buffer_units", "buffer_share", "unfreeze_margin_units", "on_critical_eta"], path: freezePath)
            override.bufferUnits = try units(freeze["buffer_units"], path: "\(freezePath).buffer_units")
            override.bufferShare = try share(freeze["buffer_share"], path: "\(freezePath).buffer_share")
            override.unfreezeMarginUnits = try units(
                freeze["unfreeze_margin_units"], path: "\(freezePath).unfreeze_margin_units")
            if let onCriticalETA = freeze["on_critical_eta"] {
                guard case .bool(let flag) = onCriticalETA else {
                    throw PolicyError(
                        path: "\(freezePath).on_critical_eta", message: "must be true or false, got \(onCriticalETA.shortDescription)")
                }
                override.freezeOnCriticalETA = flag
            }
        }
        try parseAlertRules(object, path: path, into: &override)
        return override
    }

    /// The forecast, hysteresis and action fields of a tier or SKU object.
    private static func parseAlertRules(_ object: JSONObject, path: String, into override: inout PolicyOverride)
        throws(PolicyError)
    {
        override.horizonMinutes = try units(object["horizon_min"], path: "\(path).horizon_min", minimum: 1, maximum: 240).map { Int($0) }
        if let etaValue = object["eta_levels"] {
            let etaPath = "\(path).eta_levels"
            let eta = try self.object(etaValue, path: etaPath)
            try rejectUnknownKeys(eta, allowed: ["warning", "critical"], path: etaPath)
            override.etaWarningMinutes = try number(eta["warning"], path: "\(etaPath).warning", minimum: 0, maximum: 1440)
            override.etaCriticalMinutes = try number(eta["critical"], path: "\(etaPath).critical", minimum: 0, maximum: 1440)
        }
        override.forecastK = try number(object["forecast_k"], path: "\(path).forecast_k", minimum: 0, maximum: 10)
        if let accelerationValue = object["acceleration"] {
            let accelerationPath = "\(path).acceleration"
            let acceleration = try self.object(accelerationValue, path: accelerationPath)
            try rejectUnknownKeys(acceleration, allowed: ["factor", "min_units"], path: accelerationPath)
            override.accelerationFactor = try number(
                acceleration["factor"], path: "\(accelerationPath).factor", minimum: 1, maximum: 100, exclusiveMinimum: true)
            override.accelerationMinimumUnits = try units(acceleration["min_units"], path: "\(accelerationPath).min_units")
                .map { Double($0) }
        }
        override.minimumVolumeUnits = try units(object["min_volume_units"], path: "\(path).min_volume_units")
        override.unitFloor = try units(object["unit_floor"], path: "\(path).unit_floor")
        override.conversionPrior = try number(object["conversion_prior"], path: "\(path).conversion_prior", minimum: 0, maximum: 1)
        override.margin = try number(object["margin"], path: "\(path).margin", minimum: 0, maximum: 1)
        override.cooldownSeconds = try units(object["cooldown_seconds"], path: "\(path).cooldown_seconds", maximum: 3600)
        if let actionsValue = object["actions"] {
            let actionsPath = "\(path).actions"
            let actions = try self.object(actionsValue, path: actionsPath)
            try rejectUnknownKeys(actions, allowed: ["lower_exposure", "low_stock_banner"], path: actionsPath)
            if let value = actions["lower_exposure"] {
                override.lowerExposureLevel = .some(try level(value, path: "\(actionsPath).lower_exposure"))
            }
            if let value = actions["low_stock_banner"] {
                override.lowStockBannerLevel = .some(try level(value, path: "\(actionsPath).low_stock_banner"))
            }
        }
    }

    /// Checks `critical ≤ warning ≤ notice` and ETA `critical ≤ warning` after a merge; each value was
    /// range-checked when parsed.
    private static func validate(_ policy: TierPolicy, path: String, context: String) throws(PolicyError) {
        let alerts = policy.alerts
        if alerts.etaCriticalMinutes > alerts.etaWarningMinutes {
            throw PolicyError(
                path: "\(path).eta_levels.critical",
                message: "must be ≤ warning (\(alerts.etaWarningMinutes)), got \(alerts.etaCriticalMinutes)\(context)")
        }
        let levels = policy.shareLevels
        if levels.critical > levels.warning {
            throw PolicyError(
                path: "\(path).share_levels.critical",
                message: "must be ≤ warning (\(levels.warning)), got \(levels.critical)\(context)")
        }
        if levels.warning > levels.notice {
            throw PolicyError(
                path: "\(path).share_levels.warning",
                message: "must be ≤ notice (\(levels.notice)), got \(levels.warning)\(context)")
        }
    }
}
