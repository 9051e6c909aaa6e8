import CapstanAPI

/// A resource's storage identity: objects of all versions of one group and plural share it.
struct GroupResource: Sendable, Hashable, CustomStringConvertible {
    var group: String
    var resource: String

    /// `workflows.capstan.dev`, or just `pods` for the core group: the form kube puts in messages.
    var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

struct GroupVersion: Sendable, Hashable, CustomStringConvertible {
    var group: String
    var version: String

    var description: String { group.isEmpty ? version : "\(group)/\(version)" }
}

/// A column that `kubectl get` shows, from a CRD's `additionalPrinterColumns` or a built-in printer.
struct PrinterColumn: Sendable, Hashable {
    var name: String
    var type: String
    var format: String = ""
    var description: String = ""
    var jsonPath: String
    var priority: Int = 0
}

/// Everything the server knows about one served resource in one version.
struct ServedResource: Sendable, Hashable {
    var group: String
    var version: String
    var plural: String
    var singular: String
    var kind: String
    var namespaced: Bool
    var shortNames: [String] = []
    var categories: [String] = []
    var hasStatus: Bool = false
    /// Built-in kinds accept strategic merge patches; custom resources do not, as in kube.
    var isCustom: Bool = false
    /// Custom resources refuse updates without a resourceVersion; most built-ins allow them.
    var allowsUnconditionalUpdate: Bool = true
    var printerColumns: [PrinterColumn] = []

    var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }
    var groupResource: GroupResource { GroupResource(group: group, resource: plural) }
    var apiVersion: String { groupVersion.description }
    var listKind: String { kind + "List" }

    var verbs: [String] {
        ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    }

    /// Media types a PATCH for this resource may use.
    var patchTypes: [String] {
        var types = ["application/json-patch+json", "application/merge-patch+json"]
        if !isCustom { types.append("application/strategic-merge-patch+json") }
        types.append("application/apply-patch+yaml")
        return types
    }
}
