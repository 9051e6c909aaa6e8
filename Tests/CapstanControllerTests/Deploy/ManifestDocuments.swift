import CapstanAPI
import Foundation
import Yams

/// Kubernetes manifests as rendered by `helm template` or `kubectl kustomize`: a YAML stream
/// of objects, read into JSON values.
struct ManifestDocuments {
    let objects: [JSONValue]

    init(yaml: String) throws {
        var objects: [JSONValue] = []
        var documents = try Yams.load_all(yaml: yaml)
        while let document = documents.next() {
            let value = try JSONValue(yaml: document)
            if !value.isNull { objects.append(value) }
        }
        // The sequence stops at a parse error and keeps it instead of throwing.
        if let error = documents.error { throw error }
        self.objects = objects
    }

    init(objects: [JSONValue]) { self.objects = objects }

    init(file path: String) throws {
        try self.init(yaml: String(contentsOfFile: path, encoding: .utf8))
    }

    var kinds: [String] { objects.compactMap { $0["kind"]?.stringValue } }

    func all(kind: String) -> [JSONValue] {
        objects.filter { $0["kind"]?.stringValue == kind }
    }

    func first(kind: String, name: String? = nil) -> JSONValue? {
        all(kind: kind).first { name == nil || $0.value(at: "metadata", "name")?.stringValue == name }
    }
}

struct UnsupportedYAMLValue: Error, CustomStringConvertible {
    let description: String
}

extension JSONValue {
    /// Converts what Yams constructs (tags resolved: a quoted "2" stays a string) to a JSON value.
    init(yaml value: Any) throws {
        switch value {
        case is NSNull: self = .null
        case let flag as Bool: self = .bool(flag)
        case let integer as Int: self = .number(Double(integer))
        case let number as Double: self = .number(number)
        case let text as String: self = .string(text)
        case let date as Date: self = .string(ISO8601DateFormatter().string(from: date))
        case let list as [Any]: self = .array(try list.map { try JSONValue(yaml: $0) })
        case let map as [AnyHashable: Any]:
            var fields: [String: JSONValue] = [:]
            for (key, item) in map { fields[String(describing: key.base)] = try JSONValue(yaml: item) }
            self = .object(fields)
        default:
            throw UnsupportedYAMLValue(description: "cannot read a YAML value of type \(type(of: value))")
        }
    }

    /// The strings of a list value; empty when this is not a list.
    var stringList: [String] { arrayValue?.compactMap(\.stringValue) ?? [] }
}
