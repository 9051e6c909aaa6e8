import CapstanAPI

/// The discovery documents kubectl and client-go read before anything else: `/version`,
/// the legacy `/api`, `/apis`, `/apis/GROUP`, `/api/v1`, `/apis/GROUP/VERSION`, and the
/// aggregated `APIGroupDiscoveryList` form kubectl 1.32 asks for first.
struct Discovery: Sendable {
    let registry: ResourceRegistry
    /// `host:port` the server is reachable at, for `serverAddressByClientCIDRs`.
    let serverAddress: @Sendable () -> String

    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-capstan-sim", "gitCommit": "capstan-sim",
        "gitTreeState": "clean", "buildDate": "2025-01-01T00:00:00Z", "goVersion": "go1.23.4", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    static let aggregatedMediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

    func respond(group: String?, version: String?, legacy: Bool, accept: String) throws(StatusError) -> APIResponse {
        if group == nil && Self.acceptsAggregated(accept) {
            var response = APIResponse.json(aggregated(legacy: legacy))
            response.contentType = Self.aggregatedMediaType
            return response
        }
        switch (group, version) {
        case (nil, _):
            return .json(legacy ? apiVersions() : groupList())
        case (let group?, nil):
            guard let entry = registry.groups().first(where: { $0.group == group }) else { throw StatusError.pathNotFound() }
            var document = groupEntry(entry.group, entry.versions)
            document["kind"] = "APIGroup"
            document["apiVersion"] = "v1"
            return .json(document)
        case (let group?, let version?):
            let gv = GroupVersion(group: group, version: version)
            guard registry.isServed(gv) else { throw StatusError.pathNotFound() }
            return .json(resourceList(gv))
        }
    }

    /// True when one of the Accept entries is the v2 aggregated discovery type.
    static func acceptsAggregated(_ accept: String) -> Bool {
        accept.split(separator: ",").contains { entry in
            let parameters = Set(entry.split(separator: ";").map { $0.trimmingSpaces })
            return parameters.contains("g=apidiscovery.k8s.io") && parameters.contains("v=v2")
                && parameters.contains("as=APIGroupDiscoveryList")
        }
    }

    private func apiVersions() -> JSONValue {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress())]]]
    }

    private func groupList() -> JSONValue {
        let groups = registry.groups().filter { !$0.group.isEmpty }.map { groupEntry($0.group, $0.versions) }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    private func groupEntry(_ group: String, _ versions: [String]) -> JSONValue {
        let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
        return ["name": .string(group), "versions": .array(entries), "preferredVersion": entries[0]]
    }

    func resourceList(_ gv: GroupVersion) -> JSONValue {
        var resources: [JSONValue] = []
        for type in registry.resources(in: gv) {
            var entry: JSONValue = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map { .string($0) }),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
            resources.append(entry)
            for (subresource, kind, verbs) in subresources(of: type) {
                resources.append(["name": .string("\(type.plural)/\(subresource)"), "singularName": "",
                                  "namespaced": .bool(type.namespaced), "kind": .string(kind),
                                  "verbs": .array(verbs.map { .string($0) })])
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(gv.description),
                "resources": .array(resources)]
    }

    private func subresources(of type: ServedResource) -> [(String, String, [String])] {
        var result: [(String, String, [String])] = []
        if type.hasStatus { result.append(("status", type.kind, ["get", "patch", "update"])) }
        if type.group.isEmpty && type.plural == "pods" {
            result.append(("binding", "Binding", ["create"]))
            result.append(("eviction", "Eviction", ["create"]))
            result.append(("log", "Pod", ["get"]))
        }
        return result
    }

    /// `apidiscovery.k8s.io/v2` APIGroupDiscoveryList: every group, version and resource at once.
    private func aggregated(legacy: Bool) -> JSONValue {
        var items: [JSONValue] = []
        for (group, versions) in registry.groups() where group.isEmpty == legacy {
            var versionEntries: [JSONValue] = []
            for version in versions {
                let gv = GroupVersion(group: group, version: version)
                let resources: [JSONValue] = registry.resources(in: gv).map { type in
                    var entry: JSONValue = [
                        "resource": .string(type.plural), "singularResource": .string(type.singular),
                        "scope": .string(type.namespaced ? "Namespaced" : "Cluster"),
                        "responseKind": ["group": .string(group), "version": .string(version), "kind": .string(type.kind)],
                        "verbs": .array(type.verbs.map { .string($0) }),
                    ]
                    if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map { .string($0) }) }
                    if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map { .string($0) }) }
                    let subs: [JSONValue] = subresources(of: type).map { (name, kind, verbs) in
                        ["subresource": .string(name),
                         "responseKind": ["group": .string(kind == type.kind ? group : ""), "version": .string(version),
                                          "kind": .string(kind)],
                         "verbs": .array(verbs.map { .string($0) })]
                    }
                    if !subs.isEmpty { entry["subresources"] = .array(subs) }
                    return entry
                }
                versionEntries.append(["version": .string(version), "resources": .array(resources), "freshness": "Current"])
            }
            items.append(["metadata": ["name": .string(group)], "versions": .array(versionEntries)])
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": [:],
                "items": .array(items)]
    }
}
