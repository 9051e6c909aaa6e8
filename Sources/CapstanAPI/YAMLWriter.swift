/// Writes JSON values as block-style YAML with sorted keys, for generated manifests.
public enum YAMLWriter {
    public static func write(_ value: JSONValue) -> String {
        var out = ""
        emit(value, indent: 0, into: &out, inList: false)
        return out
    }

    private static func emit(_ value: JSONValue, indent: Int, into out: inout String, inList: Bool) {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let fields) where !fields.isEmpty:
            for (i, key) in fields.keys.sorted().enumerated() {
                let prefix = (inList && i == 0) ? "" : pad
                let child = fields[key]!
                out += prefix + scalarKey(key) + ":"
                if isBlock(child) {
                    out += "\n"
                    emit(child, indent: indent + (isList(child) ? 0 : 1), into: &out, inList: false)
                } else {
                    out += " " + scalar(child) + "\n"
                }
            }
        case .array(let items) where !items.isEmpty:
            for item in items {
                out += pad + "- "
                if case .object(let fields) = item, !fields.isEmpty {
                    emit(item, indent: indent + 1, into: &out, inList: true)
                } else if isBlock(item) {
                    out += "\n"
                    emit(item, indent: indent + 1, into: &out, inList: false)
                } else {
                    out += scalar(item) + "\n"
                }
            }
        default:
            out += pad + scalar(value) + "\n"
        }
    }

    private static func isBlock(_ value: JSONValue) -> Bool {
        switch value {
        case .object(let f): return !f.isEmpty
        case .array(let a): return !a.isEmpty
        default: return false
        }
    }

    private static func isList(_ value: JSONValue) -> Bool {
        if case .array = value { return true }
        return false
    }

    private static func scalarKey(_ key: String) -> String { needsQuotes(key) ? JSONValue.string(key).jsonString : key }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return needsQuotes(s) ? JSONValue.string(s).jsonString : s
        case .object: return "{}"
        case .array: return "[]"
        default: return value.jsonString
        }
    }

    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"]

    private static func needsQuotes(_ s: String) -> Bool {
        if s.isEmpty || reserved.contains(s.lowercased()) { return true }
        if Double(s) != nil || Int(s) != nil { return true }
        if let first = s.first, "-?:,[]{}#&*!|>'\"%@`. ".contains(first) { return true }
        if s.last == " " || s.last == ":" { return true }
        return s.contains(": ") || s.contains(" #") || s.contains("\n") || s.contains("\t")
    }
}
