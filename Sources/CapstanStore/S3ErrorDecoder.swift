/// Turns an S3 error response into a `StoreError` whose message names the request, bucket
/// and key, the server's code and message, and what to check.
enum S3ErrorDecoder {
    static func decode(_ response: HTTPExchangeResponse, for request: S3Request, endpoint: S3Endpoint) -> StoreError {
        var serverCode: String? = nil
        var serverMessage: String? = nil
        var requestID = response.header("x-amz-request-id")
        if !response.body.isEmpty, let root = try? XMLTree.parse(response.body), root.name == "Error" {
            serverCode = root.value("Code")
            serverMessage = root.value("Message")
            requestID = root.value("RequestId") ?? requestID
        }
        if serverCode == nil {
            // HEAD responses have no body; some servers name the code in a header instead.
            serverCode = response.header("x-amz-error-code") ?? fallbackCode(status: response.status, request: request)
        }
        return make(status: response.status, serverCode: serverCode, serverMessage: serverMessage,
                    requestID: requestID, request: request, endpoint: endpoint)
    }

    static func make(status: Int, serverCode: String?, serverMessage: String?, requestID: String?,
                     request: S3Request, endpoint: S3Endpoint) -> StoreError {
        let code: StoreError.Code
        var hint = ""
        switch serverCode {
        case "NoSuchKey":
            code = .noSuchKey
        case "NoSuchBucket":
            code = .noSuchBucket
            hint = "; create bucket \(request.bucket) or correct the store URL"
        case "AccessDenied":
            code = .accessDenied
            hint = "; the credentials are not allowed to \(request.method) in bucket \(request.bucket)"
        case "SignatureDoesNotMatch":
            code = .signatureDoesNotMatch
            hint = "; check AWS_SECRET_ACCESS_KEY and that this machine's clock is right"
        case "InvalidAccessKeyId":
            code = .invalidAccessKeyId
            hint = "; check AWS_ACCESS_KEY_ID (the server does not know this key)"
        case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException":
            code = .other
            hint = "; the bucket is probably in another region: set AWS_REGION to the bucket's region"
        default:
            code = .other
        }
        var message = "\(request.description): \(serverCode ?? "HTTP \(status)")"
        if let serverMessage, !serverMessage.isEmpty { message += ": \(serverMessage)" }
        message += hint
        message += " (HTTP \(status), endpoint \(endpoint)"
        if let requestID, !requestID.isEmpty { message += ", request id \(requestID)" }
        message += ")"
        return StoreError(code, message, serverCode: serverCode, httpStatus: status)
    }

    /// The code implied by a bodiless response.
    static func fallbackCode(status: Int, request: S3Request) -> String? {
        switch status {
        case 404: return request.key == nil ? "NoSuchBucket" : "NoSuchKey"
        case 403: return "AccessDenied"
        case 503: return "SlowDown"
        default: return nil
        }
    }

    /// Worth trying again: the server was overloaded or failed inside, not the request.
    static func isRetryable(_ error: StoreError) -> Bool {
        if let status = error.httpStatus, status >= 500 || status == 429 { return true }
        switch error.serverCode {
        case "SlowDown", "InternalError", "RequestTimeout", "ServiceUnavailable", "Throttling",
             "ThrottlingException":
            return true
        default:
            return false
        }
    }
}
