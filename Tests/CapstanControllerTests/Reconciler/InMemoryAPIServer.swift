import CapstanAPI
import CapstanKube
import Synchronization

/// The writes the reconciler makes, kept in memory, with the answers a test wants. Not an
/// API server: it knows pods, events and one Workflow's status, which is all the reconciler
/// writes; behaviour a fake would get wrong is tested on `capstan sim`.
final class InMemoryAPIServer: ResourceWriter, StatusWriter, Sendable {
    struct State {
        var workflow: JSONValue
        var pods: [String: JSONValue] = [:]
        var podCreates = 0
        var events: [JSONValue] = []
        /// Answers the next pod creates get instead of success, in order.
        var createRefusals: [KubeError] = []
        /// How many of the next status writes answer 409 Conflict.
        var statusConflicts = 0
        var resourceVersion = 1
    }

    let state: Mutex<State>

    init(workflow: JSONValue) {
        var workflow = workflow
        workflow["metadata"]?["resourceVersion"] = "1"
        state = Mutex(State(workflow: workflow))
    }

    var workflow: JSONValue { state.withLock { $0.workflow } }
    var status: WorkflowStatus { WorkflowStatus(json: workflow["status"]) }
    var pods: [JSONValue] { state.withLock { Array($0.pods.values) } }
    var podCreates: Int { state.withLock { $0.podCreates } }
    var eventReasons: [String] { state.withLock { $0.events.compactMap { $0["reason"]?.stringValue } } }

    /// Sets the status of every pod, as a kubelet would.
    func finishPods(phase: String, message: String? = nil) {
        state.withLock { state in
            for name in state.pods.keys {
                var terminated: JSONValue = ["exitCode": .number(phase == "Succeeded" ? 0 : 1), "finishedAt": "2026-01-01T00:00:10Z"]
                if let message { terminated["message"] = .string(message) }
                state.pods[name]?["status"] = [
                    "phase": .string(phase),
                    "containerStatuses": [["name": "main", "state": ["terminated": terminated]]],
                ]
            }
        }
    }

    func create(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue {
        try state.withLock { state in
            let name = object["metadata"]?["name"]?.stringValue ?? ""
            switch resource.plural {
            case "pods":
                if !state.createRefusals.isEmpty { throw state.createRefusals.removeFirst() }
                guard state.pods[name] == nil else {
                    throw KubeError(reason: .alreadyExists, code: 409, message: "pods \"\(name)\" already exists")
                }
                state.podCreates += 1
                state.pods[name] = object
            case "events":
                state.events.append(object)
            default:
                break
            }
            return object
        }
    }

    func update(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue { object }

    func patch(_ resource: ResourceType, namespace: String?, name: String, patch: Patch) async throws -> JSONValue {
        // Event aggregation patches a count onto an existing Event.
        patch.body
    }

    func delete(_ resource: ResourceType, namespace: String?, name: String, options: DeleteOptions) async throws -> JSONValue {
        try state.withLock { state in
            guard let pod = state.pods.removeValue(forKey: name) else {
                throw KubeError(reason: .notFound, code: 404, message: "pods \"\(name)\" not found")
            }
            return pod
        }
    }

    func updateStatus(_ resource: ResourceType, namespace: String?, object: JSONValue) async throws -> JSONValue { object }

    /// A merge patch of the status, refused with Conflict when its resourceVersion is stale.
    func patchStatus(_ resource: ResourceType, namespace: String?, name: String, patch: Patch) async throws -> JSONValue {
        try state.withLock { state in
            let current = state.workflow["metadata"]?["resourceVersion"]?.stringValue
            if state.statusConflicts > 0 || patch.body["metadata"]?["resourceVersion"]?.stringValue != current {
                state.statusConflicts = max(0, state.statusConflicts - 1)
                throw KubeError(reason: .conflict, code: 409, message: "the object has been modified; please apply your changes to the latest version and try again")
            }
            state.workflow["status"] = Self.merge(state.workflow["status"] ?? [:], patch.body["status"] ?? [:])
            state.resourceVersion += 1
            state.workflow["metadata"]?["resourceVersion"] = .string(String(state.resourceVersion))
            return state.workflow
        }
    }

    /// RFC 7386.
    static func merge(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let changes) = patch else { return patch }
        var result = target.objectValue ?? [:]
        for (key, value) in changes {
            if value.isNull { result[key] = nil } else { result[key] = merge(result[key] ?? .null, value) }
        }
        return .object(result)
    }
}
