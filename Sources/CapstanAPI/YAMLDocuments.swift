import Yams

/// Reads YAML (or JSON, which is YAML) into JSON values, one per document.
public enum YAMLDocuments {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func load(_ text: String) throws(ParseError) -> [JSONValue] {
        do {
            var documents: [JSONValue] = []
            let parser = try Parser(yaml: text)
            while let node = try parser.nextRoot() {
                documents.append(try convert(node, depth: 0))
            }
            return documents
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(description: "invalid YAML: \(error)")
        }
    }

    private static func convert(_ node: Node, depth: Int) throws -> JSONValue {
        guard depth < 256 else { throw ParseError(description: "YAML nested deeper than 256 levels") }
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar)
        case .sequence(let sequence):
            return .array(try sequence.map { try convert($0, depth: depth + 1) })
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw ParseError(description: "line \(key.mark?.line ?? 0): mapping keys must be plain strings")
                }
                object[keyScalar.string] = try convert(value, depth: depth + 1)
            }
            return .object(object)
        case .alias:
            throw ParseError(description: "YAML aliases are not supported")
        }
    }

    /// Plain scalars are typed as Kubernetes reads manifests: null, booleans (YAML 1.1's
    /// spellings included), integers and floats; everything else, and any quoted scalar, is a string.
    private static func scalarValue(_ scalar: Node.Scalar) -> JSONValue {
        let text = scalar.string
        if scalar.style != .plain { return .string(text) }
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        // YAML 1.1 booleans as well, because kubectl reads manifests that way: `y` or `on`
        // in a list of output names would reach the API server as `true`.
        case "true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON": return .bool(true)
        case "false", "False", "FALSE", "n", "N", "no", "No", "NO", "off", "Off", "OFF": return .bool(false)
        default: break
        }
        if let number = number(text) { return .number(number) }
        return .string(text)
    }

    private static func number(_ text: String) -> Double? {
        let chars = Array(text.utf8)
        guard let first = chars.first else { return nil }
        let body = (first == UInt8(ascii: "-") || first == UInt8(ascii: "+")) ? chars.dropFirst() : chars[...]
        guard let lead = body.first else { return nil }
        let isDigit = { (b: UInt8) in b >= 48 && b <= 57 }
        if text.hasPrefix("0x"), let v = Int(text.dropFirst(2), radix: 16) { return Double(v) }
        if text.hasPrefix("0o"), let v = Int(text.dropFirst(2), radix: 8) { return Double(v) }
        guard isDigit(lead) || (lead == UInt8(ascii: ".") && body.count > 1 && isDigit(body[body.startIndex + 1])) else { return nil }
        guard body.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "+") })
        else { return nil }
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }
}
