import CapstanAPI

/// Progress, message and the kstatus conditions (`Ready`, `Reconciling`, `Stalled`) that
/// ArgoCD, Flux and `kubectl wait` read, derived from the phases.
enum StatusSummary {
    static func update(_ status: inout WorkflowStatus, generation: Int, now: Timestamp) {
        // Counted where each node lies: filtering would copy every finished node of a large DAG.
        let finished = status.nodes.indices.reduce(0) { $0 + (status.nodes.values[$1].phase.isTerminal ? 1 : 0) }
        status.progress = "\(finished)/\(status.nodes.count)"
        status.observedGeneration = generation
        let message = status.message ?? ""
        switch status.phase {
        case .pending, .running:
            if status.message == nil || !status.phase.isTerminal {
                status.message = "\(finished) of \(status.nodes.count) nodes finished"
                    + (status.dagResult.map { "; the main nodes \($0.phase.rawValue.lowercased()), exit nodes running" } ?? "")
            }
            set(&status, "Ready", false, "Running", status.message ?? "", generation, now)
            set(&status, "Reconciling", true, "Running", status.message ?? "", generation, now)
            set(&status, "Stalled", false, "Running", "", generation, now)
        case .succeeded:
            set(&status, "Ready", true, "Succeeded", message, generation, now)
            set(&status, "Reconciling", false, "Succeeded", "", generation, now)
            set(&status, "Stalled", false, "Succeeded", "", generation, now)
        case .failed, .aborted:
            let reason = status.reason ?? (status.phase == .aborted ? "Aborted" : "Failed")
            set(&status, "Ready", false, reason, message, generation, now)
            set(&status, "Reconciling", false, reason, "", generation, now)
            set(&status, "Stalled", true, reason, message, generation, now)
        }
    }

    private static func set(_ status: inout WorkflowStatus, _ type: String, _ value: Bool, _ reason: String, _ message: String,
                            _ generation: Int, _ now: Timestamp) {
        if let i = status.conditions.firstIndex(where: { $0.type == type }) {
            let old = status.conditions[i]
            let transition = old.status == value ? old.lastTransitionTime : now
            status.conditions[i] = StatusCondition(
                type: type, status: value, reason: reason, message: message, lastTransitionTime: transition, observedGeneration: generation)
        } else {
            status.conditions.append(StatusCondition(
                type: type, status: value, reason: reason, message: message, lastTransitionTime: now, observedGeneration: generation))
        }
    }
}
