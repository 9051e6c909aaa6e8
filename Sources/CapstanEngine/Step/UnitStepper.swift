import CapstanAPI

/// Advances one unit (a task, or one map item) by one step: starts its next attempt,
/// reads how its pod ended, persists its outputs, retries or gives up.
struct UnitStepper {
    let node: CompiledNode
    let index: Int?
    let item: JSONValue?
    let scope: ExpressionValues
    let facts: ActionResults
    let now: Timestamp
    let config: EngineConfig
    let layout: StorageLayout
    let builder: PodBuilder
    /// For a `map.workers` item: the worker pods' image. The attempt is dispatched to a
    /// worker instead of run in a pod of its own.
    var workerImage: String? = nil

    func step(_ record: inout UnitRecord, pod: ObservedPod?, output: inout StepOutput) -> UnitChange {
        switch record.phase {
        case .succeeded, .failed:
            return .unchanged
        case .running:
            return observe(&record, pod: pod, output: &output)
        case .pending:
            if pod != nil {
                // The pod exists although the status never recorded its start: the controller
                // stopped between creating it and saving the status. Adopt it.
                record.phase = .running
                return observe(&record, pod: pod, output: &output)
            }
            return start(&record, output: &output)
        }
    }

    private func observe(_ record: inout UnitRecord, pod: ObservedPod?, output: inout StepOutput) -> UnitChange {
        if case .subWorkflow = node.kind { return observeChild(&record, child: pod, output: &output) }
        if node.isDynamic, let pod, pod.isChildWorkflow { return observeChild(&record, child: pod, output: &output) }
        guard var pod else {
            if workerImage != nil {
                return fail(&record, AttemptFailureInfo(reason: .workerLost, message:
                    "no worker holds the item any more: its worker pod stopped, or the controller restarted before a worker took it"),
                            output: &output)
            }
            return fail(&record, AttemptFailureInfo(reason: .podDeleted, message: "the pod was deleted before it finished"), output: &output)
        }
        let ended = pod.phase == .succeeded || (pod.mainHasExited && pod.exitCode == 0)
        if ended, !node.outputs.isEmpty, (pod.terminationMessage ?? "").isEmpty, pod.uploadedOutputs == nil {
            // Outputs too large for the termination message were uploaded to CAPSTAN_OUTPUTS_URI.
            let key = layout.outputsKey(node.name, index: index)
            if let uploaded = facts.outputs[key] {
                pod.uploadedOutputs = .object(uploaded)
            } else if !facts.absent.contains(key) {
                output.actions.append(.loadOutputs(key: key))
                return .unchanged
            }
        }
        // A dynamic node's task gives only the spec it built; the other outputs come from the child.
        let taskOutputs = node.isDynamic ? [ChildWorkflows.dynamicOutput] : node.outputs
        switch config.classifier.outcome(of: pod, declaredOutputs: taskOutputs, now: now) {
        case .running:
            output.wake(at: config.classifier.nextCheck(of: pod))
            return .unchanged
        case .succeeded(let outputs):
            if node.isDynamic { return startBuiltWorkflow(&record, outputs: outputs, output: &output) }
            return finishSuccess(&record, outputs: outputs, origin: .ran, output: &output)
        case .failed(let info):
            // A pod stuck pulling its image or kept running by a sidecar is stopped now.
            output.collect(pod, saved: .endingNow, podGC: .never)
            return fail(&record, info, pod: pod, output: &output)
        }
    }

    /// A sub-workflow attempt follows its child Workflow; the child's changes wake the parent.
    private func observeChild(_ record: inout UnitRecord, child: ObservedPod?, output: inout StepOutput) -> UnitChange {
        guard let child else {
            return fail(&record, AttemptFailureInfo(reason: .podDeleted, message: "the child workflow was deleted before it finished"),
                        output: &output)
        }
        // A dynamic node's own `workflow` output was the spec; the rest come from the child.
        let declared = node.isDynamic ? node.outputs.filter { $0 != ChildWorkflows.dynamicOutput } : node.outputs
        switch ChildWorkflows.outcome(of: child, declaredOutputs: declared) {
        case .running: return .unchanged
        case .succeeded(let outputs): return finishSuccess(&record, outputs: outputs, origin: .ran, output: &output)
        case .failed(let info): return fail(&record, info, output: &output)
        }
    }

