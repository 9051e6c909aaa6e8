import Testing
import CapstanAPI
@testable import CapstanEngine

/// The one rule for deleting a pod, over every pod phase, what the status saved, and podGC.
@Suite struct PodDeletionTests {
    private static func pod(_ phase: ObservedPod.Phase, mainExited: Bool = false, deleting: Bool = false) -> ObservedPod {
        var pod = ObservedPod(name: "p", node: "n", attempt: 0, phase: phase)
        if mainExited { pod.exitCode = 0 }
        pod.isDeleting = deleting
        return pod
    }

    struct Row: CustomTestStringConvertible, Sendable {
        var pod: ObservedPod
        var saved: PodDeletion.Saved
        var podGC: PodGCPolicy
        var deleted: Bool
        var testDescription: String { "\(pod.phase.rawValue)\(pod.mainHasExited ? "+main exited" : "") saved \(saved) podGC \(podGC.rawValue) → \(deleted ? "deleted" : "kept")" }
    }

    static let rows: [Row] = {
        var rows: [Row] = []
        let active: [ObservedPod.Phase] = [.pending, .running, .unknown]
        for podGC in PodGCPolicy.allCases {
            for phase in active {
                // A pod that holds a node is left alone while its attempt goes on, and stopped once it is over.
                rows.append(Row(pod: pod(phase), saved: .inProgress, podGC: podGC, deleted: false))
                for saved in [PodDeletion.Saved.succeeded, .failed, .endingNow] {
                    rows.append(Row(pod: pod(phase), saved: saved, podGC: podGC, deleted: true))
                }
            }
            // main ended but a sidecar keeps the pod running: stopped once the outcome is saved, whatever podGC says.
            rows.append(Row(pod: pod(.running, mainExited: true), saved: .inProgress, podGC: podGC, deleted: false))
            rows.append(Row(pod: pod(.running, mainExited: true), saved: .succeeded, podGC: podGC, deleted: true))
            rows.append(Row(pod: pod(.running, mainExited: true), saved: .failed, podGC: podGC, deleted: true))
            for phase in [ObservedPod.Phase.succeeded, .failed] {
                // A finished pod waits for the saved status, then podGC decides.
                rows.append(Row(pod: pod(phase), saved: .inProgress, podGC: podGC, deleted: false))
                rows.append(Row(pod: pod(phase), saved: .endingNow, podGC: podGC, deleted: false))
                rows.append(Row(pod: pod(phase), saved: .succeeded, podGC: podGC, deleted: podGC != .never))
                rows.append(Row(pod: pod(phase), saved: .failed, podGC: podGC, deleted: podGC == .onCompletion))
            }
            // A pod already being deleted is never deleted again.
            for phase in active + [.succeeded, .failed] {
                rows.append(Row(pod: pod(phase, deleting: true), saved: .failed, podGC: podGC, deleted: false))
            }
        }
        return rows
    }()

    @Test(arguments: rows)
    func decides(_ row: Row) {
        #expect((PodDeletion.reason(for: row.pod, saved: row.saved, podGC: row.podGC) != nil) == row.deleted)
    }
}
