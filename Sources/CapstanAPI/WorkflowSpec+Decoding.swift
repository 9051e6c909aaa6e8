extension WorkflowSpec {
    /// Decodes `spec`, collecting every problem instead of stopping at the first.
    public static func decode(_ value: JSONValue, path: String = "spec") -> (WorkflowSpec?, [Diagnostic]) {
        let problems = ProblemList()
        let spec = read(value, path: path, problems: problems)
        return (problems.diagnostics.isEmpty ? spec : nil, problems.diagnostics)
    }

    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> WorkflowSpec? {
        guard var reader = FieldReader(value, path: path, problems: problems) else { return nil }
        var spec = WorkflowSpec()
        spec.inputs = reader.object("inputs") ?? [:]
        if let defaults = reader.raw("defaults") {
            spec.defaults = NodeSettings.read(defaults, path: reader.child("defaults"), problems: problems, allowing: [])
        }
        spec.parallelism = reader.integer("parallelism", in: 1...1_000_000)
        if let policy = reader.string("failurePolicy") {
            if let parsed = FailurePolicy(rawValue: policy) {
                spec.failurePolicy = parsed
            } else {
                problems.add(reader.child("failurePolicy"), oneOf(policy, FailurePolicy.allCases.map(\.rawValue)))
            }
        }
        spec.activeDeadline = reader.duration("activeDeadline")
        spec.ttlAfterFinished = reader.duration("ttlAfterFinished")
        if let gc = reader.string("storeGC") {
            if let parsed = StoreGCPolicy(rawValue: gc) {
                spec.storeGC = parsed
            } else {
                problems.add(reader.child("storeGC"), oneOf(gc, StoreGCPolicy.allCases.map(\.rawValue)))
            }
        }
        if let gc = reader.string("podGC") {
            if let parsed = PodGCPolicy(rawValue: gc) {
                spec.podGC = parsed
            } else {
                problems.add(reader.child("podGC"), oneOf(gc, PodGCPolicy.allCases.map(\.rawValue)))
            }
        }
        spec.outputs = reader.object("outputs") ?? [:]
        spec.recoverFrom = reader.string("recoverFrom")
        spec.abort = reader.bool("abort") ?? false
        if let reference = reader.raw("templateRef") {
            var referenceReader = FieldReader(reference, path: reader.child("templateRef"), problems: problems)
            spec.templateRef = referenceReader?.string("name")
            if referenceReader != nil, spec.templateRef == nil {
                problems.add(reader.child("templateRef") + ".name", "is required: the WorkflowTemplate to run")
            }
            referenceReader?.finish()
        }
        spec.approvals = ApprovalDecision.readAll(reader.raw("approvals"), path: reader.child("approvals"), problems: problems)
        if reader.raw("nodes") == nil {
            // With a template, the nodes come from it.
            if spec.templateRef == nil { problems.add(reader.child("nodes"), "is required: list the workflow's nodes") }
        } else if let nodes = reader.list("nodes") {
            spec.nodes = NodeSpec.readAll(nodes, path: reader.child("nodes"), problems: problems)
            if nodes.isEmpty { problems.add(reader.child("nodes"), "needs at least one node") }
        }
        // An empty list is allowed: it runs nothing, as a template's override may want.
        spec.onExit = reader.list("onExit").map { NodeSpec.readAll($0, path: reader.child("onExit"), problems: problems) } ?? []
        reader.finish()
        return spec
    }
}

func oneOf(_ value: String, _ allowed: [String]) -> String {
    "\"\(value)\" is not one of \(allowed.joined(separator: ", "))"
}

extension NodeSpec {
    static func readAll(_ values: [JSONValue], path: String, problems: ProblemList) -> [NodeSpec] {
        values.enumerated().compactMap { i, value in read(value, path: "\(path)[\(i)]", problems: problems) }
    }

    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> NodeSpec? {
        guard var reader = FieldReader(value, path: path, problems: problems) else { return nil }
        let name = reader.string("name")
        if name == nil { problems.add(reader.child("name"), "is required") }
        var node = NodeSpec(name: name ?? "")
        node.dependsOn = reader.stringList("dependsOn") ?? []
        node.when = reader.string("when")
        if let map = reader.raw("map") {
            node.map = MapSpec.read(map, path: reader.child("map"), problems: problems)
        }
        node.sleep = reader.duration("sleep")
        if let approval = reader.raw("approval") {
            node.approval = ApprovalSpec.read(approval, path: reader.child("approval"), problems: problems)
        }
        node.dynamic = reader.bool("dynamic") ?? false
        if let workflow = reader.raw("workflow") {
            node.workflowTemplate = Self.readSubWorkflow(workflow, path: reader.child("workflow"), problems: problems)
        }
        node.settings = NodeSettings.read(
            value, path: path, problems: problems, allowing: ["name", "dependsOn", "when", "map", "sleep", "approval", "workflow", "dynamic"])
        return name == nil ? nil : node
    }
}

