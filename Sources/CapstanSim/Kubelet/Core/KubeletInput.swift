import CapstanAPI
import CapstanKube

/// Everything the scheduler and kubelets react to, funnelled into one stream.
enum KubeletInput: Sendable {
    case node(InformerEvent<NodeInfo>)
    /// Pods without a node.
    case pending(InformerEvent<PendingPod>)
    /// Pods on our nodes that have not finished.
    case bound(InformerEvent<BoundPod>)
    /// A Secret or ConfigMap changed.
    case config(InformerEvent<ConfigObject>)
    /// Every Secret and ConfigMap has been listed: a missing one is missing, not unseen.
    case configSynced
    case bindFinished(key: String, uid: String, BindResult)
    case processExited(ProcessSupervisor.Exit)
    case processFailedToStart(key: String, uid: String, message: String)
    /// The process could not be configured: a Secret it needs is gone, or a secret file
    /// cannot be written. The container waits in `CreateContainerConfigError`.
    case processConfigFailed(key: String, uid: String, message: String)
    /// A scripted worker pod's loop ended (stopped, refused) or its script ended the pod
    /// (`OOMKilled`, `NodeLost`, ...) while it ran an item.
    case workerEnded(key: String, uid: String, PodOutcome)
    /// The earliest timer is due.
    case timer
}

enum BindResult: Sendable, Hashable {
    case bound
    /// Refused for good (the pod is gone or already bound elsewhere).
    case refused
    /// Failed in a way worth retrying later.
    case failed
}

/// What the scheduler and kubelets ask their runner to do.
enum KubeletAction: Sendable {
    case bind(PodReference, node: String)
    /// A strategic-merge patch of the pod's status; with `deleteAfter` the pod is then
    /// deleted with grace period 0, as a kubelet removes a pod whose deletion it finished.
    case writeStatus(PodReference, status: JSONValue, deleteAfter: Bool)
    /// Deletes with grace period 0 (a pod deleted before it ever started).
    case delete(PodReference)
    /// Drops a status write not yet sent (an Unschedulable verdict overtaken by a binding).
    case cancelStatusWrite(key: String)
    case startProcess(BoundPod, ContainerCommand)
    case signalProcess(key: String, uid: String, signal: Int32)
    /// Starts the in-process worker loop of a scripted worker pod.
    case startWorker(PodReference, WorkerPod)
    /// Cancels it (the pod is deleted, finished or left our nodes); the item it held is lost.
    case stopWorker(key: String, uid: String)
    /// A core/v1 Event about the pod, as a kubelet or cluster component records it.
    case recordEvent(PodReference, PodEvent)
    /// Registers a node the simulated autoscaler provisioned, as a new machine's kubelet does.
    case registerNode(NodeObjects)
}

/// Enough to address one pod incarnation in the API.
struct PodReference: Sendable, Hashable {
    var namespace: String
    var name: String
    var uid: String

    var key: String { "\(namespace)/\(name)" }
}
