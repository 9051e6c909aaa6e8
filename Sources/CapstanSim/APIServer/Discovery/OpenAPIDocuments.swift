import CapstanAPI

/// The OpenAPI documents `kubectl apply` fetches. v3 is per group-version and carries, for
/// every resource, PATCH operations that advertise `fieldValidation` (so kubectl leaves
/// validation to the server) and the media types the server accepts, plus the schema of
/// each custom resource taken from its CRD. Built-in schemas are open objects.
struct OpenAPIDocuments: Sendable {
    let registry: ResourceRegistry

    func v2() -> JSONValue {
        var definitions: [String: JSONValue] = [:]
        for (group, versions) in registry.groups() {
            for version in versions {
                for type in registry.resources(in: GroupVersion(group: group, version: version)) {
                    definitions[Self.schemaName(type)] = schema(for: type)
                }
            }
        }
        return ["swagger": "2.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": [:],
                "definitions": .object(definitions)]
    }

    /// The content type of the protobuf form, as kube-apiserver labels it.
    static let v2ProtobufMediaType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    /// `/openapi/v2` as client-go reads it: a gnostic `openapi.v2.Document` in protobuf.
    /// kubectl 1.32 validates with the v3 documents and turns to this one only for a
    /// group-version the v3 index lacks — a kind the server does not serve — so it carries
    /// no definitions: validation lets the object through and kubectl then reports the
    /// missing kind, as it does against a real API server.
    func v2Protobuf() -> [UInt8] {
        var document = ProtobufWriter()
        document.string(1, "2.0")
        document.message(2) { info in
            info.string(1, "Kubernetes")
            info.string(2, "v1.32.0")
        }
        return document.bytes
    }

    func v3Root() -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (group, versions) in registry.groups() {
            for version in versions {
                let gv = GroupVersion(group: group, version: version)
                let path = Self.path(of: gv)
                let hash = Self.hash(v3(gv).serialized())
                paths[path] = ["serverRelativeURL": .string("/openapi/v3/\(path)?hash=\(hash)")]
            }
        }
        return ["paths": .object(paths)]
    }

    /// The document for `api/v1` or `apis/GROUP/VERSION`.
    func v3(path: String) -> JSONValue? {
        let parts = path.split(separator: "/").map(String.init)
        let gv: GroupVersion
        if parts.count == 2 && parts[0] == "api" {
            gv = GroupVersion(group: "", version: parts[1])
        } else if parts.count == 3 && parts[0] == "apis" {
            gv = GroupVersion(group: parts[1], version: parts[2])
        } else {
            return nil
        }
        guard registry.isServed(gv) else { return nil }
        return v3(gv)
    }

    private func v3(_ gv: GroupVersion) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        for type in registry.resources(in: gv) {
            let name = Self.schemaName(type)
            var schema = schema(for: type)
            schema["x-kubernetes-group-version-kind"] = [gvk(type)]
            schemas[name] = schema
            let base = "/" + Self.path(of: gv) + (type.namespaced ? "/namespaces/{namespace}/" : "/") + type.plural
            let reference: JSONValue = ["$ref": .string("#/components/schemas/\(name)")]
            paths[base] = ["get": operation(type, action: "list", body: nil),
                           "post": operation(type, action: "post", body: ["application/json": ["schema": reference]])]
            var item: JSONValue = ["get": operation(type, action: "get", body: nil),
                                   "put": operation(type, action: "put", body: ["application/json": ["schema": reference]]),
                                   "delete": operation(type, action: "delete", body: nil)]
            var patchBodies: [String: JSONValue] = [:]
            for mediaType in type.patchTypes where mediaType != "application/strategic-merge-patch+json" {
                patchBodies[mediaType] = ["schema": ["type": "object"]]
            }
            item["patch"] = operation(type, action: "patch", body: .object(patchBodies))
            paths[base + "/{name}"] = item
            if type.hasStatus {
                paths[base + "/{name}/status"] = ["patch": operation(type, action: "patch", body: .object(patchBodies))]
            }
        }
        return ["openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"], "paths": .object(paths),
                "components": ["schemas": .object(schemas)]]
    }

    private func gvk(_ type: ServedResource) -> JSONValue {
        ["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]
    }

    private func operation(_ type: ServedResource, action: String, body: JSONValue?) -> JSONValue {
        var parameters: [JSONValue] = [
            ["name": "dryRun", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
            ["name": "fieldManager", "in": "query", "schema": ["type": "string", "uniqueItems": true]],
        ]
        if ["post", "put", "patch"].contains(action) {
            parameters.append(["name": "fieldValidation", "in": "query", "schema": ["type": "string", "uniqueItems": true]])
        }
        var op: JSONValue = [
            "operationId": .string("\(action)\(type.kind)"),
            "parameters": .array(parameters),
            "responses": ["200": ["description": "OK"]],
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk(type),
        ]
        if let body { op["requestBody"] = ["content": body, "required": true] }
        return op
    }

    private func schema(for type: ServedResource) -> JSONValue {
        if type.isCustom, let definition = registry.customDefinitions().first(where: { $0.group == type.group && $0.plural == type.plural }),
           let version = definition.versions.first(where: { $0.name == type.version }), var schema = version.schema
        {
            var properties = schema["properties"]?.objectValue ?? [:]
            properties["apiVersion"] = ["type": "string"]
            properties["kind"] = ["type": "string"]
            properties["metadata"] = ["type": "object"]
            schema["properties"] = .object(properties)
            return schema
        }
        return ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
    }

    /// `io.k8s.api.core.v1.Pod` style names: the group reversed, then version and kind.
    static func schemaName(_ type: ServedResource) -> String {
        let group = type.group.isEmpty ? "core" : type.group
        let reversed = group.split(separator: ".").reversed().joined(separator: ".")
        return "\(reversed).\(type.version).\(type.kind)"
    }

    static func path(of gv: GroupVersion) -> String {
        gv.group.isEmpty ? "api/\(gv.version)" : "apis/\(gv.group)/\(gv.version)"
    }

    /// FNV-1a, hex: stable across runs, changes when the document does.
    static func hash(_ bytes: [UInt8]) -> String {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(value, radix: 16).uppercased()
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