    /// A dynamic node's task has built a Workflow spec: checked as `capstan validate` checks
    /// a spec, then run as the attempt's child Workflow (SPEC §12).
    private func startBuiltWorkflow(_ record: inout UnitRecord, outputs: [String: JSONValue], output: inout StepOutput) -> UnitChange {
        let spec = outputs[ChildWorkflows.dynamicOutput] ?? .null
        let size = spec.serialized().count
        if size > ChildWorkflows.maximumBuiltSpecBytes {
            return fail(&record, AttemptFailureInfo(reason: .invalidDynamicSpec, message: "the workflow the task built is \(size) bytes of JSON; "
                + "at most \(ChildWorkflows.maximumBuiltSpecBytes) fit in a Workflow object: pass large data as inputs by reference instead"),
                        output: &output)
        }
        if case .failure(let error) = WorkflowCompiler.compile(spec) {
            let problems = error.diagnostics.map { "\($0.path.replacing("spec.", with: "workflow.", maxReplacements: 1)): \($0.message)" }
            return fail(&record, AttemptFailureInfo(reason: .invalidDynamicSpec, message: "the workflow the task built is invalid: "
                                                   + problems.joined(separator: "; ")), output: &output)
        }
        guard let request = ChildWorkflows.dynamicRequest(parent: builder.metadata, node: node.name, spec: spec, index: index,
                                                          attempt: record.attempt) else {
            return fail(&record, AttemptFailureInfo(reason: .tooDeep, message:
                "child workflows nest deeper than \(ChildWorkflows.maximumDepth) levels: the dynamic node keeps building itself"), output: &output)
        }
        switch facts.podCreates[request.name] {
        case nil: output.actions.append(.createPod(request))
        case .rejected(let message):
            return fail(&record, AttemptFailureInfo(reason: .invalidDynamicSpec, message: "the API server refused the workflow the task built: \(message)"),
                        output: &output)
        case .created, .quotaExceeded, .unavailable:
            // Created, or tried again on the next look: the child, once seen, decides.
            break
        }
        return .unchanged
    }

    private func finishSuccess(_ record: inout UnitRecord, outputs: [String: JSONValue], origin: UnitOrigin, output: inout StepOutput) -> UnitChange {
        let needsPersisting = !node.outputs.isEmpty || node.settings.cache != nil
        if needsPersisting {
            let key = layout.outputsKey(node.name, index: index)
            guard facts.persisted.contains(key) else {
                output.actions.append(.persistOutputs(key: key, outputs: outputs))
                return .unchanged
            }
            if let cacheKey = cacheKey(), origin != .cache {
                output.actions.append(.writeCache(entryKey: layout.cacheEntryKey(cacheKey), from: key))
            }
        }
        record.phase = .succeeded
        record.retryAt = nil
        return .succeeded(origin)
    }

    private func fail(_ record: inout UnitRecord, _ info: AttemptFailureInfo, pod: ObservedPod? = nil, output: inout StepOutput) -> UnitChange {
        var failure = AttemptFailure(
            attempt: record.attempt, index: index, reason: info.reason, exitCode: info.exitCode, message: info.message,
            finishedAt: now)
        failure.logLinks = logLinks(attempt: record.attempt, startedAt: pod?.startedAt ?? pod?.createdAt, finishedAt: now)
        if info.reason.isSystem {
            record.systemFailures += 1
        } else {
            record.userFailures += 1
        }
        let exhausted = info.reason.isSystem ? record.systemFailures > config.systemRetries : record.userFailures > node.retries
        if exhausted {
            record.phase = .failed
            record.retryAt = nil
            return .failed(failure)
        }
        record.phase = .pending
        // The status keeps whole seconds, so round up: a retry never comes before its backoff.
        record.retryAt = info.reason.isSystem
            ? now : Timestamp(secondsSince1970: (now + node.retryBackoff.delay(afterFailures: record.userFailures)).secondsSince1970.rounded(.up))
        output.wake(at: record.retryAt)
        return .retrying(failure)
    }

