import CapstanAPI

/// What kube-apiserver does with a custom resource and its CRD's `openAPIV3Schema` on every
/// write: fields the schema does not know are pruned (or, with `fieldValidation=Strict`,
/// refused), defaults are filled in, and types, enums, required fields and bounds are checked.
/// Without this a controller could write status fields a real cluster silently drops.
struct StructuralSchema {
    let root: JSONValue

    struct Outcome {
        var unknownFields: [String] = []
        var errors: [String] = []
    }

    /// Prunes and defaults `object` in place; returns what was unknown and what is invalid.
    /// On an update, top-level fields the write leaves as `stored` had them are not walked
    /// again: they were pruned, defaulted and checked when written, and kube's validation
    /// ratcheting accepts fields an update does not change. A status write to a Workflow of
    /// a thousand nodes then walks its status, not its spec.
    func apply(to object: inout JSONValue, stored: JSONValue? = nil) -> Outcome {
        var outcome = Outcome()
        guard case .object(var fields) = object, let properties = root["properties"]?.objectValue else { return outcome }
        for (key, value) in fields where !["apiVersion", "kind", "metadata"].contains(key) && stored?[key] != value {
            if let schema = properties[key] {
                var child = value
                walk(&child, schema: schema, path: key, outcome: &outcome)
                fields[key] = child
            } else if root["x-kubernetes-preserve-unknown-fields"]?.boolValue != true {
                fields[key] = nil
                outcome.unknownFields.append(key)
            }
        }
        applyDefaults(&fields, properties: properties, path: "")
        for name in root["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[name] == nil {
            outcome.errors.append("\(name): Required value")
        }
        object = .object(fields)
        return outcome
    }

    private func walk(_ value: inout JSONValue, schema: JSONValue, path: String, outcome: inout Outcome) {
        if value.isNull {
            if schema["nullable"]?.boolValue != true && schema["type"] != nil {
                outcome.errors.append("\(path): Invalid value: \"null\": \(path) in body must be of type \(schema["type"]!.stringValue ?? ""): \"null\"")
            }
            return
        }
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            if value.stringValue == nil && value.intValue == nil {
                outcome.errors.append("\(path): Invalid value: \"\(value.typeName)\": \(path) in body must be of type int-or-string: \"\(value.typeName)\"")
            }
            return
        }
        if let type = schema["type"]?.stringValue, !Self.matches(value, type: type) {
            outcome.errors.append("\(path): Invalid value: \"\(Self.goTypeName(value))\": \(path) in body must be of type \(type): \"\(Self.goTypeName(value))\"")
            return
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(value) {
            let list = allowed.map { $0.jsonString }.joined(separator: ", ")
            outcome.errors.append("\(path): Unsupported value: \(value.jsonString): supported values: \(list)")
        }
        checkBounds(value, schema: schema, path: path, outcome: &outcome)
        switch value {
        case .object(var fields):
            let properties = schema["properties"]?.objectValue
            let additional = schema["additionalProperties"]
            let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
            for (key, child) in fields {
                let childPath = "\(path).\(key)"
                if let childSchema = properties?[key] {
                    var updated = child
                    walk(&updated, schema: childSchema, path: childPath, outcome: &outcome)
                    fields[key] = updated
                } else if let additional, case .object = additional {
                    var updated = child
                    walk(&updated, schema: additional, path: childPath, outcome: &outcome)
                    fields[key] = updated
                } else if !preserve && (properties != nil || additional?.boolValue == false || additional == nil) {
                    fields[key] = nil
                    outcome.unknownFields.append(childPath)
                }
            }
            if let properties { applyDefaults(&fields, properties: properties, path: path) }
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where fields[name] == nil {
                outcome.errors.append("\(path).\(name): Required value")
            }
            value = .object(fields)
        case .array(var items):
            if let itemSchema = schema["items"] {
                for index in items.indices { walk(&items[index], schema: itemSchema, path: "\(path)[\(index)]", outcome: &outcome) }
            }
            value = .array(items)
        default:
            break
        }
    }

    private func applyDefaults(_ fields: inout [String: JSONValue], properties: [String: JSONValue], path: String) {
        for (key, schema) in properties where fields[key] == nil {
            if let value = schema["default"] { fields[key] = value }
        }
    }

    private func checkBounds(_ value: JSONValue, schema: JSONValue, path: String, outcome: inout Outcome) {
        if let number = value.doubleValue {
            if let minimum = schema["minimum"]?.doubleValue, number < minimum {
                outcome.errors.append("\(path): Invalid value: \(value.jsonString): \(path) in body should be greater than or equal to \(JSONValue.number(minimum).jsonString)")
            }
            if let maximum = schema["maximum"]?.doubleValue, number > maximum {
                outcome.errors.append("\(path): Invalid value: \(value.jsonString): \(path) in body should be less than or equal to \(JSONValue.number(maximum).jsonString)")
            }
        }
        if let items = value.arrayValue {
            if let minItems = schema["minItems"]?.intValue, items.count < minItems {
                outcome.errors.append("\(path): Invalid value: \(items.count): \(path) in body should have at least \(minItems) items")
            }
            if let maxItems = schema["maxItems"]?.intValue, items.count > maxItems {
                outcome.errors.append("\(path): Too many: \(items.count): must have at most \(maxItems) items")
            }
        }
        if let text = value.stringValue {
            if let maxLength = schema["maxLength"]?.intValue, text.count > maxLength {
                outcome.errors.append("\(path): Too long: may not be more than \(maxLength) bytes")
            }
            if let minLength = schema["minLength"]?.intValue, text.count < minLength {
                outcome.errors.append("\(path): Invalid value: \"\(text)\": \(path) in body should be at least \(minLength) chars long")
            }
        }
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("number", .number): return true
        case ("integer", .number): return value.intValue != nil
        default: return false
        }
    }

    /// The names Go's JSON decoding reports in kube's messages.
    private static func goTypeName(_ value: JSONValue) -> String {
        switch value {
        case .string: return "string"
        case .number: return value.intValue != nil ? "integer" : "number"
        case .bool: return "boolean"
        case .array: return "array"
        case .object: return "object"
        case .null: return "null"
        }
    }
}
