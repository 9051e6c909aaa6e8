import CapstanAPI

/// Pod names are a pure function of the workflow's UID, the node, the map index and the
/// attempt: a controller that restarts computes the same name, and a create that already
/// happened answers AlreadyExists instead of running the attempt twice.
public enum PodNaming {
    public static func name(workflow: String, uid: String, node: String, index: Int?, attempt: Int) -> String {
        let hash = fnv1a("\(uid)/\(node)")
        let hex = String(hash & 0xFFFF_FFFF, radix: 16)
        let tag = String(repeating: "0", count: 8 - hex.count) + hex
        let suffix = (index.map { "-\($0)" } ?? "") + "-\(attempt)"
        let prefix = trimmed(String(workflow.prefix(20))) + "-" + trimmed(String(node.prefix(20)))
        return "\(prefix)-\(tag)\(suffix)"
    }

    /// The worker pod of `slot` of a `map.workers` node: the node's pod names' stem with
    /// `-wSLOT` in place of the item and attempt. A replaced worker takes the same name once
    /// the one before is gone.
    public static func workerName(workflow: String, uid: String, node: String, slot: Int) -> String {
        workerStem(workflow: workflow, uid: uid, node: node) + String(slot)
    }

    /// The slot of a worker pod named by `workerName`, nil for any other name.
    public static func workerSlot(_ podName: String, workflow: String, uid: String, node: String) -> Int? {
        let stem = workerStem(workflow: workflow, uid: uid, node: node)
        guard podName.hasPrefix(stem) else { return nil }
        return Int(podName.dropFirst(stem.count))
    }

    private static func workerStem(workflow: String, uid: String, node: String) -> String {
        let attemptName = name(workflow: workflow, uid: uid, node: node, index: nil, attempt: 0)
        return String(attemptName.dropLast(2)) + "-w"
    }

    private static func trimmed(_ s: String) -> String {
        var s = s
        while s.hasSuffix("-") || s.hasSuffix(".") { s.removeLast() }
        return s.isEmpty ? "x" : s
    }

    static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}

/// Labels Capstan puts on every pod (SPEC §3).
public enum PodLabels {
    public static let workflow = "capstan.dev/workflow"
    public static let node = "capstan.dev/node"
    public static let attempt = "capstan.dev/attempt"
    public static let index = "capstan.dev/index"
    public static let managedBy = "app.kubernetes.io/managed-by"
    public static let workflowUID = "capstan.dev/workflow-uid"
    /// On a `map.workers` node's worker pods: the worker's slot, 0 to replicas - 1.
    public static let worker = "capstan.dev/worker"
}
