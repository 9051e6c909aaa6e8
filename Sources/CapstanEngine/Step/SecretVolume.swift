import CapstanAPI

/// How a node's `secrets` appear in its pod (SPEC §13). An `env` secret is a `secretKeyRef`
/// variable. Every `path` secret is an item of one projected volume, mounted by `subPath` at
/// exactly its file: a directory mount would hide whatever else the image keeps in that
/// directory (mounting `/etc/ssl/certs/ca.pem` would hide the CA bundle), and two secrets in
/// one directory would need two volumes at one `mountPath`, which the API server refuses.
/// One file per mount lets any number of secrets share a directory. Such mounts do not follow
/// later changes of the Secret, which an attempt that reads its secret at start never needs.
enum SecretVolume {
    static let name = "capstan-secrets"
    /// Where the task writes its outputs in a cluster (SPEC §3); no secret may be mounted there.
    static let terminationMessagePath = "/dev/termination-log"

    /// The `env` secrets as container variables, in the order the node lists them.
    static func environment(_ secrets: [SecretReference]) -> [JSONValue] {
        secrets.compactMap { secret in
            guard case .env(let variable) = secret.target else { return nil }
            return ["name": .string(variable), "valueFrom": ["secretKeyRef": ["name": .string(secret.name), "key": .string(secret.key)]]]
        }
    }

    /// The projected volume holding every `path` secret; nil when there is none.
    static func volume(_ secrets: [SecretReference]) -> JSONValue? {
        let sources: [JSONValue] = files(secrets).map { item, _, secret in
            ["secret": ["name": .string(secret.name), "items": [["key": .string(secret.key), "path": .string(item)]]]]
        }
        guard !sources.isEmpty else { return nil }
        return ["name": .string(name), "projected": ["sources": .array(sources)]]
    }

    /// One read-only mount per `path` secret, of its item at its file.
    static func mounts(_ secrets: [SecretReference]) -> [JSONValue] {
        files(secrets).map { item, file, _ in
            ["name": .string(name), "mountPath": .string(file), "subPath": .string(item), "readOnly": true]
        }
    }

    /// Each `path` secret with its item's name in the volume: its position and the file's
    /// own name, unique in the volume and readable in `kubectl describe`.
    private static func files(_ secrets: [SecretReference]) -> [(item: String, file: String, secret: SecretReference)] {
        secrets.enumerated().compactMap { i, secret in
            guard case .path(let file) = secret.target else { return nil }
            return ("\(i)-\(file.split(separator: "/").last ?? "secret")", file, secret)
        }
    }
}
