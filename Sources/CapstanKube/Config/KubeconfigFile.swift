import CapstanAPI
import Foundation
import Yams

/// The parts of a kubeconfig file (`kind: Config`) the client reads, as written on disk.
/// Field names follow kubectl's YAML spelling; unknown fields are ignored, as kubectl does.
struct KubeconfigFile: Decodable, Sendable {
    var currentContext: String?
    var clusters: [Named<Cluster>]
    var contexts: [Named<Context>]
    var users: [Named<User>]

    struct Named<Value: Decodable & Sendable>: Decodable, Sendable {
        var name: String
        var value: Value
    }

    struct Cluster: Decodable, Sendable {
        var server: String?
        var certificateAuthority: String?
        var certificateAuthorityData: String?
        var insecureSkipTLSVerify: Bool?
        var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    struct Context: Decodable, Sendable {
        var cluster: String?
        var user: String?
        var namespace: String?
    }

    struct User: Decodable, Sendable {
        var clientCertificate: String?
        var clientCertificateData: String?
        var clientKey: String?
        var clientKeyData: String?
        var token: String?
        var tokenFile: String?
        var username: String?
        var password: String?
        var exec: JSONValue?
        var authProvider: JSONValue?
        /// The folder of the file that defined this user (not in YAML): exec commands are relative to it.
        var folder: String?

        enum CodingKeys: String, CodingKey {
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case token
            case tokenFile
            case username
            case password
            case exec
            case authProvider = "auth-provider"
        }
    }

    enum CodingKeys: String, CodingKey {
        case currentContext = "current-context"
        case clusters, contexts, users
    }

    init(currentContext: String?, clusters: [Named<Cluster>], contexts: [Named<Context>], users: [Named<User>]) {
        self.currentContext = currentContext
        self.clusters = clusters
        self.contexts = contexts
        self.users = users
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currentContext = try container.decodeIfPresent(String.self, forKey: .currentContext)
        clusters = try container.decodeIfPresent([NamedCluster].self, forKey: .clusters)?.map(\.named) ?? []
        contexts = try container.decodeIfPresent([NamedContext].self, forKey: .contexts)?.map(\.named) ?? []
        users = try container.decodeIfPresent([NamedUser].self, forKey: .users)?.map(\.named) ?? []
    }

    /// Parses kubeconfig YAML. An empty document is an empty config, as kubectl treats it.
    static func parse(_ text: String) throws -> KubeconfigFile {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return KubeconfigFile(currentContext: nil, clusters: [], contexts: [], users: [])
        }
        return try YAMLDecoder().decode(KubeconfigFile.self, from: text)
    }

    /// Later files fill in only what earlier ones lack: the first file to set a value wins,
    /// which is kubectl's rule for a `KUBECONFIG` list.
    func merged(with later: KubeconfigFile) -> KubeconfigFile {
        func union<V>(_ first: [Named<V>], _ second: [Named<V>]) -> [Named<V>] {
            let known = Set(first.map(\.name))
            return first + second.filter { !known.contains($0.name) }
        }
        return KubeconfigFile(
            currentContext: currentContext ?? later.currentContext,
            clusters: union(clusters, later.clusters),
            contexts: union(contexts, later.contexts),
            users: union(users, later.users)
        )
    }
}

// kubeconfig nests each entry under a type-named key: `clusters: [{name: x, cluster: {...}}]`.
private struct NamedCluster: Decodable {
    var name: String
    var cluster: KubeconfigFile.Cluster?
    var named: KubeconfigFile.Named<KubeconfigFile.Cluster> {
        .init(name: name, value: cluster ?? .init())
    }
}

private struct NamedContext: Decodable {
    var name: String
    var context: KubeconfigFile.Context?
    var named: KubeconfigFile.Named<KubeconfigFile.Context> {
        .init(name: name, value: context ?? .init())
    }
}

private struct NamedUser: Decodable {
    var name: String
    var user: KubeconfigFile.User?
    var named: KubeconfigFile.Named<KubeconfigFile.User> {
        .init(name: name, value: user ?? .init())
    }
}
