import CapstanAPI

/// Strategic merge patch for the built-in kinds, as kubectl `label`, `annotate`, `patch` and
/// client-side `apply` produce it: lists of named things merge by their key, `$patch`,
/// `$retainKeys`, `$deleteFromPrimitiveList` and `$setElementOrder` directives are honoured.
/// Merge keys are looked up by field name, which is unambiguous across the built-in types served.
enum StrategicMergePatch {
    struct Failure: Error {
        var message: String
    }

    /// Lists whose items merge by a key field, by field name.
    private static let mergeKeys: [String: [String]] = [
        "containers": ["name"], "initContainers": ["name"], "ephemeralContainers": ["name"],
        "env": ["name"], "volumes": ["name"], "volumeMounts": ["mountPath"], "volumeDevices": ["devicePath"],
        "ports": ["containerPort", "port"], "imagePullSecrets": ["name"], "conditions": ["type"],
        "ownerReferences": ["uid"], "hostAliases": ["ip"], "taints": ["key"], "addresses": ["type"],
        "topologySpreadConstraints": ["topologyKey"], "resourceClaims": ["name"], "schedulingGates": ["name"],
        // Not containerStatuses: kube declares those lists atomic, so a kubelet's patch replaces them.
    ]

    /// Lists of scalars that merge as sets.
    private static let mergedPrimitiveLists: Set<String> = ["finalizers"]

    static func apply(_ patch: JSONValue, to target: JSONValue) throws(Failure) -> JSONValue {
        guard case .object = patch else {
            throw Failure(message: "json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
        }
        return try mergeObject(patch, into: target) ?? .object([:])
    }

    /// Nil when the patch deletes the whole map (`$patch: delete`).
    private static func mergeObject(_ patch: JSONValue, into target: JSONValue) throws(Failure) -> JSONValue? {
        guard case .object(var patchFields) = patch else { return patch }
        let directive = patchFields.removeValue(forKey: "$patch")?.stringValue
        switch directive {
        case "delete": return nil
        case "replace": return .object(patchFields.filter { !$0.key.hasPrefix("$") })
        case nil, "merge": break
        default: throw Failure(message: "Unknown patch type: \(directive!)")
        }
        var result = target.objectValue ?? [:]
        let retainKeys = patchFields.removeValue(forKey: "$retainKeys")?.arrayValue?.compactMap(\.stringValue)
        for (key, value) in patchFields {
            if key.hasPrefix("$setElementOrder/") { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.arrayValue ?? []
                if let existing = result[field]?.arrayValue {
                    result[field] = .array(existing.filter { !removed.contains($0) })
                }
                continue
            }
            if value.isNull {
                result[key] = nil
                continue
            }
            switch value {
            case .object:
                result[key] = try mergeObject(value, into: result[key] ?? .object([:]))
            case .array(let items):
                result[key] = try mergeList(field: key, patch: items, into: result[key]?.arrayValue ?? [])
            default:
                result[key] = value
            }
        }
        if let retainKeys {
            let keep = Set(retainKeys)
            result = result.filter { keep.contains($0.key) }
        }
        return .object(result)
    }

    private static func mergeList(field: String, patch: [JSONValue], into existing: [JSONValue]) throws(Failure) -> JSONValue {
        if patch.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
            return .array(patch.filter { $0["$patch"] == nil })
        }
        if mergedPrimitiveLists.contains(field) {
            var merged = existing
            for item in patch where !merged.contains(item) { merged.append(item) }
            return .array(merged)
        }
        guard let candidates = mergeKeys[field],
              let key = candidates.first(where: { candidate in patch.contains { $0[candidate] != nil } })
        else {
            return .array(patch)
        }
        var merged = existing
        for item in patch {
            guard let keyValue = item[key] else {
                throw Failure(message: "map: \(item.jsonString) does not contain declared merge key: \(key)")
            }
            let index = merged.firstIndex { $0[key] == keyValue }
            if item["$patch"]?.stringValue == "delete" {
                if let index { merged.remove(at: index) }
                continue
            }
            if let index {
                if let updated = try mergeObject(item, into: merged[index]) { merged[index] = updated } else { merged.remove(at: index) }
            } else if let added = try mergeObject(item, into: .object([:])) {
                merged.append(added)
            }
        }
        return .array(merged)
    }
}
