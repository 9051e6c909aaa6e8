import CapstanAPI

/// What kube-apiserver's strategies, defaulting and admission plugins fill in on create,
/// for the kinds whose defaults clients read back.
enum ObjectDefaults {
    static func prepareForCreate(_ object: inout JSONValue, type: ServedResource) throws(StatusError) {
        if type.isCustom && type.hasStatus {
            object["status"] = nil
        }
        guard !type.isCustom else { return }
        switch (type.group, type.plural) {
        case ("", "namespaces"):
            object["status"] = ["phase": "Active"]
            if object["spec"]?["finalizers"] == nil { object["spec"] = ["finalizers": ["kubernetes"]] }
            if let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty {
                var labels = object["metadata"]?["labels"] ?? [:]
                labels["kubernetes.io/metadata.name"] = .string(name)
                object["metadata"]?["labels"] = labels
            }
        case ("", "pods"):
            SimulatedSidecarInjector.inject(&object)
            PodDefaults.apply(&object)
        case ("", "secrets"):
            if object["type"] == nil { object["type"] = "Opaque" }
        case ("", "services"):
            ServiceDefaults.apply(&object)
        case ("apiextensions.k8s.io", "customresourcedefinitions"):
            let definition = try CustomResourceDefinition(object)
            object["status"] = definition.establishedStatus
        default:
            break
        }
    }
}

/// kube's pod defaulting plus the admission plugins every cluster runs (service account,
/// default tolerations, priority), and the status a new pod starts with.
enum PodDefaults {
    static func apply(_ pod: inout JSONValue) {
        var spec = pod["spec"]?.objectValue ?? [:]
        func setDefault(_ key: String, _ value: JSONValue) { if spec[key] == nil { spec[key] = value } }
        setDefault("restartPolicy", "Always")
        setDefault("dnsPolicy", "ClusterFirst")
        setDefault("schedulerName", "default-scheduler")
        setDefault("terminationGracePeriodSeconds", 30)
        setDefault("securityContext", [:])
        setDefault("enableServiceLinks", true)
        setDefault("priority", 0)
        setDefault("preemptionPolicy", "PreemptLowerPriority")
        setDefault("serviceAccountName", spec["serviceAccount"] ?? "default")
        spec["serviceAccount"] = spec["serviceAccountName"]
        var tolerations = spec["tolerations"]?.arrayValue ?? []
        for taint in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
        where !tolerations.contains(where: { $0["key"]?.stringValue == taint }) {
            tolerations.append(["key": .string(taint), "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": 300])
        }
        spec["tolerations"] = .array(tolerations)
        for field in ["containers", "initContainers"] {
            guard let containers = spec[field]?.arrayValue else { continue }
            spec[field] = .array(containers.map(defaultContainer))
        }
        pod["spec"] = .object(spec)
        pod["status"] = ["phase": "Pending", "qosClass": .string(qosClass(spec))]
    }

    private static func defaultContainer(_ container: JSONValue) -> JSONValue {
        var c = container
        if c["terminationMessagePath"] == nil { c["terminationMessagePath"] = "/dev/termination-log" }
        if c["terminationMessagePolicy"] == nil { c["terminationMessagePolicy"] = "File" }
        if c["imagePullPolicy"] == nil {
            let image = c["image"]?.stringValue ?? ""
            let tag = image.split(separator: "/").last.flatMap { $0.split(separator: ":").dropFirst().first }
            c["imagePullPolicy"] = (tag == nil || tag == "latest") && !image.contains("@") ? "Always" : "IfNotPresent"
        }
        var resources = c["resources"] ?? [:]
        // Limits without requests mean requests equal to the limits, which the scheduler then reads.
        if let limits = resources["limits"]?.objectValue {
            var requests = resources["requests"]?.objectValue ?? [:]
            for (name, quantity) in limits where requests[name] == nil { requests[name] = quantity }
            resources["requests"] = .object(requests)
        }
        c["resources"] = resources
        if let ports = c["ports"]?.arrayValue {
            c["ports"] = .array(ports.map { port in
                var p = port
                if p["protocol"] == nil { p["protocol"] = "TCP" }
                return p
            })
        }
        return c
    }

    static func qosClass(_ spec: [String: JSONValue]) -> String {
        let containers = (spec["containers"]?.arrayValue ?? []) + (spec["initContainers"]?.arrayValue ?? [])
        var anyResources = false
        var guaranteed = true
        for container in containers {
            let requests = container["resources"]?["requests"]?.objectValue ?? [:]
            let limits = container["resources"]?["limits"]?.objectValue ?? [:]
            if !requests.isEmpty || !limits.isEmpty { anyResources = true }
            for name in ["cpu", "memory"] {
                guard let limit = limits[name], requests[name] == nil || requests[name] == limit else {
                    guaranteed = false
                    continue
                }
            }
        }
        if !anyResources { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}

enum ServiceDefaults {
    static func apply(_ service: inout JSONValue) {
        var spec = service["spec"]?.objectValue ?? [:]
        if spec["type"] == nil { spec["type"] = "ClusterIP" }
        if spec["sessionAffinity"] == nil { spec["sessionAffinity"] = "None" }
        if spec["type"]?.stringValue != "ExternalName" && spec["clusterIP"] == nil {
            let ip = "10.96.\(Int.random(in: 0...255)).\(Int.random(in: 1...254))"
            spec["clusterIP"] = .string(ip)
            spec["clusterIPs"] = [.string(ip)]
        }
        if let ports = spec["ports"]?.arrayValue {
            spec["ports"] = .array(ports.map { port in
                var p = port
                if p["protocol"] == nil { p["protocol"] = "TCP" }
                if p["targetPort"] == nil, let number = p["port"] { p["targetPort"] = number }
                return p
            })
        }
        service["spec"] = .object(spec)
        service["status"] = ["loadBalancer": [:]]
    }
}
