import CapstanAPI
import CapstanSupport

/// The parts of a `CustomResourceDefinition` the server needs to serve its resources.
struct CustomResourceDefinition: Sendable {
    struct Version: Sendable {
        var name: String
        var served: Bool
        var storage: Bool
        var hasStatus: Bool
        var schema: JSONValue?
        var printerColumns: [PrinterColumn]
    }

    var name: String
    var group: String
    var plural: String
    var singular: String
    var kind: String
    var listKind: String
    var shortNames: [String]
    var categories: [String]
    var namespaced: Bool
    var versions: [Version]

    /// Reads a CRD object; the error message names the first field that is missing or wrong.
    init(_ object: JSONValue) throws(StatusError) {
        let name = object["metadata"]?["name"]?.stringValue ?? ""
        func invalid(_ field: String, _ message: String) -> StatusError {
            StatusError.invalid(GroupResource(group: "apiextensions.k8s.io", resource: "customresourcedefinitions"),
                                kind: "CustomResourceDefinition", name: name, field: field, message: message,
                                causeReason: "FieldValueRequired")
        }
        let spec = object["spec"] ?? [:]
        guard let group = spec["group"]?.stringValue, !group.isEmpty else {
            throw invalid("spec.group", "Required value")
        }
        let names = spec["names"] ?? [:]
        guard let plural = names["plural"]?.stringValue, !plural.isEmpty else {
            throw invalid("spec.names.plural", "Required value")
        }
        guard let kind = names["kind"]?.stringValue, !kind.isEmpty else {
            throw invalid("spec.names.kind", "Required value")
        }
        guard name == "\(plural).\(group)" else {
            throw invalid("metadata.name", "Invalid value: \"\(name)\": must be spec.names.plural+\".\"+spec.group")
        }
        let scope = spec["scope"]?.stringValue ?? ""
        guard scope == "Namespaced" || scope == "Cluster" else {
            throw invalid("spec.scope", "Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"")
        }
        let versionList = spec["versions"]?.arrayValue ?? []
        guard !versionList.isEmpty else { throw invalid("spec.versions", "Invalid value: must have exactly one version marked as storage version") }
        self.name = name
        self.group = group
        self.plural = plural
        self.kind = kind
        self.singular = names["singular"]?.stringValue ?? kind.lowercased()
        self.listKind = names["listKind"]?.stringValue ?? kind + "List"
        self.shortNames = names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.categories = names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? []
        self.namespaced = scope == "Namespaced"
        self.versions = try versionList.enumerated().map { (index, version) throws(StatusError) in
            guard let versionName = version["name"]?.stringValue, !versionName.isEmpty else {
                throw invalid("spec.versions[\(index)].name", "Required value")
            }
            let columns = (version["additionalPrinterColumns"]?.arrayValue ?? []).compactMap { column -> PrinterColumn? in
                guard let name = column["name"]?.stringValue, let path = column["jsonPath"]?.stringValue else { return nil }
                return PrinterColumn(name: name, type: column["type"]?.stringValue ?? "string",
                                     format: column["format"]?.stringValue ?? "",
                                     description: column["description"]?.stringValue ?? "",
                                     jsonPath: path, priority: column["priority"]?.intValue ?? 0)
            }
            return Version(name: versionName, served: version["served"]?.boolValue ?? true,
                           storage: version["storage"]?.boolValue ?? false,
                           hasStatus: version["subresources"]?["status"] != nil,
                           schema: version["schema"]?["openAPIV3Schema"], printerColumns: columns)
        }
    }

    var servedResources: [ServedResource] {
        versions.filter(\.served).map { version in
            ServedResource(group: group, version: version.name, plural: plural, singular: singular, kind: kind,
                           namespaced: namespaced, shortNames: shortNames, categories: categories,
                           hasStatus: version.hasStatus, isCustom: true, allowsUnconditionalUpdate: false,
                           printerColumns: version.printerColumns.isEmpty
                               ? [PrinterColumn(name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp")]
                               : version.printerColumns)
        }
    }

    /// The status kube's CRD controllers would write once the names are accepted.
    var establishedStatus: JSONValue {
        func condition(_ type: String, _ reason: String, _ message: String, _ now: String) -> JSONValue {
            ["type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
             "lastTransitionTime": .string(now)]
        }
        let now = UTCTime.now().rfc3339()
        var accepted: JSONValue = ["plural": .string(plural), "singular": .string(singular), "kind": .string(kind),
                                   "listKind": .string(listKind)]
        if !shortNames.isEmpty { accepted["shortNames"] = .array(shortNames.map { .string($0) }) }
        if !categories.isEmpty { accepted["categories"] = .array(categories.map { .string($0) }) }
        return [
            "acceptedNames": accepted,
            "conditions": [
                condition("NamesAccepted", "NoConflicts", "no conflicts found", now),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now),
            ],
            "storedVersions": .array(versions.filter(\.storage).map { .string($0.name) }),
        ]
    }
}
