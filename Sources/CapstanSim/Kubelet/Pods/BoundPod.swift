import CapstanAPI

/// What the kubelets keep of a pod bound to one of their nodes: enough to run it, to report
/// its status and to count its requests against the node — never the whole pod.
struct BoundPod: Sendable, Hashable {
    struct Container: Sendable, Hashable {
        var name: String
        var image: String
    }

    /// How the pod is to be run, decided when it is read.
    enum Run: Sendable, Hashable {
        case script(PodScript)
        case process(ContainerCommand)
        /// A map's worker pod under the scripted kubelet: an in-process worker loop.
        case worker(WorkerPod)
        /// The pod cannot be run; the text says why (a bad annotation, no container).
        case invalid(String)
    }

    var key: String
    var namespace: String
    var name: String
    var uid: String
    var node: String
    var phase: String
    var terminating: Bool
    /// `metadata.deletionGracePeriodSeconds` once deleted, else `spec.terminationGracePeriodSeconds`.
    var gracePeriodSeconds: Int
    var requests: ResourceList
    var activeDeadlineSeconds: Int?
    /// `status.startTime`, for a pod already running when the kubelets (re)start.
    var startTime: String?
    var podIP: String?
    var containers: [Container]
    /// Index in `containers` of the one whose end decides the pod's (`main`, else the first).
    var mainContainer: Int
    var run: Run
    /// `sim.capstan.dev/image-pull: fail`: the main container's image never pulls.
    var imagePullFails = false
    /// `sim.capstan.dev/sidecar: keep-running`: the other containers outlive `main`.
    var keepsSidecarsRunning = false
    /// Secrets and ConfigMaps the main container needs before it can be created.
    var config = ConfigReferences(pod: nil, container: nil, secretFiles: nil)

    enum Mode: Sendable {
        case scripted
        case process
    }

    var isTerminal: Bool { phase == "Succeeded" || phase == "Failed" }

    /// The informer transform: nil for pods on nodes these kubelets do not own.
    static func from(_ pod: JSONValue, owned: (String) -> Bool, mode: Mode) -> BoundPod? {
        let spec = pod["spec"]
        guard let node = spec?["nodeName"]?.stringValue, owned(node) else { return nil }
        let metadata = pod["metadata"]
        let namespace = metadata?["namespace"]?.stringValue ?? ""
        let name = metadata?["name"]?.stringValue ?? ""
        let specContainers = spec?["containers"]?.arrayValue ?? []
        let containers = specContainers.map {
            Container(name: $0["name"]?.stringValue ?? "", image: $0["image"]?.stringValue ?? "")
        }
        let main = containers.firstIndex { $0.name == "main" } ?? 0
        let terminating = metadata?["deletionTimestamp"]?.stringValue != nil
        let grace = terminating ? metadata?["deletionGracePeriodSeconds"]?.intValue : nil
        var bound = BoundPod(
            key: "\(namespace)/\(name)", namespace: namespace, name: name, uid: metadata?["uid"]?.stringValue ?? "",
            node: node, phase: pod["status"]?["phase"]?.stringValue ?? "Pending", terminating: terminating,
            gracePeriodSeconds: grace ?? spec?["terminationGracePeriodSeconds"]?.intValue ?? 30,
            requests: ResourceList(podSpec: spec),
            activeDeadlineSeconds: spec?["activeDeadlineSeconds"]?.intValue,
            startTime: pod["status"]?["startTime"]?.stringValue,
            podIP: pod["status"]?["podIP"]?.stringValue,
            containers: containers, mainContainer: main,
            run: containers.isEmpty ? .invalid("the pod has no containers") : runOf(pod, container: specContainers[main], mode: mode))
        let annotations = metadata?["annotations"]
        bound.imagePullFails = annotations?[imagePullKey]?.stringValue == "fail"
        bound.keepsSidecarsRunning = annotations?[SimulatedSidecarInjector.annotation]?.stringValue == SimulatedSidecarInjector.keepRunning
        var secretFiles: [ContainerCommand.SecretFile]?
        if case .process(let command) = bound.run { secretFiles = command.secretFiles }
        bound.config = ConfigReferences(pod: pod, container: specContainers.indices.contains(main) ? specContainers[main] : nil,
                                        secretFiles: secretFiles)
        return bound
    }

    static let imagePullKey = "sim.capstan.dev/image-pull"

    private static func runOf(_ pod: JSONValue, container: JSONValue, mode: Mode) -> Run {
        switch mode {
        case .process:
            let command = ContainerCommand(container: container, pod: pod)
            return command.words.isEmpty
                ? .invalid("container \"\(container["name"]?.stringValue ?? "")\" has no command or args to run as a local process")
                : .process(command)
        case .scripted:
            let metadata = pod["metadata"]
            do {
                let script = try PodScript(annotations: metadata?["annotations"]?.objectValue?.compactMapValues(\.stringValue) ?? [:],
                                           labels: metadata?["labels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:])
                return WorkerPod.runsWorker(container) ? .worker(WorkerPod(script: script, container: container)) : .script(script)
            } catch {
                return .invalid(error.description)
            }
        }
    }
}
