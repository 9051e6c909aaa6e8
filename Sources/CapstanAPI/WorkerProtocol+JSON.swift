/// The protocol's wire form through Capstan's own JSON values rather than Codable: a poll
/// and its answer cross the wire once per item, and this is several times cheaper per
/// message than Foundation's coders (measured with `hack/bench/scale.py map-1m-workers`).
public struct WorkerProtocolError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

extension WorkerPoll {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "claims": claims.json, "finished": .array(finished.map(\.json)), "ready": .bool(ready),
        ]
        if let running { object["running"] = .string(running) }
        return .object(object)
    }

    public init(json: JSONValue) throws(WorkerProtocolError) {
        guard let claims = json["claims"] else { throw WorkerProtocolError(description: "a poll needs claims") }
        var finished: [ItemResult] = []
        for entry in json["finished"]?.arrayValue ?? [] { finished.append(try ItemResult(json: entry)) }
        self.init(claims: try WorkerClaims(json: claims), running: json["running"]?.stringValue, finished: finished,
                  ready: json["ready"]?.boolValue ?? false)
    }
}

extension WorkerClaims {
    public var json: JSONValue {
        ["namespace": .string(namespace), "workflow": .string(workflow), "workflowUID": .string(workflowUID),
         "node": .string(node), "pod": .string(pod)]
    }

    public init(json: JSONValue) throws(WorkerProtocolError) {
        func field(_ name: String) throws(WorkerProtocolError) -> String {
            guard let value = json[name]?.stringValue else { throw WorkerProtocolError(description: "claims.\(name) is missing") }
            return value
        }
        self.init(namespace: try field("namespace"), workflow: try field("workflow"), workflowUID: try field("workflowUID"),
                  node: try field("node"), pod: try field("pod"))
    }
}

extension ItemResult {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "exitCode": .number(Double(exitCode)), "startedAt": .string(startedAt),
            "finishedAt": .string(finishedAt), "timedOut": .bool(timedOut),
        ]
        if let outputs { object["outputs"] = .string(outputs) }
        if let message { object["message"] = .string(message) }
        return .object(object)
    }

    public init(json: JSONValue) throws(WorkerProtocolError) {
        guard let name = json["name"]?.stringValue, let exitCode = json["exitCode"]?.intValue else {
            throw WorkerProtocolError(description: "a finished item needs name and exitCode")
        }
        self.init(name: name, exitCode: exitCode, outputs: json["outputs"]?.stringValue, startedAt: json["startedAt"]?.stringValue ?? "",
                  finishedAt: json["finishedAt"]?.stringValue ?? "", timedOut: json["timedOut"]?.boolValue ?? false,
                  message: json["message"]?.stringValue)
    }
}

extension WorkerAssignment {
    public var json: JSONValue {
        var object: [String: JSONValue] = ["acknowledged": .array(acknowledged.map(JSONValue.string)), "stop": .bool(stop)]
        if let item { object["item"] = item.json }
        return .object(object)
    }

    public init(json: JSONValue) throws(WorkerProtocolError) {
        self.init(acknowledged: (json["acknowledged"]?.arrayValue ?? []).compactMap(\.stringValue),
                  item: try json["item"].map { value throws(WorkerProtocolError) in try ItemToRun(json: value) },
                  stop: json["stop"]?.boolValue ?? false)
    }
}

extension ItemToRun {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "index": .number(Double(index)), "attempt": .number(Double(attempt)),
            "arguments": .array(arguments.map(JSONValue.string)),
            "environment": .array(environment.map { ["name": .string($0.name), "value": .string($0.value)] }),
        ]
        if let workingDirectory { object["workingDirectory"] = .string(workingDirectory) }
        if let timeoutSeconds { object["timeoutSeconds"] = .number(timeoutSeconds) }
        return .object(object)
    }

    public init(json: JSONValue) throws(WorkerProtocolError) {
        guard let name = json["name"]?.stringValue, let index = json["index"]?.intValue, let attempt = json["attempt"]?.intValue else {
            throw WorkerProtocolError(description: "an item needs name, index and attempt")
        }
        let environment = (json["environment"]?.arrayValue ?? []).compactMap { entry -> EnvironmentVariable? in
            guard let name = entry["name"]?.stringValue, let value = entry["value"]?.stringValue else { return nil }
            return EnvironmentVariable(name: name, value: value)
        }
        self.init(name: name, index: index, attempt: attempt, arguments: (json["arguments"]?.arrayValue ?? []).compactMap(\.stringValue),
                  environment: environment, workingDirectory: json["workingDirectory"]?.stringValue,
                  timeoutSeconds: json["timeoutSeconds"]?.doubleValue)
    }
}
