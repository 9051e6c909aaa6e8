import Foundation
import CapstanAPI

/// JSON Patch (RFC 6902): add, remove, replace, move, copy and test operations on JSON pointers.
enum JSONPatch {
    struct Failure: Error {
        var message: String
    }

    static func apply(_ patch: JSONValue, to target: JSONValue) throws(Failure) -> JSONValue {
        guard let operations = patch.arrayValue else {
            throw Failure(message: "json: cannot unmarshal \(patch.typeName) into Go value of type jsonpatch.Patch")
        }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue else { throw Failure(message: "Unexpected kind: unknown") }
            guard let path = operation["path"]?.stringValue else {
                throw Failure(message: "missing path in \"\(op)\" operation")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                guard let value = operation["value"] else { throw Failure(message: "missing value in add operation") }
                document = try insert(value, at: pointer[...], in: document, replacing: false)
            case "replace":
                guard let value = operation["value"] else { throw Failure(message: "missing value in replace operation") }
                _ = try read(pointer[...], in: document, path: path)
                document = try insert(value, at: pointer[...], in: document, replacing: true)
            case "remove":
                document = try remove(pointer[...], from: document, path: path)
            case "test":
                let expected = operation["value"] ?? .null
                guard try read(pointer[...], in: document, path: path) == expected else {
                    throw Failure(message: "testing value \(path) failed: test failed")
                }
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else { throw Failure(message: "missing from in \(op) operation") }
                let fromPointer = try parsePointer(from)
                let value = try read(fromPointer[...], in: document, path: from)
                if op == "move" { document = try remove(fromPointer[...], from: document, path: from) }
                document = try insert(value, at: pointer[...], in: document, replacing: false)
            default:
                throw Failure(message: "Unexpected kind: \(op)")
            }
        }
        return document
    }

    private static func parsePointer(_ path: String) throws(Failure) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw Failure(message: "JSON pointer must be empty or start with a \"/\": \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func read(_ pointer: ArraySlice<String>, in value: JSONValue, path: String) throws(Failure) -> JSONValue {
        guard let head = pointer.first else { return value }
        switch value {
        case .object(let fields):
            guard let child = fields[head] else { throw Failure(message: "doc is missing path: \"\(path)\": missing value") }
            return try read(pointer.dropFirst(), in: child, path: path)
        case .array(let items):
            guard let index = Int(head), items.indices.contains(index) else {
                throw Failure(message: "doc is missing path: \"\(path)\": missing value")
            }
            return try read(pointer.dropFirst(), in: items[index], path: path)
        default:
            throw Failure(message: "doc is missing path: \"\(path)\": missing value")
        }
    }

    private static func insert(_ newValue: JSONValue, at pointer: ArraySlice<String>, in value: JSONValue,
                               replacing: Bool) throws(Failure) -> JSONValue {
        guard let head = pointer.first else { return newValue }
        let rest = pointer.dropFirst()
        switch value {
        case .object(var fields):
            if rest.isEmpty {
                fields[head] = newValue
            } else {
                guard let child = fields[head] else {
                    throw Failure(message: "add operation does not apply: doc is missing path: \"/\(pointer.joined(separator: "/"))\": missing value")
                }
                fields[head] = try insert(newValue, at: rest, in: child, replacing: replacing)
            }
            return .object(fields)
        case .array(var items):
            if rest.isEmpty {
                if head == "-" && !replacing { items.append(newValue); return .array(items) }
                guard let index = Int(head), index >= 0, index <= items.count, !(replacing && index == items.count) else {
                    throw Failure(message: "add operation does not apply: doc is missing path: \"\(head)\": missing value")
                }
                if replacing { items[index] = newValue } else { items.insert(newValue, at: index) }
                return .array(items)
            }
            guard let index = Int(head), items.indices.contains(index) else {
                throw Failure(message: "doc is missing path: \"\(head)\": missing value")
            }
            items[index] = try insert(newValue, at: rest, in: items[index], replacing: replacing)
            return .array(items)
        default:
            throw Failure(message: "doc is missing path: \"\(head)\": missing value")
        }
    }

    private static func remove(_ pointer: ArraySlice<String>, from value: JSONValue, path: String) throws(Failure) -> JSONValue {
        guard let head = pointer.first else { throw Failure(message: "unable to remove the whole document") }
        let rest = pointer.dropFirst()
        switch value {
        case .object(var fields):
            guard let child = fields[head] else {
                throw Failure(message: "remove operation does not apply: doc is missing path: \"\(path)\": missing value")
            }
            fields[head] = rest.isEmpty ? nil : try remove(rest, from: child, path: path)
            return .object(fields)
        case .array(var items):
            guard let index = Int(head), items.indices.contains(index) else {
                throw Failure(message: "remove operation does not apply: doc is missing path: \"\(path)\": missing value")
            }
            if rest.isEmpty { items.remove(at: index) } else { items[index] = try remove(rest, from: items[index], path: path) }
            return .array(items)
        default:
            throw Failure(message: "remove operation does not apply: doc is missing path: \"\(path)\": missing value")
        }
    }
}