extension NodeSpec {
    /// `workflow: {templateRef: {name: T}}`: the template's name.
    static func readSubWorkflow(_ value: JSONValue, path: String, problems: ProblemList) -> String? {
        guard var reader = FieldReader(value, path: path, problems: problems) else { return nil }
        defer { reader.finish() }
        guard let reference = reader.raw("templateRef") else {
            problems.add(reader.child("templateRef"), "is required: the WorkflowTemplate the child Workflow runs")
            return nil
        }
        guard var referenceReader = FieldReader(reference, path: reader.child("templateRef"), problems: problems) else { return nil }
        defer { referenceReader.finish() }
        let name = referenceReader.string("name")
        if name == nil { problems.add(referenceReader.child("name"), "is required: the WorkflowTemplate to run") }
        return name
    }
}

extension MapSpec {
    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> MapSpec? {
        guard var reader = FieldReader(value, path: path, problems: problems) else { return nil }
        let over = reader.raw("over")
        switch over {
        case nil: problems.add(reader.child("over"), "is required: a list, or a template such as \"{{ inputs.items }}\"")
        case .string?, .array?: break
        case let other?: problems.add(reader.child("over"), "must be a list or a template string, not a \(other.typeName)")
        }
        let concurrency = reader.integer("concurrency", in: 1...1_000_000)
        let ratio = reader.number("minSuccessRatio", in: 0...1) ?? 1.0
        let workers = reader.raw("workers").flatMap { MapWorkers.read($0, path: reader.child("workers"), problems: problems) }
        reader.finish()
        return MapSpec(over: over ?? .array([]), concurrency: concurrency, minSuccessRatio: ratio, workers: workers)
    }
}

extension MapWorkers {
    /// The most worker pods one map node may ask for.
    public static let maximumReplicas = 1_000

    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> MapWorkers? {
        guard var reader = FieldReader(value, path: path, problems: problems) else { return nil }
        let replicas = reader.integer("replicas", in: 1...maximumReplicas)
        if reader.raw("replicas") == nil {
            problems.add(reader.child("replicas"), "is required: how many worker pods take the items, such as 5")
        }
        let idleTimeout = reader.duration("idleTimeout")
        reader.finish()
        guard let replicas else { return nil }
        return MapWorkers(replicas: replicas, idleTimeout: idleTimeout ?? defaultIdleTimeout)
    }
}

extension NodeSettings {
    /// Reads the settings fields of `value`; `allowing` names the other fields its owner reads,
    /// so that only truly unknown fields are reported.
    static func read(_ value: JSONValue, path: String, problems: ProblemList, allowing owned: [String]) -> NodeSettings {
        var settings = NodeSettings()
        guard var reader = FieldReader(value, path: path, problems: problems) else { return settings }
        for key in owned { _ = reader.raw(key) }
        settings.image = reader.string("image")
        settings.command = reader.stringList("command")
        settings.args = reader.stringList("args")
        if let env = reader.list("env") {
            settings.env = env.enumerated().compactMap { i, item in
                EnvVar.read(item, path: "\(reader.child("env"))[\(i)]", problems: problems)
            }
        }
        if let secrets = reader.list("secrets") {
            settings.secrets = secrets.enumerated().compactMap { i, item in
                SecretReference.read(item, path: "\(reader.child("secrets"))[\(i)]", problems: problems)
            }
        }
        settings.workingDir = reader.string("workingDir")
        settings.inputs = reader.object("inputs")
        settings.outputs = reader.stringList("outputs")
        if let resources = reader.raw("resources") {
            settings.resources = ResourceRequirements.read(resources, path: reader.child("resources"), problems: problems)
        }
        settings.retries = reader.integer("retries", in: 0...100)
        if let backoff = reader.raw("retryBackoff") {
            settings.retryBackoff = RetryBackoff.read(backoff, path: reader.child("retryBackoff"), problems: problems)
        }
        settings.timeout = reader.duration("timeout")
        if let timeout = settings.timeout, timeout.seconds < 1 {
            problems.add(reader.child("timeout"), "must be at least 1s (pods count their deadline in whole seconds)")
        }
        if let cache = reader.raw("cache"), var cacheReader = FieldReader(cache, path: reader.child("cache"), problems: problems) {
            if let version = cacheReader.string("version") {
                settings.cache = CacheSpec(version: version)
            } else {
                problems.add(cacheReader.child("version"), "is required: change it to invalidate cached results")
            }
            cacheReader.finish()
        }
        settings.checkpoint = reader.bool("checkpoint")
        settings.interruptible = reader.bool("interruptible")
        if let template = reader.raw("podTemplate") {
            settings.podTemplate = PodTemplate.read(template, path: reader.child("podTemplate"), problems: problems)
        }
        if let metadata = reader.raw("podMetadata"),
            var metaReader = FieldReader(metadata, path: reader.child("podMetadata"), problems: problems)
        {
            settings.podMetadata = PodMetadata(
                labels: metaReader.stringMap("labels") ?? [:], annotations: metaReader.stringMap("annotations") ?? [:])
            metaReader.finish()
        }
        reader.finish()
        return settings
    }
}

