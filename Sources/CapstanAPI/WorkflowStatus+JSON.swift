/// Status is written by Capstan and read back tolerantly: fields it does not know are ignored
/// and malformed ones fall back to their defaults, as an API server may add fields.
extension WorkflowStatus {
    public var json: JSONValue {
        var o: [String: JSONValue] = ["phase": .string(phase.rawValue), "observedGeneration": .number(Double(observedGeneration))]
        o["startedAt"] = startedAt.map { .string($0.rfc3339) }
        o["finishedAt"] = finishedAt.map { .string($0.rfc3339) }
        if !progress.isEmpty { o["progress"] = .string(progress) }
        o["message"] = message.map(JSONValue.string)
        o["reason"] = reason.map(JSONValue.string)
        if !conditions.isEmpty { o["conditions"] = .array(conditions.map(\.json)) }
        if let archive {
            // Past the bound, a node still waiting to start is left out (it reads back
            // Pending), and one that only runs is a row.
            var detailed: [String: JSONValue] = [:]
            var running: [(String, NodeStatus)] = []
            for (name, node) in nodes where node.archivePosition == nil && node != NodeStatus() {
                if RunningNodeRows.canSummarise(node) { running.append((name, node)) } else { detailed[name] = node.json }
            }
            if !detailed.isEmpty { o["nodes"] = .object(detailed) }
            if !running.isEmpty { o["runningNodes"] = .string(RunningNodeRows.encode(running, workflowStartedAt: startedAt)) }
            o["archivedNodes"] = [
                "detailsPrefix": .string(archive.detailsPrefix),
                "rows": ArchivedNodes.encode(nodes, workflowStartedAt: startedAt),
            ]
        } else if !nodes.isEmpty {
            o["nodes"] = .object(nodes.mapValues(\.json))
        }
        o["outputs"] = outputs.map(JSONValue.object)
        o["templateSpec"] = templateSpec
        o["dagResult"] = dagResult?.json
        return .object(o)
    }

    public init(json: JSONValue?) {
        self.init()
        guard let json, case .object = json else { return }
        phase = json["phase"]?.stringValue.flatMap(WorkflowPhase.init(rawValue:)) ?? .pending
        observedGeneration = json["observedGeneration"]?.intValue ?? 0
        startedAt = json["startedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        finishedAt = json["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        progress = json["progress"]?.stringValue ?? ""
        message = json["message"]?.stringValue
        reason = json["reason"]?.stringValue
        conditions = json["conditions"]?.arrayValue?.compactMap(StatusCondition.init(json:)) ?? []
        nodes = json["nodes"]?.objectValue?.mapValues(NodeStatus.init(json:)) ?? [:]
        if let archived = json["archivedNodes"], let prefix = archived["detailsPrefix"]?.stringValue {
            let archive = ArchivedNodes(detailsPrefix: prefix)
            self.archive = archive
            // The archived rows are most of a large DAG's nodes: they are the dictionary the
            // few detailed nodes are added to (a detailed node wins over a row of its name),
            // rather than thousands of rows added to the detailed nodes one by one.
            var all = archive.decode(archived["rows"], workflowStartedAt: startedAt)
            for (name, node) in nodes { all[name] = node }
            for (name, node) in RunningNodeRows.decode(json["runningNodes"]?.stringValue, workflowStartedAt: startedAt)
            where all[name] == nil {
                all[name] = node
            }
            nodes = all
        }
        outputs = json["outputs"]?.objectValue
        templateSpec = json["templateSpec"].flatMap { $0.objectValue == nil ? nil : $0 }
        dagResult = json["dagResult"].flatMap(DAGResult.init(json:))
    }
}

extension StatusCondition {
    public var json: JSONValue {
        [
            "type": .string(type), "status": .string(status ? "True" : "False"), "reason": .string(reason),
            "message": .string(message), "lastTransitionTime": .string(lastTransitionTime.rfc3339),
            "observedGeneration": .number(Double(observedGeneration)),
        ]
    }

