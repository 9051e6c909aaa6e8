import CapstanAPI
import Foundation

/// How the scripted kubelet runs a pod, read from its `sim.capstan.dev/*` annotations
/// (SPEC §9): how long it runs, and how it ends.
struct PodScript: Sendable, Hashable {
    enum Reason: String, Sendable, CaseIterable {
        case oomKilled = "OOMKilled", evicted = "Evicted", preempted = "Preempted", nodeLost = "NodeLost"
    }

    static let durationKey = "sim.capstan.dev/duration"
    static let exitCodeKey = "sim.capstan.dev/exit-code"
    static let outputsKey = "sim.capstan.dev/outputs"
    static let reasonKey = "sim.capstan.dev/reason"
    static let failAttemptsKey = "sim.capstan.dev/fail-attempts"
    static let failIndexesKey = "sim.capstan.dev/fail-indexes"
    static let attemptLabel = "capstan.dev/attempt"
    static let indexLabel = "capstan.dev/index"

    var duration: Double = 0
    var exitCode: Int?
    var outputs: String?
    var reason: Reason?
    var failAttempts: Int?
    var failIndexes: Set<Int>?
    var attempt = 0
    var index: Int?

    /// Reads the annotations and the attempt/index labels. A malformed value is an error
    /// naming the annotation, which the kubelet reports as the container's start failure.
    init(annotations: [String: String], labels: [String: String]) throws(PodScriptError) {
        if let text = annotations[Self.durationKey] {
            do {
                duration = try SpecDuration(text).seconds
            } catch {
                throw PodScriptError(Self.durationKey, text, error.reason)
            }
        }
        exitCode = try Self.integer(annotations, Self.exitCodeKey, range: 0...255)
        outputs = annotations[Self.outputsKey]
        if let text = annotations[Self.reasonKey] {
            guard let reason = Reason(rawValue: text) else {
                throw PodScriptError(Self.reasonKey, text, "use one of \(Reason.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            self.reason = reason
        }
        failAttempts = try Self.integer(annotations, Self.failAttemptsKey, range: 0...Int.max)
        if let text = annotations[Self.failIndexesKey] {
            var indexes: Set<Int> = []
            for part in text.split(separator: ",") {
                let trimmed = part.trimmingCharacters(in: .whitespaces)
                guard let index = Int(trimmed), index >= 0 else {
                    throw PodScriptError(Self.failIndexesKey, text, "expected comma-separated item indexes, like \"1,5\"")
                }
                indexes.insert(index)
            }
            failIndexes = indexes
        }
        attempt = labels[Self.attemptLabel].flatMap { Int($0) } ?? 0
        index = labels[Self.indexLabel].flatMap { Int($0) }
    }

    /// Without `fail-attempts` or `fail-indexes` every pod is selected; with either, only the
    /// attempts below N and the listed items are.
    var selected: Bool {
        guard failAttempts != nil || failIndexes != nil else { return true }
        if let failAttempts, attempt < failAttempts { return true }
        if let failIndexes, let index, failIndexes.contains(index) { return true }
        return false
    }

    /// How the pod ends once `duration` has passed.
    var outcome: PodOutcome {
        let targeted = failAttempts != nil || failIndexes != nil
        guard selected else { return .exited(code: 0, message: outputs) }
        switch reason {
        case .oomKilled: return .oomKilled
        case .evicted: return .evicted
        case .preempted: return .preempted
        case .nodeLost: return .nodeLost
        case nil: return .exited(code: exitCode ?? (targeted ? 1 : 0), message: outputs)
        }
    }

    private static func integer(_ annotations: [String: String], _ key: String, range: ClosedRange<Int>) throws(PodScriptError) -> Int? {
        guard let text = annotations[key] else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(value) else {
            throw PodScriptError(key, text, "expected a whole number from \(range.lowerBound)\(range.upperBound == Int.max ? " up" : " to \(range.upperBound)")")
        }
        return value
    }
}

/// A `sim.capstan.dev/*` annotation the scripted kubelet cannot read.
struct PodScriptError: Error, Sendable, Hashable, CustomStringConvertible {
    var annotation: String
    var value: String
    var reason: String

    init(_ annotation: String, _ value: String, _ reason: String) {
        self.annotation = annotation
        self.value = value
        self.reason = reason
    }

    var description: String { "annotation \(annotation): \"\(value)\": \(reason)" }
}
