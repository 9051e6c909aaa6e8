/// How a pod's run ended, in the terms kubelets and kube's controllers report it.
enum PodOutcome: Sendable, Hashable {
    /// The main container exited by itself: 0 is `Succeeded`/`Completed`, anything else
    /// `Failed`/`Error`. `message` is the termination message (the task's outputs).
    case exited(code: Int, message: String?)
    /// The kernel's OOM killer ended the container: exit 137, reason `OOMKilled`.
    case oomKilled
    /// The kubelet evicted the pod because its node ran low on memory.
    case evicted
    /// kube-scheduler preempted the pod for a higher-priority one.
    case preempted
    /// The node stopped answering and the pod was given up on.
    case nodeLost
    /// `spec.activeDeadlineSeconds` passed; the container ended with `exitCode`.
    case deadlineExceeded(exitCode: Int)
    /// The pod was deleted while running; the container ended with `exitCode`.
    case deleted(exitCode: Int)
    /// The container could not be started (no command, executable not found, bad script).
    case startFailed(message: String)
    /// The container vanished (the kubelet restarted and lost track of its process).
    case containerLost

    var succeeded: Bool {
        if case .exited(code: 0, _) = self { return true }
        return false
    }
}
