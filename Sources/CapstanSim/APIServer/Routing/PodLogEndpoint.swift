import CapstanAPI
import Foundation

/// `GET pods/NAME/log`, answered as kube-apiserver and the kubelet answer it: the container
/// is checked against the pod first (`BadRequest`), a pod not yet on a node has an empty log, a
/// container that has not started says what it waits for, and `follow=true` streams until the
/// container ends.
///
/// Where the text comes from: with process kubelets, the file each process writes
/// (`LOG_DIR/NAMESPACE/POD.log`); with scripted ones, the pod's `sim.capstan.dev/log`
/// annotation, the first container's whole log once it has started.
struct PodLogEndpoint: Sendable {
    /// The process kubelets' log directory; nil when kubelets are scripted.
    let logDirectory: String?

    func answer(operations: ResourceOperations, scope: ResourceOperations.Scope, name: String,
                request: APIRequest) throws(StatusError) -> RouteOutcome {
        let query = request.query
        let pod = try operations.get(scope, name: name).value()
        let container = try Self.container(in: pod, asked: query["container"] ?? "")
        guard !(pod["spec"]?["nodeName"]?.stringValue ?? "").isEmpty else {
            // kube's LogLocation returns no location for an unscheduled pod: an empty 200.
            return .response(.bytes([], contentType: "text/plain"))
        }
        let state = try Self.state(of: container, in: pod)
        let whole = log(of: pod, container: container)
        var text = whole
        if let tail = query["tailLines"].flatMap(Int.init), tail >= 0 { text = Self.lastLines(whole, tail) }
        guard request.flag("follow"), state == .running else {
            return .response(.bytes(text, contentType: "text/plain"))
        }
        let endpoint = self
        return .logStream(PodLogFollow(initial: text, fullLength: whole.count) {
            guard let current = try? operations.get(scope, name: name).value(),
                  current["metadata"]?["uid"] == pod["metadata"]?["uid"] else { return nil }
            let running = (try? Self.state(of: container, in: current)) == .running
            return (endpoint.log(of: current, container: container), !running)
        })
    }

    enum ContainerState { case running, terminated }

    /// kube's `validateContainer`: the asked container, or the only one.
    static func container(in pod: JSONValue, asked: String) throws(StatusError) -> String {
        let podName = pod["metadata"]?["name"]?.stringValue ?? ""
        let names = (pod["spec"]?["containers"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
        if asked.isEmpty {
            switch names.count {
            case 1: return names[0]
            case 0: throw StatusError.badRequest("a container name must be specified for pod \(podName)")
            default:
                throw StatusError.badRequest("a container name must be specified for pod \(podName), choose one of: [\(names.joined(separator: " "))]")
            }
        }
        guard names.contains(asked) else { throw StatusError.badRequest("container \(asked) is not valid for pod \(podName)") }
        return asked
    }

    /// The kubelet's `validateContainerLogStatus`: a container with no log yet is a `BadRequest`
    /// naming what it waits for.
    static func state(of container: String, in pod: JSONValue) throws(StatusError) -> ContainerState {
        let podName = pod["metadata"]?["name"]?.stringValue ?? ""
        let statuses = pod["status"]?["containerStatuses"]?.arrayValue ?? []
        let status = statuses.first { $0["name"]?.stringValue == container }
        let state = status?["state"]
        if state?["running"] != nil { return .running }
        if state?["terminated"] != nil || status?["lastState"]?["terminated"] != nil { return .terminated }
        let reason = state?["waiting"]?["reason"]?.stringValue ?? "ContainerCreating"
        let why = switch reason {
        case "ErrImagePull": "image can't be pulled"
        case "ImagePullBackOff": "trying and failing to pull image"
        default: reason
        }
        throw StatusError.badRequest("container \"\(container)\" in pod \"\(podName)\" is waiting to start: \(why)")
    }

    private func log(of pod: JSONValue, container: String) -> [UInt8] {
        let firstContainer = pod["spec"]?["containers"]?[0]?["name"]?.stringValue
        if let logDirectory {
            // Process kubelets run only the first container; the others have printed nothing.
            guard container == firstContainer else { return [] }
            let namespace = pod["metadata"]?["namespace"]?.stringValue ?? ""
            let name = pod["metadata"]?["name"]?.stringValue ?? ""
            return FileManager.default.contents(atPath: "\(logDirectory)/\(namespace)/\(name).log").map(Array.init) ?? []
        }
        guard container == firstContainer else { return [] }
        return Array((pod["metadata"]?["annotations"]?["sim.capstan.dev/log"]?.stringValue ?? "").utf8)
    }

    private static func lastLines(_ text: [UInt8], _ count: Int) -> [UInt8] {
        var lines = text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        let kept = lines.suffix(count)
        return kept.isEmpty ? [] : Array(kept.joined(separator: [UInt8(ascii: "\n")])) + [UInt8(ascii: "\n")]
    }
}

/// A followed log: what was sent at first, and how to read it again. `poll` returns the whole
/// log so far and whether the container has ended, or nil once the pod is gone.
struct PodLogFollow: Sendable {
    var initial: [UInt8]
    /// The length of the whole log when `initial` was cut (tailLines): new text starts there.
    var fullLength: Int
    var poll: @Sendable () -> (log: [UInt8], ended: Bool)?
}
