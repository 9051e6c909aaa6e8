/// Reads one JSON object strictly: typed fields, every problem collected with its path, and
/// any field nobody asked for reported as unknown when `finish()` is called.
public struct FieldReader {
    public let path: String
    private let fields: [String: JSONValue]
    private var consumed: Set<String> = []
    private let problems: ProblemList

    /// Returns nil (and records a problem) when `value` is not an object.
    public init?(_ value: JSONValue, path: String, problems: ProblemList) {
        self.path = path
        self.problems = problems
        guard case .object(let fields) = value else {
            problems.add(path, "must be an object, not a \(value.typeName)")
            return nil
        }
        self.fields = fields
    }

    public func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    public mutating func raw(_ key: String) -> JSONValue? {
        consumed.insert(key)
        guard let value = fields[key], !value.isNull else { return nil }
        return value
    }

    public mutating func string(_ key: String) -> String? {
        guard let value = raw(key) else { return nil }
        guard case .string(let s) = value else {
            problems.add(child(key), "must be a string, not a \(value.typeName)")
            return nil
        }
        return s
    }

    public mutating func bool(_ key: String) -> Bool? {
        guard let value = raw(key) else { return nil }
        guard case .bool(let b) = value else {
            problems.add(child(key), "must be true or false, not a \(value.typeName)")
            return nil
        }
        return b
    }

    public mutating func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = raw(key) else { return nil }
        guard case .number(let n) = value, let i = value.intValue else {
            problems.add(child(key), "must be a whole number, not \(value.typeName == "number" ? value.jsonString : "a \(value.typeName)")")
            return nil
        }
        guard range.contains(i) else {
            problems.add(child(key), "\(JSONValue.format(number: n)) is out of range \(range.lowerBound)...\(range.upperBound)")
            return nil
        }
        return i
    }

    public mutating func number(_ key: String, in range: ClosedRange<Double>) -> Double? {
        guard let value = raw(key) else { return nil }
        guard case .number(let n) = value else {
            problems.add(child(key), "must be a number, not a \(value.typeName)")
            return nil
        }
        guard range.contains(n) else {
            problems.add(child(key), "\(JSONValue.format(number: n)) is out of range \(JSONValue.format(number: range.lowerBound))...\(JSONValue.format(number: range.upperBound))")
            return nil
        }
        return n
    }

    public mutating func duration(_ key: String) -> SpecDuration? {
        guard let text = string(key) else { return nil }
        do {
            return try SpecDuration(text)
        } catch {
            problems.add(child(key), error.description)
            return nil
        }
    }

    public mutating func stringList(_ key: String) -> [String]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let items) = value else {
            problems.add(child(key), "must be a list of strings, not a \(value.typeName)")
            return nil
        }
        var strings: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                problems.add("\(child(key))[\(i)]", "must be a string, not a \(item.typeName)")
                continue
            }
            strings.append(s)
        }
        return strings
    }

    public mutating func stringMap(_ key: String) -> [String: String]? {
        guard let value = raw(key) else { return nil }
        guard case .object(let object) = value else {
            problems.add(child(key), "must be a map of strings, not a \(value.typeName)")
            return nil
        }
        var strings: [String: String] = [:]
        for (name, item) in object {
            guard case .string(let s) = item else {
                problems.add("\(child(key)).\(name)", "must be a string, not a \(item.typeName)")
                continue
            }
            strings[name] = s
        }
        return strings
    }

    public mutating func object(_ key: String) -> [String: JSONValue]? {
        guard let value = raw(key) else { return nil }
        guard case .object(let object) = value else {
            problems.add(child(key), "must be an object, not a \(value.typeName)")
            return nil
        }
        return object
    }

    public mutating func list(_ key: String) -> [JSONValue]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let items) = value else {
            problems.add(child(key), "must be a list, not a \(value.typeName)")
            return nil
        }
        return items
    }

    /// Reports every field that was present but never read.
    public func finish() {
        for key in fields.keys.sorted() where !consumed.contains(key) {
            problems.add(child(key), "unknown field \"\(key)\"")
        }
    }
}

/// Collects diagnostics while a spec is read; a class so nested readers share one list.
public final class ProblemList {
    public private(set) var diagnostics: [Diagnostic] = []
    public init() {}
    public func add(_ path: String, _ message: String) {
        diagnostics.append(Diagnostic(path: path, message: message))
    }
}
