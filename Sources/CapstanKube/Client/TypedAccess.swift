import CapstanAPI
import Foundation

/// Typed access on top of the untyped client: any `Codable` type that mirrors a Kubernetes
/// object (the Workflow types, a Lease) can be read and written through `JSONValue`.
extension JSONValue {
    /// Decodes the value into `type` through JSON, reporting the path of a mismatch.
    public func decoded<T: Decodable>(as type: T.Type) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(serialized()))
        } catch let error as DecodingError {
            throw KubeError(reason: .invalidResponse, code: 0, message: "cannot read the object as \(T.self): \(Self.describe(error))")
        }
    }

    /// The JSON form of an `Encodable` value.
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONValue.parse(Array(data))
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "(root)" : String(text.drop { $0 == "." })
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context):
            return "\(path(context)): missing field \(key.stringValue)"
        @unknown default:
            return "\(error)"
        }
    }
}

extension ResourceReader {
    /// Gets one object decoded as `T`.
    public func get<T: Decodable>(_ resource: ResourceType, namespace: String?, name: String, as type: T.Type) async throws -> T {
        try await get(resource, namespace: namespace, name: name).decoded(as: T.self)
    }

    /// Lists every object (all pages), each decoded as `T`.
    public func listAll<T: Decodable>(_ resource: ResourceType, namespace: String?, options: ListOptions = ListOptions(),
                                      as type: T.Type) async throws -> [T] {
        try await listAll(resource, namespace: namespace, options: options).items.map { try $0.decoded(as: T.self) }
    }
}

extension ResourceWriter {
    /// Creates an object from an `Encodable` value (which must carry apiVersion, kind and metadata).
    public func create<T: Codable>(_ resource: ResourceType, namespace: String?, _ object: T) async throws -> T {
        try await create(resource, namespace: namespace, object: JSONValue(encoding: object)).decoded(as: T.self)
    }
}
