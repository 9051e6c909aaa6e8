import CapstanAPI

/// Workflows built in code for the UI's tests: a spec as written (JSON) and a status.
enum UIFixtures {
    static let start = Timestamp(secondsSince1970: 1_750_000_000)

    /// `prepare → train (map of 10) → report`, `prepare → evaluate (sub-workflow)`, and an
    /// onExit `notify`; train has failed twice, once for good.
    static func sweep(name: String = "sweep", namespace: String = "ml") -> Workflow {
        let spec: JSONValue = [
            "nodes": [
                ["name": "prepare", "image": "busybox"],
                ["name": "train", "dependsOn": ["prepare"], "map": ["over": [1, 2, 3]], "image": "busybox"],
                ["name": "evaluate", "dependsOn": ["prepare"], "workflow": "eval-template"],
                ["name": "report", "dependsOn": ["train", "evaluate"], "image": "busybox"],
            ],
            "onExit": [["name": "notify", "image": "busybox"]],
        ]
        var status = WorkflowStatus()
        status.phase = .running
        status.progress = "1/5"
        status.startedAt = start
        status.nodes["prepare"] = node(.succeeded, attempts: 1)
        var train = node(.running, attempts: 4)
        var map = MapStatus(total: 10)
        for index in 0..<3 { map.items[index] = .succeeded }
        map.items[3] = .failed
        map.items[4] = .running
        map.items[5] = .running
        train.map = map
        var failure = AttemptFailure(attempt: 1, index: 3, reason: .oomKilled, exitCode: 137,
                                     message: "killed: <out of memory> & more", finishedAt: start + 30)
        failure.logLinks = ["grafana": "https://logs.example/train-3-1"]
        train.failures = [failure]
        train.logLinks = ["grafana": "https://logs.example/train"]
        train.outputsURI = "s3://bucket/ml/sweep/train/outputs.json"
        status.nodes["train"] = train
        status.nodes["evaluate"] = node(.running, attempts: 1)
        let meta = ObjectMeta(name: name, namespace: namespace, uid: "uid-\(name)", creationTimestamp: start)
        return Workflow(metadata: meta, spec: spec, status: status)
    }

    static func node(_ phase: NodePhase, attempts: Int) -> NodeStatus {
        var node = NodeStatus(phase: phase)
        node.attempts = attempts
        node.startedAt = start
        if phase.isTerminal { node.finishedAt = start + 12 }
        return node
    }

    /// A plain Workflow for list tests.
    static func simple(_ name: String, namespace: String = "ml", phase: WorkflowPhase, created: Double,
                       labels: [String: String] = [:]) -> Workflow {
        var status = WorkflowStatus()
        status.phase = phase
        status.progress = "0/1"
        let meta = ObjectMeta(name: name, namespace: namespace, labels: labels, creationTimestamp: start + created)
        return Workflow(metadata: meta, spec: ["nodes": [["name": "only"]]], status: status)
    }
}
