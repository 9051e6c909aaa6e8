import CapstanAPI
import CapstanKube
import Foundation

/// Reads the values of the Secret keys a local process needs, as the kubelet's secret
/// manager does when it creates a container. The kubelets' watch keeps only keys, never
/// values, so values are read once per start.
enum SecretValues {
    /// A Secret or key that is not there, in the kubelet's words.
    struct Missing: Error, Sendable {
        var message: String
    }

    static func read(_ keys: [ContainerCommand.SecretKey], namespace: String, client: KubeClient) async throws
        -> [ContainerCommand.SecretKey: Data]
    {
        var secrets: [String: [String: Data]] = [:]
        var values: [ContainerCommand.SecretKey: Data] = [:]
        for wanted in keys {
            if secrets[wanted.name] == nil {
                do {
                    secrets[wanted.name] = data(of: try await client.get(.secrets, namespace: namespace, name: wanted.name))
                } catch let error as KubeError where error.isNotFound {
                    throw Missing(message: "secret \"\(wanted.name)\" not found")
                }
            }
            guard let value = secrets[wanted.name]?[wanted.key] else {
                throw Missing(message: "couldn't find key \(wanted.key) in Secret \(namespace)/\(wanted.name)")
            }
            values[wanted] = value
        }
        return values
    }

    /// A Secret's keys and values: `data` (base64), with `stringData` written over it as the
    /// API server merges it on write.
    static func data(of secret: JSONValue) -> [String: Data] {
        var result: [String: Data] = [:]
        for (key, value) in secret["data"]?.objectValue ?? [:] {
            if let text = value.stringValue, let bytes = Data(base64Encoded: text) { result[key] = bytes }
        }
        for (key, value) in secret["stringData"]?.objectValue ?? [:] {
            if let text = value.stringValue { result[key] = Data(text.utf8) }
        }
        return result
    }
}
