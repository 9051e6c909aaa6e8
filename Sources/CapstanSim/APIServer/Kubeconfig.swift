import Foundation

/// The kubeconfig `capstan sim` writes: one cluster, one context, one token user.
/// The simulated server accepts any token; the user exists so that clients send one, as they would to EKS.
public enum SimKubeconfig {
    public static let contextName = "capstan-sim"
    public static let token = "capstan-sim-token"

    public static func render(server: URL, namespace: String = "default") -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: \(contextName)
          cluster:
            server: \(server.absoluteString)
        contexts:
        - name: \(contextName)
          context:
            cluster: \(contextName)
            user: \(contextName)
            namespace: \(namespace)
        current-context: \(contextName)
        users:
        - name: \(contextName)
          user:
            token: \(token)
        preferences: {}

        """
    }

    /// Writes the file atomically with owner-only permissions (it holds a credential).
    public static func write(server: URL, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(render(server: server).utf8).write(to: url, options: .atomic)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}
