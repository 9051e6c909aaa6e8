import CapstanAPI
import Foundation

/// What `capstan worker` reads from its pod's environment: where the controller is, the
/// token, and the claims the token signs.
public struct WorkerEnvironment: Sendable, Hashable {
    /// `CAPSTAN_DISPATCH_URL`, without a trailing `/`.
    public var dispatchURL: String
    public var token: String
    public var claims: WorkerClaims

    public static let namespaceVariable = "CAPSTAN_NAMESPACE"
    public static let workflowVariable = "CAPSTAN_WORKFLOW"
    public static let nodeVariable = "CAPSTAN_NODE"

    public init(dispatchURL: String, token: String, claims: WorkerClaims) {
        self.dispatchURL = dispatchURL
        self.token = token
        self.claims = claims
    }

    /// Reads every variable; a missing or empty one is an error naming it.
    public init(_ environment: [String: String]) throws(WorkerEnvironmentError) {
        func value(_ name: String) throws(WorkerEnvironmentError) -> String {
            guard let text = environment[name], !text.isEmpty else { throw WorkerEnvironmentError(variable: name, problem: "is not set") }
            return text
        }
        var url = try value(WorkerProtocol.dispatchURLVariable)
        while url.hasSuffix("/") { url.removeLast() }
        guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw WorkerEnvironmentError(variable: WorkerProtocol.dispatchURLVariable,
                                         problem: "\"\(url)\" is not an http:// or https:// URL")
        }
        dispatchURL = url
        token = try value(WorkerProtocol.tokenVariable)
        claims = WorkerClaims(namespace: try value(Self.namespaceVariable), workflow: try value(Self.workflowVariable),
                              workflowUID: try value(WorkerProtocol.workflowUIDVariable), node: try value(Self.nodeVariable),
                              pod: try value(WorkerProtocol.podVariable))
    }
}

/// A variable `capstan worker` needs is missing or wrong.
public struct WorkerEnvironmentError: Error, Sendable, Hashable, CustomStringConvertible {
    public var variable: String
    public var problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "environment variable \(variable) \(problem)" }
}
