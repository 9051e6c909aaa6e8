import Foundation

/// Where a pod finds its service account; tests point these at a temporary folder.
public struct InClusterPaths: Sendable {
    public var token: String
    public var certificateAuthority: String
    public var namespace: String

    public init(folder: String) {
        token = folder + "/token"
        certificateAuthority = folder + "/ca.crt"
        namespace = folder + "/namespace"
    }

    public static let standard = InClusterPaths(folder: "/var/run/secrets/kubernetes.io/serviceaccount")
}

extension KubeConfig {
    /// The configuration of a pod's own service account. The token is read from its file at
    /// most once a minute and again after a 401, so rotated projected tokens are picked up.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        paths: InClusterPaths = .standard
    ) throws -> KubeConfig {
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubeConfigError(
                location: "environment",
                reason: "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set to use the in-cluster configuration"
            )
        }
        // IPv6 service addresses need brackets inside a URL.
        let hostPart = host.contains(":") ? "[\(host)]" : host
        guard let server = URL(string: "https://\(hostPart):\(port)") else {
            throw KubeConfigError(location: "environment", reason: "KUBERNETES_SERVICE_HOST/PORT do not form a URL")
        }
        guard FileManager.default.fileExists(atPath: paths.token) else {
            throw KubeConfigError(location: paths.token, reason: "no service-account token; is automountServiceAccountToken disabled?")
        }
        let tokens = TokenSource(file: paths.token)
        guard let ca = FileManager.default.contents(atPath: paths.certificateAuthority) else {
            throw KubeConfigError(location: paths.certificateAuthority, reason: "cannot read the cluster's CA certificate")
        }
        let namespace = FileManager.default.contents(atPath: paths.namespace)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        return KubeConfig(
            server: server,
            certificateAuthorityPEM: Array(ca),
            credentials: .bearer(tokens),
            namespace: namespace,
            origin: "in-cluster service account (\(paths.token))"
        )
    }
}
