import CapstanAPI

/// How a worker reaches the controller's dispatch endpoint: one poll out, one assignment
/// back. `HTTPDispatchTransport` is the real one; tests give `WorkerLoop` a fake.
public protocol DispatchTransport: Sendable {
    /// Throws `DispatchError`; any other error reads as transient.
    func poll(_ poll: WorkerPoll) async throws -> WorkerAssignment
}

/// Why a poll got no assignment. A struct over a private kind, so that new kinds break no
/// caller: ask `isTransient` / `isRefused`.
public struct DispatchError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Kind: Sendable, Hashable {
        /// Network errors, 5xx, 429, a timeout, an answer that cannot be read: try again.
        case transient
        /// 401/403: the controller does not accept this worker's token.
        case refused
        /// Another 4xx: the request itself is wrong; retrying would not help.
        case rejected
    }

    private let kind: Kind
    /// The HTTP status, when there was an answer.
    public let status: Int?
    /// What went wrong: the error, or the answer's body.
    public let message: String

    private init(_ kind: Kind, status: Int?, message: String) {
        self.kind = kind
        self.status = status
        self.message = message
    }

    public static func transient(_ message: String, status: Int? = nil) -> DispatchError {
        DispatchError(.transient, status: status, message: message)
    }

    public static func refused(status: Int, body: String) -> DispatchError {
        DispatchError(.refused, status: status, message: body)
    }

    public static func rejected(status: Int, body: String) -> DispatchError {
        DispatchError(.rejected, status: status, message: body)
    }

    /// The error for an HTTP answer other than 200.
    public static func forStatus(_ status: Int, body: String) -> DispatchError {
        switch status {
        case 401, 403: .refused(status: status, body: body)
        case 408, 429, 500...599: .transient("HTTP \(status): \(body)", status: status)
        default: .rejected(status: status, body: body)
        }
    }

    public var isTransient: Bool { kind == .transient }
    /// The controller refused the token (401/403): the worker exits 3.
    public var isRefused: Bool { kind == .refused }

    public var description: String {
        switch kind {
        case .transient: message
        case .refused: "the controller refused this worker's token (HTTP \(status ?? 0)): \(message)"
        case .rejected: "the controller rejected the poll (HTTP \(status ?? 0)): \(message)"
        }
    }
}
