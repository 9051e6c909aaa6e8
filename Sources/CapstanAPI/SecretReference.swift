/// One key of a Kubernetes Secret handed to a node's task (SPEC §13): as an environment
/// variable (`env`) or as a read-only file (`path`). The kubelet reads the Secret, so the
/// controller never sees its value.
public struct SecretReference: Sendable, Hashable {
    public enum Target: Sendable, Hashable {
        /// The environment variable that receives the key's value.
        case env(String)
        /// The absolute path of the file that holds the key's value.
        case path(String)
    }

    /// The Secret, in the workflow's namespace.
    public var name: String
    public var key: String
    public var target: Target

    public init(name: String, key: String, target: Target) {
        self.name = name
        self.key = key
        self.target = target
    }

    /// Kubernetes' rule for Secret and ConfigMap keys (`IsConfigMapKey`): letters, digits,
    /// '-', '_' and '.', at most 253, and not `.`, `..` or anything starting with `..`.
    public static func isValidKey(_ key: String) -> Bool {
        guard !key.isEmpty, key.utf8.count <= 253, key != ".", !key.hasPrefix("..") else { return false }
        return key.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0))
        }
    }
}

extension SecretReference {
    /// Reads `{name, key, env}` or `{name, key, path}`; exactly one of `env` and `path`.
    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> SecretReference? {
        guard var reader = FieldReader(value, path: path, problems: problems) else { return nil }
        let name = reader.string("name")
        let key = reader.string("key")
        let env = reader.string("env")
        let file = reader.string("path")
        reader.finish()
        if name == nil { problems.add(reader.child("name"), "is required: the Secret to read") }
        if key == nil { problems.add(reader.child("key"), "is required: the key of the Secret to read") }
        let target: Target?
        switch (env, file) {
        case (let env?, nil): target = .env(env)
        case (nil, let file?): target = .path(file)
        case (.some, .some):
            problems.add(path, "set either env or path, not both: a secret becomes one environment variable or one file")
            target = nil
        case (nil, nil):
            problems.add(path, "set env (an environment variable) or path (an absolute file path) to say where the secret goes")
            target = nil
        }
        guard let name, let key, let target else { return nil }
        return SecretReference(name: name, key: key, target: target)
    }
}
