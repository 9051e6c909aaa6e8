import CapstanAPI
import CapstanSupport
import Foundation

/// Decodes `application/vnd.kubernetes.protobuf` bodies, which kubectl's typed commands
/// (`create namespace`, `create configmap`, `create secret`, ...) send, into the JSON the
/// server stores. Only the kinds those commands create are described; others get 415.
enum KubernetesProtobuf {
    static let mediaType = "application/vnd.kubernetes.protobuf"

    indirect enum Field {
        case string, bytes, bool, int, time
        case message(Schema)
        case stringMap, bytesMap
        case repeatedString
        case repeatedMessage(Schema)
    }

    typealias Schema = [Int: (name: String, field: Field)]

    static func decode(_ body: [UInt8]) throws(StatusError) -> JSONValue {
        guard body.count >= 4, Array(body[0..<4]) == [0x6B, 0x38, 0x73, 0x00] else {
            throw StatusError.badRequest("provided protobuf is not a Kubernetes object: missing the k8s envelope")
        }
        do {
            let envelope = try decodeMessage(body[4...], schema: [
                1: ("typeMeta", .message([1: ("apiVersion", .string), 2: ("kind", .string)])), 2: ("raw", .bytes),
            ])
            let kind = envelope["typeMeta"]?["kind"]?.stringValue ?? ""
            guard let schema = schemas[kind], case .string(let raw)? = envelope["raw"],
                  let data = Data(base64Encoded: raw) else {
                throw StatusError.unsupportedMediaType(mediaType, accepted: ["application/json", "application/yaml"])
            }
            var object = try decodeMessage(Array(data)[...], schema: schema)
            if object["metadata"]?["creationTimestamp"] == "1970-01-01T00:00:00Z" { object["metadata"]?["creationTimestamp"] = nil }
            object["apiVersion"] = envelope["typeMeta"]?["apiVersion"]
            object["kind"] = .string(kind)
            return object
        } catch let failure as ProtobufReader.Failure {
            throw StatusError.badRequest("unable to decode protobuf body: \(failure.message)")
        } catch let error as StatusError {
            throw error
        } catch {
            throw StatusError.badRequest("unable to decode protobuf body")
        }
    }

    private static func decodeMessage(_ bytes: ArraySlice<UInt8>, schema: Schema) throws -> JSONValue {
        var reader = ProtobufReader(bytes)
        var fields: [String: JSONValue] = [:]
        while !reader.isAtEnd {
            let (number, value) = try reader.nextField()
            guard let (name, field) = schema[number] else { continue }
            switch (field, value) {
            // Go's generated marshallers write empty strings that JSON would omit; so do we.
            case (.string, .bytes(let b)) where b.isEmpty: continue
            case (.string, .bytes(let b)): fields[name] = .string(String(decoding: b, as: UTF8.self))
            case (.bytes, .bytes(let b)): fields[name] = .string(Data(b).base64EncodedString())
            case (.bool, .varint(let v)): fields[name] = .bool(v != 0)
            case (.int, .varint(let v)): fields[name] = .number(Double(Int64(bitPattern: v)))
            case (.time, .bytes(let b)):
                if b.isEmpty { continue }
                let time = try decodeMessage(b, schema: [1: ("seconds", .int), 2: ("nanos", .int)])
                fields[name] = .string(UTCTime(secondsSince1970: Int64(time["seconds"]?.intValue ?? 0)).rfc3339())
            case (.message(let inner), .bytes(let b)): fields[name] = try decodeMessage(b, schema: inner)
            case (.stringMap, .bytes(let b)), (.bytesMap, .bytes(let b)):
                let isBytes = if case .bytesMap = field { true } else { false }
                let entry = try decodeMessage(b, schema: [1: ("key", .string), 2: ("value", isBytes ? .bytes : .string)])
                var map = fields[name]?.objectValue ?? [:]
                map[entry["key"]?.stringValue ?? ""] = entry["value"] ?? .string("")
                fields[name] = .object(map)
            case (.repeatedString, .bytes(let b)):
                fields[name] = .array((fields[name]?.arrayValue ?? []) + [.string(String(decoding: b, as: UTF8.self))])
            case (.repeatedMessage(let inner), .bytes(let b)):
                fields[name] = .array((fields[name]?.arrayValue ?? []) + [try decodeMessage(b, schema: inner)])
            default:
                throw ProtobufReader.Failure(message: "field \(name) has an unexpected wire type")
            }
        }
        return .object(fields)
    }

    // Field numbers from k8s.io/api and k8s.io/apimachinery generated.proto.
    private static let ownerReference: Schema = [
        1: ("kind", .string), 3: ("name", .string), 4: ("uid", .string), 5: ("apiVersion", .string),
        6: ("controller", .bool), 7: ("blockOwnerDeletion", .bool),
    ]
    private static let objectMeta: Schema = [
        1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 5: ("uid", .string),
        6: ("resourceVersion", .string), 7: ("generation", .int), 8: ("creationTimestamp", .time),
        11: ("labels", .stringMap), 12: ("annotations", .stringMap), 13: ("ownerReferences", .repeatedMessage(ownerReference)),
        14: ("finalizers", .repeatedString),
    ]
    private static let objectReference: Schema = [
        1: ("kind", .string), 2: ("namespace", .string), 3: ("name", .string), 4: ("uid", .string),
        5: ("apiVersion", .string), 6: ("resourceVersion", .string), 7: ("fieldPath", .string),
    ]
    private static let policyRule: Schema = [
        1: ("verbs", .repeatedString), 2: ("apiGroups", .repeatedString), 3: ("resources", .repeatedString),
        4: ("resourceNames", .repeatedString), 5: ("nonResourceURLs", .repeatedString),
    ]
    private static let subject: Schema = [1: ("kind", .string), 2: ("apiGroup", .string), 3: ("name", .string), 4: ("namespace", .string)]
    private static let roleRef: Schema = [1: ("apiGroup", .string), 2: ("kind", .string), 3: ("name", .string)]

    private static let schemas: [String: Schema] = [
        "Namespace": [1: ("metadata", .message(objectMeta)), 2: ("spec", .message([1: ("finalizers", .repeatedString)]))],
        "ConfigMap": [1: ("metadata", .message(objectMeta)), 2: ("data", .stringMap), 3: ("binaryData", .bytesMap),
                      4: ("immutable", .bool)],
        "Secret": [1: ("metadata", .message(objectMeta)), 2: ("data", .bytesMap), 3: ("type", .string),
                   4: ("stringData", .stringMap), 5: ("immutable", .bool)],
        "ServiceAccount": [1: ("metadata", .message(objectMeta)), 2: ("secrets", .repeatedMessage(objectReference)),
                           3: ("imagePullSecrets", .repeatedMessage([1: ("name", .string)])),
                           4: ("automountServiceAccountToken", .bool)],
        "Role": [1: ("metadata", .message(objectMeta)), 2: ("rules", .repeatedMessage(policyRule))],
        "ClusterRole": [1: ("metadata", .message(objectMeta)), 2: ("rules", .repeatedMessage(policyRule))],
        "RoleBinding": [1: ("metadata", .message(objectMeta)), 2: ("subjects", .repeatedMessage(subject)),
                        3: ("roleRef", .message(roleRef))],
        "ClusterRoleBinding": [1: ("metadata", .message(objectMeta)), 2: ("subjects", .repeatedMessage(subject)),
                               3: ("roleRef", .message(roleRef))],
    ]
}
