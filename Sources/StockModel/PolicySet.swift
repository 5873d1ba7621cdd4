/// The alert and freeze policies of all tiers plus per-SKU overrides, as loaded from the policy file.
///
/// Resolution for a SKU: the SKU override's tier, else the tier from its inventory records, else
/// `defaultTier`; then the SKU override's fields merge over that tier's policy.
public struct PolicySet: Sendable, Equatable {
    /// `default_tier` profit; every tier 20/10/5 % share levels, no buffer, no margin.
    public static let builtInDefault = PolicySet()

    /// The tier of SKUs that neither an override nor an inventory record places.
    public var defaultTier: Tier
    /// The policy of each tier; every tier is present.
    public private(set) var tiers: [Tier: TierPolicy]
    var skuOverrides: [String: PolicyOverride]

    /// Creates a policy set; tiers not given get the built-in `TierPolicy()`.
    public init(defaultTier: Tier = .profit, tiers: [Tier: TierPolicy] = [:]) {
        self.defaultTier = defaultTier
        var allTiers: [Tier: TierPolicy] = [:]
        for tier in Tier.allCases { allTiers[tier] = tiers[tier] ?? TierPolicy() }
        self.tiers = allTiers
        self.skuOverrides = [:]
    }

    /// The tier and policy that apply to `sku`: SKU override > `tier` from inventory > `defaultTier`.
    public func policy(for sku: String, tier: Tier?) -> (tier: Tier, policy: TierPolicy) {
        let override = skuOverrides[sku]
        let resolvedTier = override?.tier ?? tier ?? defaultTier
        let base = tiers[resolvedTier] ?? TierPolicy()
        return (resolvedTier, override?.merged(over: base) ?? base)
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
        try Self.rejectUnknownKeys(root, allowed: ["version", "default_tier", "tiers", "skus"], path: "")
        self.init()
        if let version = root["version"] {
            guard case .integer(1) = version else {
                throw PolicyError(path: "version", message: "must be 1, got \(version.shortDescription)")
            }
        }
        if let defaultTierValue = root["default_tier"] {
            defaultTier = try Self.tier(defaultTierValue, path: "default_tier")
        }
        if let tiersValue = root["tiers"] {
            let tiersObject = try Self.object(tiersValue, path: "tiers")
            for member in tiersObject.members {
                let path = "tiers.\(member.key)"
                guard let tier = Tier(rawValue: member.key) else {
                    throw PolicyError(path: path, message: "unknown tier; expected one of \(Self.tierChoices)")
                }
                let override = try Self.override(member.value, path: path, allowsTier: false)
                let policy = override.merged(over: TierPolicy())
                try Self.validate(policy, path: path, context: "")
                tiers[tier] = policy
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
                        override.merged(over: tiers[tier] ?? TierPolicy()), path: path,
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

    private static func units(_ value: JSONValue?, path: String) throws(PolicyError) -> Int64? {
        guard let value else { return nil }
        guard case .integer(let units) = value, units >= 0 else {
            throw PolicyError(path: path, message: "must be an integer ≥ 0, got \(value.shortDescription)")
        }
        return units
    }

    private static func override(_ value: JSONValue, path: String, allowsTier: Bool) throws(PolicyError)
        -> PolicyOverride
    {
        let object = try object(value, path: path)
        try rejectUnknownKeys(
            object, allowed: allowsTier ? ["tier", "share_levels", "freeze"] : ["share_levels", "freeze"], path: path)
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
                freeze, allowed: ["buffer_units", "buffer_share", "unfreeze_margin_units"], path: freezePath)
            override.bufferUnits = try units(freeze["buffer_units"], path: "\(freezePath).buffer_units")
            override.bufferShare = try share(freeze["buffer_share"], path: "\(freezePath).buffer_share")
            override.unfreezeMarginUnits = try units(
                freeze["unfreeze_margin_units"], path: "\(freezePath).unfreeze_margin_units")
        }
        return override
    }

    /// Checks `critical ≤ warning ≤ notice` after a merge; each share was range-checked when parsed.
    private static func validate(_ policy: TierPolicy, path: String, context: String) throws(PolicyError) {
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