    private func start(_ record: inout UnitRecord, output: inout StepOutput) -> UnitChange {
        if let retryAt = record.retryAt, retryAt > now {
            output.wake(at: retryAt)
            return .unchanged
        }
        guard output.startBudget > 0 else { return .unchanged }
        let rendered: PodBuilder.Rendered
        do {
            rendered = try render()
        } catch {
            return .broken("cannot resolve \(index.map { "item \($0) of " } ?? "")node \"\(node.name)\": \(error.description)")
        }
        if let cacheKey = cacheKey(rendered) {
            guard let lookup = facts.cacheLookups[cacheKey] else {
                output.actions.append(.lookupCache(cacheKey: cacheKey, entryKey: layout.cacheEntryKey(cacheKey)))
                return .unchanged
            }
            if let outputs = lookup {
                return finishSuccess(&record, outputs: outputs, origin: .cache, output: &output)
            }
        }
        if index == nil, let recoverable = facts.recoverable[node.name], recoverable.key == recoveryKey(rendered) {
            guard let key = recoverable.outputsKey, !node.outputs.isEmpty else {
                return finishSuccess(&record, outputs: [:], origin: .recovered, output: &output)
            }
            guard let outputs = facts.outputs[key] else {
                output.actions.append(.loadOutputs(key: key))
                return .unchanged
            }
            return finishSuccess(&record, outputs: outputs, origin: .recovered, output: &output)
        }
        var inputsURI: String?
        if node.kind.runsPods, JSONValue.object(rendered.inputs).serializes(moreThan: PodLimits.inputsByValue) {
            let key = layout.inputsKey(node.name, index: index)
            guard facts.persisted.contains(key) else {
                output.actions.append(.writeInputs(key: key, inputs: rendered.inputs))
                return .unchanged
            }
            inputsURI = layout.uri(key)
        }
        if let workerImage {
            return dispatch(&record, rendered: rendered, inputsURI: inputsURI, workerImage: workerImage, output: &output)
        }
        let offSpot = node.isInterruptible && record.systemFailures >= config.systemRetries
        let request: PodRequest
        if case .subWorkflow(let template) = node.kind {
            guard let child = ChildWorkflows.request(parent: builder.metadata, node: node.name, template: template, index: index,
                                                      attempt: record.attempt, inputs: rendered.inputs) else {
                record.phase = .failed
                record.retryAt = nil
                return .failed(AttemptFailure(attempt: record.attempt, index: index, reason: .tooDeep, message:
                    "child workflows nest deeper than \(ChildWorkflows.maximumDepth) levels: WorkflowTemplate \"\(template)\" keeps running itself",
                    finishedAt: now))
            }
            request = child
        } else {
            request = builder.pod(for: node, index: index, attempt: record.attempt, rendered: rendered, offSpot: offSpot, inputsURI: inputsURI)
        }
        if let problem = PodLimits.problem(with: request.manifest) {
            // Never sent: the API server or the kernel would refuse it, and retrying cannot help.
            record.phase = .failed
            record.retryAt = nil
            return .failed(AttemptFailure(attempt: record.attempt, index: index, reason: .podRejected, message: problem, finishedAt: now))
        }
        switch facts.podCreates[request.name] {
        case nil:
            output.actions.append(.createPod(request))
        case .created:
            break
        case .rejected(let message):
            record.phase = .failed
            record.retryAt = nil
            return .failed(AttemptFailure(
                attempt: record.attempt, index: index, reason: .podRejected, message: "the API server refused the pod: \(message)",
                finishedAt: now))
        case .quotaExceeded(let message):
            return .createRefused(CreateRefusal(quota: true, message: message))
        case .unavailable(let message):
            return .createRefused(CreateRefusal(quota: false, message: message))
        }
        output.startBudget -= 1
        record.phase = .running
        record.retryAt = nil
        return .started(attempt: record.attempt)
    }

