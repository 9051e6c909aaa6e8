import CapstanAPI

/// The `Ready` condition of a CronWorkflow: false only while its spec is invalid; its
/// message says when the next run is, or why a run waits.
enum CronReady {
    static let type = "Ready"
    static let invalid = "InvalidSpec"

    static func set(_ ready: Bool, reason: String, message: String, in status: inout CronWorkflowStatus, input: CronStepInput) {
        let previous = status.condition(type)
        let changed = previous?.status != ready
        let condition = StatusCondition(
            type: type, status: ready, reason: reason, message: message,
            lastTransitionTime: changed ? input.now : previous?.lastTransitionTime ?? input.now,
            observedGeneration: input.metadata.generation)
        status.conditions.removeAll { $0.type == type }
        status.conditions.append(condition)
    }
}