extension EnvVar {
    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> EnvVar? {
        guard var reader = FieldReader(value, path: path, problems: problems) else { return nil }
        let name = reader.string("name")
        let env = EnvVar(name: name ?? "", value: reader.string("value"), valueFrom: reader.raw("valueFrom"))
        if name == nil { problems.add(reader.child("name"), "is required") }
        if env.value != nil && env.valueFrom != nil {
            problems.add(path, "set either value or valueFrom, not both")
        }
        reader.finish()
        return name == nil ? nil : env
    }
}

extension ResourceRequirements {
    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> ResourceRequirements {
        var result = ResourceRequirements()
        guard var reader = FieldReader(value, path: path, problems: problems) else { return result }
        result.requests = quantities(reader.raw("requests"), path: reader.child("requests"), problems: problems)
        result.limits = quantities(reader.raw("limits"), path: reader.child("limits"), problems: problems)
        reader.finish()
        for (name, limit) in result.limits {
            if let request = result.requests[name], request > limit {
                problems.add("\(path).requests.\(name)", "request \(request) is more than the limit \(limit)")
            }
        }
        return result
    }

    private static func quantities(_ value: JSONValue?, path: String, problems: ProblemList) -> [String: Quantity] {
        guard let value else { return [:] }
        guard case .object(let fields) = value else {
            problems.add(path, "must be a map of resource name to quantity, not a \(value.typeName)")
            return [:]
        }
        var result: [String: Quantity] = [:]
        for (name, raw) in fields {
            let text: String
            switch raw {
            case .string(let s): text = s
            case .number(let n): text = JSONValue.format(number: n)
            default:
                problems.add("\(path).\(name)", "must be a quantity such as \"500m\" or \"2Gi\", not a \(raw.typeName)")
                continue
            }
            do {
                let quantity = try Quantity(text)
                if quantity.value < 0 {
                    problems.add("\(path).\(name)", "must not be negative")
                } else {
                    result[name] = quantity
                }
            } catch {
                problems.add("\(path).\(name)", error.description)
            }
        }
        return result
    }
}

extension RetryBackoff {
    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> RetryBackoff {
        var backoff = RetryBackoff()
        guard var reader = FieldReader(value, path: path, problems: problems) else { return backoff }
        if let initial = reader.duration("initial") { backoff.initial = initial }
        if let factor = reader.number("factor", in: 1...10) { backoff.factor = factor }
        if let max = reader.duration("max") { backoff.max = max }
        reader.finish()
        if backoff.max < backoff.initial {
            problems.add("\(path).max", "\(backoff.max) is shorter than initial \(backoff.initial)")
        }
        return backoff
    }
}

extension PodTemplate {
    static func read(_ value: JSONValue, path: String, problems: ProblemList) -> PodTemplate {
        var template = PodTemplate()
        guard var reader = FieldReader(value, path: path, problems: problems) else { return template }
        template.nodeSelector = reader.stringMap("nodeSelector")
        template.tolerations = reader.list("tolerations")
        template.affinity = reader.object("affinity").map(JSONValue.object)
        template.serviceAccountName = reader.string("serviceAccountName")
        template.priorityClassName = reader.string("priorityClassName")
        if let secrets = reader.list("imagePullSecrets") {
            template.imagePullSecrets = secrets.enumerated().compactMap { i, secret in
                let secretPath = "\(reader.child("imagePullSecrets"))[\(i)]"
                guard var secretReader = FieldReader(secret, path: secretPath, problems: problems) else { return nil }
                defer { secretReader.finish() }
                guard let name = secretReader.string("name") else {
                    problems.add("\(secretPath).name", "is required")
                    return nil
                }
                return name
            }
        }
        template.securityContext = reader.object("securityContext").map(JSONValue.object)
        template.volumes = reader.list("volumes")
        template.volumeMounts = reader.list("volumeMounts")
        reader.finish()
        return template
    }
}