    /// The `--log-link` links of one of this unit's attempts.
    func logLinks(attempt: Int, startedAt: Timestamp?, finishedAt: Timestamp?) -> [String: String] {
        // A child Workflow's logs are its own nodes' links.
        guard !config.logLinks.isEmpty, node.kind.runsPods else { return [:] }
        let metadata = builder.metadata
        let pod = PodNaming.name(workflow: metadata.name, uid: metadata.uid, node: node.name, index: index, attempt: attempt)
        return config.logLinks.render(namespace: metadata.namespace, pod: pod, node: node.name, startedAt: startedAt, finishedAt: finishedAt)
    }

    func render() throws(ExpressionError) -> PodBuilder.Rendered {
        var itemScope = scope
        itemScope.item = item
        itemScope.index = index
        var inputs: [String: JSONValue] = [:]
        for (name, value) in node.inputs { inputs[name] = try value.render(itemScope) }
        itemScope.nodeInputs = inputs
        var env: [(String, JSONValue)] = []
        for variable in node.env {
            if let value = variable.value {
                env.append((variable.name, .string(try value.renderText(itemScope))))
            } else if let valueFrom = variable.valueFrom {
                env.append((variable.name, valueFrom))
            }
        }
        var labels: [String: String] = [:]
        for (key, template) in node.podLabels { labels[key] = try template.renderText(itemScope) }
        var annotations: [String: String] = [:]
        for (key, template) in node.podAnnotations { annotations[key] = try template.renderText(itemScope) }
        return PodBuilder.Rendered(
            image: try node.image.renderText(itemScope),
            command: try node.command.map { t throws(ExpressionError) in try t.renderText(itemScope) },
            args: try node.args.map { t throws(ExpressionError) in try t.renderText(itemScope) },
            env: env, workingDir: try node.workingDir?.renderText(itemScope), inputs: inputs, labels: labels,
            annotations: annotations)
    }

    /// What `recoverFrom` compares: the cache key's material without the cache version, so
    /// any node (cached or not) that would run exactly the same is recognised.
    func recoveryKey(_ rendered: PodBuilder.Rendered? = nil) -> String? {
        guard let rendered = rendered ?? (try? render()) else { return nil }
        return SHA256.hex(keyMaterial(rendered, version: nil).serialized())
    }

    /// SPEC §4: SHA-256 over image, command, args, env, resolved inputs, map item, declared
    /// outputs and the cache version. Nil when the node does not cache.
    func cacheKey(_ rendered: PodBuilder.Rendered? = nil) -> String? {
        guard let version = node.settings.cache?.version else { return nil }
        guard let rendered = rendered ?? (try? render()) else { return nil }
        return SHA256.hex(keyMaterial(rendered, version: version).serialized())
    }

    private func keyMaterial(_ rendered: PodBuilder.Rendered, version: String?) -> JSONValue {
        [
            "image": .string(rendered.image),
            "command": .array(rendered.command.map(JSONValue.string)),
            "args": .array(rendered.args.map(JSONValue.string)),
            "env": .array(rendered.env.map { ["name": .string($0.0), "value": $0.1] }),
            "inputs": .object(rendered.inputs),
            "item": item ?? .null,
            "outputs": .array(node.outputs.map(JSONValue.string)),
            "version": version.map(JSONValue.string) ?? .null,
            "workflowTemplate": { if case .subWorkflow(let template) = node.kind { return .string(template) } else { return .null } }(),
        ]
    }
}
