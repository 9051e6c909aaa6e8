import CapstanAPI

/// A mutating admission webhook like Istio's or Linkerd's injector: a pod annotated
/// `sim.capstan.dev/sidecar: keep-running` gets a second container, `sidecar`, that never
/// exits (the kubelets keep it running after `main` ends). A pod that already has a
/// container of that name is left alone, as injectors skip pods already injected.
enum SimulatedSidecarInjector {
    static let annotation = "sim.capstan.dev/sidecar"
    static let keepRunning = "keep-running"
    static let containerName = "sidecar"

    static func inject(_ pod: inout JSONValue) {
        guard pod["metadata"]?["annotations"]?[annotation]?.stringValue == keepRunning,
              var containers = pod["spec"]?["containers"]?.arrayValue,
              !containers.contains(where: { $0["name"]?.stringValue == containerName })
        else { return }
        containers.append([
            "name": .string(containerName), "image": "busybox:1.36", "command": ["sleep", "infinity"],
            "resources": ["requests": ["cpu": "10m", "memory": "32Mi"]],
        ])
        pod["spec"]?["containers"] = .array(containers)
    }
}