    public init?(json: JSONValue) {
        guard let type = json["type"]?.stringValue else { return nil }
        self.init(
            type: type, status: json["status"]?.stringValue == "True", reason: json["reason"]?.stringValue ?? "",
            message: json["message"]?.stringValue ?? "",
            lastTransitionTime: json["lastTransitionTime"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
                ?? Timestamp(secondsSince1970: 0),
            observedGeneration: json["observedGeneration"]?.intValue ?? 0)
    }
}

extension NodeStatus {
    public var json: JSONValue {
        var o: [String: JSONValue] = ["phase": .string(phase.rawValue)]
        if attempts > 0 { o["attempts"] = .number(Double(attempts)) }
        if userFailures > 0 { o["userFailures"] = .number(Double(userFailures)) }
        if systemFailures > 0 { o["systemFailures"] = .number(Double(systemFailures)) }
        o["startedAt"] = startedAt.map { .string($0.rfc3339) }
        o["finishedAt"] = finishedAt.map { .string($0.rfc3339) }
        o["retryAt"] = retryAt.map { .string($0.rfc3339) }
        if createRefusals > 0 { o["createRefusals"] = .number(Double(createRefusals)) }
        o["createRetryAt"] = createRetryAt.map { .string($0.rfc3339) }
        o["outputsURI"] = outputsURI.map(JSONValue.string)
        if cached { o["cached"] = true }
        if recovered { o["recovered"] = true }
        o["key"] = key.map(JSONValue.string)
        o["message"] = message.map(JSONValue.string)
        if !logLinks.isEmpty { o["logLinks"] = .object(logLinks.mapValues(JSONValue.string)) }
        if !failures.isEmpty { o["failures"] = .array(failures.map(\.json)) }
        o["map"] = map?.json
        return .object(o)
    }

    public init(json: JSONValue) {
        self.init(phase: json["phase"]?.stringValue.flatMap(NodePhase.init(rawValue:)) ?? .pending)
        attempts = json["attempts"]?.intValue ?? 0
        userFailures = json["userFailures"]?.intValue ?? 0
        systemFailures = json["systemFailures"]?.intValue ?? 0
        startedAt = json["startedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        finishedAt = json["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        retryAt = json["retryAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        createRefusals = json["createRefusals"]?.intValue ?? 0
        createRetryAt = json["createRetryAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:))
        outputsURI = json["outputsURI"]?.stringValue
        cached = json["cached"]?.boolValue ?? false
        recovered = json["recovered"]?.boolValue ?? false
        key = json["key"]?.stringValue
        message = json["message"]?.stringValue
        logLinks = json["logLinks"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
        failures = json["failures"]?.arrayValue?.compactMap(AttemptFailure.init(json:)) ?? []
        map = json["map"].flatMap(MapStatus.init(json:))
    }
}

extension AttemptFailure {
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "attempt": .number(Double(attempt)), "reason": .string(reason.rawValue),
            "finishedAt": .string(finishedAt.rfc3339),
        ]
        o["index"] = index.map { .number(Double($0)) }
        o["exitCode"] = exitCode.map { .number(Double($0)) }
        o["message"] = message.map(JSONValue.string)
        if !logLinks.isEmpty { o["logLinks"] = .object(logLinks.mapValues(JSONValue.string)) }
        return .object(o)
    }

    public init?(json: JSONValue) {
        guard let reason = json["reason"]?.stringValue.flatMap(FailureReason.init(rawValue:)) else { return nil }
        self.init(
            attempt: json["attempt"]?.intValue ?? 0, index: json["index"]?.intValue, reason: reason,
            exitCode: json["exitCode"]?.intValue, message: json["message"]?.stringValue,
            finishedAt: json["finishedAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)) ?? Timestamp(secondsSince1970: 0))
        logLinks = json["logLinks"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
    }
}

extension MapStatus {
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "total": .number(Double(total)), "running": .number(Double(running)),
            "succeeded": .number(Double(succeeded)), "failed": .number(Double(failed)),
            "items": .string(items.encoded),
        ]
        if !retrying.isEmpty {
            o["retrying"] = .object(
                Dictionary(uniqueKeysWithValues: retrying.map { index, retry in
                    var r: [String: JSONValue] = ["failures": .number(Double(retry.failures))]
                    if retry.systemFailures > 0 { r["systemFailures"] = .number(Double(retry.systemFailures)) }
                    r["retryAt"] = retry.retryAt.map { .string($0.rfc3339) }
                    return (String(index), .object(r))
                }))
        }
        if workerFailures > 0 { o["workerFailures"] = .number(Double(workerFailures)) }
        if !countedWorkerFailures.isEmpty { o["countedWorkerFailures"] = .array(countedWorkerFailures.sorted().map(JSONValue.string)) }
        return .object(o)
    }

    public init?(json: JSONValue) {
        guard let total = json["total"]?.intValue, total >= 0 else { return nil }
        self.init(total: total)
        if let text = json["items"]?.stringValue, let decoded = ItemPhases(encoded: text, count: total) {
            items = decoded
        }
        for (key, value) in json["retrying"]?.objectValue ?? [:] {
            guard let index = Int(key), index >= 0, index < total else { continue }
            retrying[index] = ItemRetry(
                failures: value["failures"]?.intValue ?? 0, systemFailures: value["systemFailures"]?.intValue ?? 0,
                retryAt: value["retryAt"]?.stringValue.flatMap(Timestamp.init(rfc3339:)))
        }
        workerFailures = json["workerFailures"]?.intValue ?? 0
        countedWorkerFailures = Set(json["countedWorkerFailures"]?.arrayValue?.compactMap(\.stringValue) ?? [])
    }
}
