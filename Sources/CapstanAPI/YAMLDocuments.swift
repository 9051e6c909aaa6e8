import Yams

/// Reads YAML (or JSON, which is YAML) into JSON values, one per document.
public enum YAMLDocuments {
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public static func load(_ text: String) throws(ParseError) -> [JSONValue] {
        do {
            var documents: [JSONValue] = []
            for node in try Yams.compose_all(yaml: text) {
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

    private static func scalarValue(_ scalar: Node.Scalar) -> JSONValue {
        if scalar.style != .plain { return .string(scalar.string) }
        switch scalar.tag.description {
        case "tag:yaml.org,2002:null": return .null
        case "tag:yaml.org,2002:bool":
            if let b = Bool.construct(from: scalar) { return .bool(b) }
        case "tag:yaml.org,2002:int":
            if let i = Int.construct(from: scalar) { return .number(Double(i)) }
        case "tag:yaml.org,2002:float":
            if let d = Double.construct(from: scalar), d.isFinite { return .number(d) }
        default: break
        }
        return .string(scalar.string)
    }
}
