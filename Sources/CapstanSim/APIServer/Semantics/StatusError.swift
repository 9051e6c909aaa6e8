import CapstanAPI

/// A failed API call, rendered as the `Status` object kube-apiserver would send.
/// Messages follow kube-apiserver's wording so that clients matching on them behave alike.
struct StatusError: Error, Sendable {
    var code: Int
    var reason: String
    var message: String
    var details: JSONValue?
    var retryAfterSeconds: Int?

    var status: JSONValue {
        var object: JSONValue = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:],
            "status": "Failure", "message": .string(message), "code": .number(Double(code)),
        ]
        // `reason` is omitempty in metav1.Status: errors kube cannot classify carry none.
        if !reason.isEmpty { object["reason"] = .string(reason) }
        if let details { object["details"] = details }
        return object
    }

    static func details(name: String?, groupResource: GroupResource, causes: [JSONValue] = []) -> JSONValue {
        var details: JSONValue = ["kind": .string(groupResource.resource)]
        if let name { details["name"] = .string(name) }
        if !groupResource.group.isEmpty { details["group"] = .string(groupResource.group) }
        if !causes.isEmpty { details["causes"] = .array(causes) }
        return details
    }

    static func notFound(_ resource: GroupResource, _ name: String) -> StatusError {
        StatusError(code: 404, reason: "NotFound", message: "\(resource) \"\(name)\" not found",
                    details: details(name: name, groupResource: resource))
    }

    static func alreadyExists(_ resource: GroupResource, _ name: String) -> StatusError {
        StatusError(code: 409, reason: "AlreadyExists", message: "\(resource) \"\(name)\" already exists",
                    details: details(name: name, groupResource: resource))
    }

    static func conflict(_ resource: GroupResource, _ name: String) -> StatusError {
        StatusError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(resource) \"\(name)\": the object has been modified; "
                + "please apply your changes to the latest version and try again",
            details: details(name: name, groupResource: resource))
    }

    static func conflict(_ resource: GroupResource, _ name: String, reason: String) -> StatusError {
        StatusError(code: 409, reason: "Conflict",
                    message: "Operation cannot be fulfilled on \(resource) \"\(name)\": \(reason)",
                    details: details(name: name, groupResource: resource))
    }

    /// One invalid field, worded as kube's field.ErrorList: `KIND.GROUP "NAME" is invalid: FIELD: REASON`.
    static func invalid(_ resource: GroupResource, kind: String, name: String, field: String, message: String,
                        causeReason: String = "FieldValueInvalid") -> StatusError {
        invalid(resource, kind: kind, name: name, errors: [FieldError(field: field, reason: causeReason, body: message)])
    }

    static func badRequest(_ message: String) -> StatusError {
        StatusError(code: 400, reason: "BadRequest", message: message)
    }

    static func methodNotAllowed(_ message: String) -> StatusError {
        StatusError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> StatusError {
        StatusError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: "
                + accepted.joined(separator: ", "))
    }

    static func notAcceptable(_ message: String) -> StatusError {
        StatusError(code: 406, reason: "NotAcceptable", message: message)
    }

    static func expired(_ message: String) -> StatusError {
        StatusError(code: 410, reason: "Expired", message: message)
    }

    static func gone(_ message: String) -> StatusError {
        StatusError(code: 410, reason: "Gone", message: message)
    }

    static func forbidden(_ resource: GroupResource, _ name: String, _ message: String) -> StatusError {
        StatusError(code: 403, reason: "Forbidden", message: "\(resource) \"\(name)\" is forbidden: \(message)",
                    details: details(name: name, groupResource: resource))
    }

    static func tooManyRequests(retryAfter: Int) -> StatusError {
        StatusError(code: 429, reason: "TooManyRequests",
                    message: "the server has received too many requests and has asked us to try again later",
                    details: ["retryAfterSeconds": .number(Double(retryAfter))], retryAfterSeconds: retryAfter)
    }

    static func internalError(_ message: String) -> StatusError {
        StatusError(code: 500, reason: "InternalError",
                    message: "Internal error occurred: \(message)",
                    details: ["causes": [["message": .string(message)]]])
    }

    /// etcd refusing a write over its request limit: kube-apiserver passes the error on
    /// unconverted, as a 500 with no reason and etcd's own words.
    static let etcdRequestTooLarge = StatusError(code: 500, reason: "", message: "etcdserver: request is too large")

    /// kube's answer for a path no group/version/resource matches.
    static func pathNotFound() -> StatusError {
        StatusError(code: 404, reason: "NotFound", message: "the server could not find the requested resource",
                    details: ["causes": [["reason": "UnexpectedServerResponse", "message": "404 page not found"]]])
    }
}
