import CapstanAPI

/// A node taint: pods that do not tolerate it are kept off the node (`NoSchedule`,
/// `NoExecute`) or avoided (`PreferNoSchedule`, which the sim's scheduler ignores).
struct Taint: Sendable, Hashable {
    var key: String
    var value: String
    var effect: String

    static let effects = ["NoSchedule", "PreferNoSchedule", "NoExecute"]

    init(key: String, value: String = "", effect: String) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    init?(json: JSONValue) {
        guard let key = json["key"]?.stringValue, let effect = json["effect"]?.stringValue else { return nil }
        self.init(key: key, value: json["value"]?.stringValue ?? "", effect: effect)
    }

    /// kubectl's spelling, `key=value:Effect` or `key:Effect`.
    init(parsing text: String) throws(KubeletConfigurationError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw KubeletConfigurationError("--node-taint \(text): expected KEY[=VALUE]:EFFECT, e.g. gpu=true:NoSchedule")
        }
        let effect = String(text[text.index(after: colon)...])
        guard Self.effects.contains(effect) else {
            throw KubeletConfigurationError("--node-taint \(text): effect must be NoSchedule, PreferNoSchedule or NoExecute")
        }
        let pair = text[..<colon]
        let key: Substring
        let value: Substring
        if let equals = pair.firstIndex(of: "=") {
            key = pair[..<equals]
            value = pair[pair.index(after: equals)...]
        } else {
            key = pair
            value = ""
        }
        guard !key.isEmpty else { throw KubeletConfigurationError("--node-taint \(text): the key is empty") }
        self.init(key: String(key), value: String(value), effect: effect)
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["key": .string(key), "effect": .string(effect)]
        if !value.isEmpty { fields["value"] = .string(value) }
        return .object(fields)
    }

    /// Whether the scheduler must keep pods that do not tolerate this taint off the node.
    var blocksScheduling: Bool { effect == "NoSchedule" || effect == "NoExecute" }
}

/// A pod's toleration, matched against taints exactly as kube's `ToleratesTaint` does.
struct Toleration: Sendable, Hashable {
    var key: String
    var exists: Bool
    var value: String
    /// Empty tolerates every effect.
    var effect: String

    init(key: String, exists: Bool, value: String = "", effect: String = "") {
        self.key = key
        self.exists = exists
        self.value = value
        self.effect = effect
    }

    init(json: JSONValue) {
        self.init(key: json["key"]?.stringValue ?? "", exists: json["operator"]?.stringValue == "Exists",
                  value: json["value"]?.stringValue ?? "", effect: json["effect"]?.stringValue ?? "")
    }

    func tolerates(_ taint: Taint) -> Bool {
        if !effect.isEmpty && effect != taint.effect { return false }
        if !key.isEmpty && key != taint.key { return false }
        return exists || value == taint.value
    }
}
