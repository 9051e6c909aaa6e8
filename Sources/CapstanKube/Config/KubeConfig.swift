import Foundation

/// Everything the client needs to reach one API server: where it is, how to trust it and how
/// to authenticate. Built from a kubeconfig (`KubeConfig.load`) or from the pod's service
/// account (`KubeConfig.inCluster`), or by hand for tests.
public struct KubeConfig: Sendable {
    /// The API server's base URL, e.g. `https://10.0.0.1:443` or `http://127.0.0.1:6443`.
    public var server: URL
    /// PEM bytes of the certificate authorities that sign the server's certificate;
    /// nil trusts the system roots.
    public var certificateAuthorityPEM: [UInt8]?
    /// PEM bytes of the client certificate (chain) and its private key, for mutual TLS.
    public var clientCertificatePEM: [UInt8]?
    public var clientKeyPEM: [UInt8]?
    /// Skips verification of the server's certificate (kubeconfig `insecure-skip-tls-verify`).
    public var insecureSkipTLSVerify: Bool
    /// Name checked against the server's certificate instead of the URL's host.
    public var tlsServerName: String?
    public var credentials: Credentials
    /// The namespace of the kubeconfig context or of the service account; `default` otherwise.
    public var namespace: String
    /// Where this configuration came from, for log lines and error messages.
    public var origin: String

    public enum Credentials: Sendable {
        case none
        case bearer(TokenSource)
        case basic(username: String, password: String)
    }

    public init(
        server: URL,
        certificateAuthorityPEM: [UInt8]? = nil,
        clientCertificatePEM: [UInt8]? = nil,
        clientKeyPEM: [UInt8]? = nil,
        insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil,
        credentials: Credentials = .none,
        namespace: String = "default",
        origin: String = "explicit configuration"
    ) {
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.credentials = credentials
        self.namespace = namespace
        self.origin = origin
    }

    public var usesTLS: Bool { server.scheme?.lowercased() == "https" }

    /// Resolves the configuration the way controller-runtime does: the explicit
    /// `--kubeconfig` path, else `KUBECONFIG`, else the in-cluster service account when
    /// `KUBERNETES_SERVICE_HOST` is set, else `~/.kube/config`.
    public static func load(
        kubeconfigPath: String? = nil,
        context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        inClusterPaths: InClusterPaths = .standard
    ) throws -> KubeConfig {
        if let path = kubeconfigPath, !path.isEmpty {
            return try fromKubeconfig(paths: [path], context: context, requireAll: true)
        }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            let paths = list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
            return try fromKubeconfig(paths: paths, context: context, requireAll: false)
        }
        if let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
            return try inCluster(environment: environment, paths: inClusterPaths)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let defaultPath = URL(fileURLWithPath: home).appendingPathComponent(".kube/config").path
        guard FileManager.default.fileExists(atPath: defaultPath) else {
            throw KubeConfigError(
                location: defaultPath,
                reason: "no Kubernetes configuration found: pass --kubeconfig, set KUBECONFIG, run in a pod, or create \(defaultPath)"
            )
        }
        return try fromKubeconfig(paths: [defaultPath], context: context, requireAll: true)
    }
}

/// A configuration that cannot be used, with the file (or variable) at fault and what to fix.
public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
    public var location: String
    public var reason: String
    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }
    public var description: String { "\(location): \(reason)" }
}
