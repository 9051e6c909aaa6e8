import CapstanAPI

/// A link to an attempt's logs in the user's log system (CloudWatch, Loki, Datadog…), from
/// the controller's `--log-link NAME=TEMPLATE` (SPEC §13). Written into the status per
/// attempt, so `kubectl get -o yaml`, `capstan get` and the UI can link straight to the logs.
public struct LogLinkTemplate: Sendable, Hashable {
    public static let placeholders = ["namespace", "pod", "container", "node", "startedAt", "finishedAt"]

    public var name: String
    public var template: String

    /// Parses `NAME=TEMPLATE`, refusing a placeholder the engine cannot fill.
    public init(parsing text: String) throws(LogLinkError) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw LogLinkError(text: text, problem: "expected NAME=TEMPLATE")
        }
        name = String(text[..<equals])
        template = String(text[text.index(after: equals)...])
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw LogLinkError(text: text, problem: "a '{' without its '}'")
            }
            let placeholder = String(rest[rest.index(after: open)..<close])
            guard Self.placeholders.contains(placeholder) else {
                throw LogLinkError(
                    text: text,
                    problem: "unknown placeholder {\(placeholder)}; known: \(Self.placeholders.map { "{\($0)}" }.joined(separator: ", "))")
            }
            rest = rest[rest.index(after: close)...]
        }
    }

    /// The link for one attempt. Times are RFC 3339; `{finishedAt}` is empty while it runs.
    func render(namespace: String, pod: String, node: String, startedAt: Timestamp?, finishedAt: Timestamp?) -> String {
        var link = template
        let values = [
            "namespace": namespace, "pod": pod, "container": "main", "node": node,
            "startedAt": startedAt?.rfc3339 ?? "", "finishedAt": finishedAt?.rfc3339 ?? "",
        ]
        for (key, value) in values { link = link.replacing("{\(key)}", with: value) }
        return link
    }
}

public struct LogLinkError: Error, CustomStringConvertible {
    public var text: String
    public var problem: String
    public var description: String { "--log-link \"\(text)\": \(problem)" }
}

extension [LogLinkTemplate] {
    func render(namespace: String, pod: String, node: String, startedAt: Timestamp?, finishedAt: Timestamp?) -> [String: String] {
        var links: [String: String] = [:]
        for link in self {
            links[link.name] = link.render(namespace: namespace, pod: pod, node: node, startedAt: startedAt, finishedAt: finishedAt)
        }
        return links
    }
}
