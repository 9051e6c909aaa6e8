import CapstanAPI

/// Whether a pod is deleted, and why: the one place this is decided.
///
/// A pod is deleted only once the status holds what it showed: while its attempt is in
/// progress it is left alone; a pod that still holds a node (pending, running, or kept
/// running by a sidecar after `main` ended) is deleted as soon as its attempt is over; a
/// finished pod is deleted as `podGC` says, and only after the status that records its
/// outcome was saved, so that a controller that stops in between reads the outcome again.
enum PodDeletion {
    /// What the status says of the attempt a pod ran.
    enum Saved: Equatable {
        /// The attempt goes on, or its outcome is not saved yet.
        case inProgress
        /// The saved status records the attempt as succeeded (outputs persisted).
        case succeeded
        /// The saved status records the attempt as failed, or a later attempt has started.
        case failed
        /// The attempt, node or workflow ends in this very step (a failure, a timeout, an
        /// abort): pods that hold a node are stopped now; finished ones wait for the save.
        case endingNow
    }

    /// The reason to delete `pod`, or nil to keep it.
    static func reason(for pod: ObservedPod, saved: Saved, podGC: PodGCPolicy) -> String? {
        guard !pod.isDeleting, saved != .inProgress else { return nil }
        if pod.holdsANode {
            return pod.mainHasExited ? "main exited, stopping the containers still running beside it" : "its attempt is over"
        }
        switch (saved, podGC) {
        case (.succeeded, .onSuccess), (.succeeded, .onCompletion), (.failed, .onCompletion):
            return "podGC \(podGC.rawValue)"
        default:
            return nil
        }
    }
}

extension ObservedPod {
    /// Scheduled or waiting to be: the pod still takes a place on a node.
    var holdsANode: Bool { phase == .pending || phase == .running || phase == .unknown }
}

extension StepOutput {
    /// Deletes `pod` if `PodDeletion` says so.
    mutating func collect(_ pod: ObservedPod, saved: PodDeletion.Saved, podGC: PodGCPolicy) {
        if pod.isWorkerItem {
            // No pod to keep for podGC: the worker holds the attempt's result until the saved
            // status records it, then forgets it. One still running ends with its worker pods.
            if saved == .succeeded || saved == .failed, pod.phase == .succeeded || pod.phase == .failed {
                actions.append(.releaseItem(name: pod.name))
            }
            return
        }
        if pod.isChildWorkflow {
            // A child Workflow is kept (it goes with its parent); one cut short is aborted,
            // which stops its own pods and children.
            if saved == .endingNow, pod.phase == .running || pod.phase == .pending { actions.append(.abortChildWorkflow(name: pod.name)) }
            return
        }
        if let reason = PodDeletion.reason(for: pod, saved: saved, podGC: podGC) {
            actions.append(.deletePod(name: pod.name, reason: reason))
        }
    }
}
