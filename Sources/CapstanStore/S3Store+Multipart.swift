extension S3Store {
    /// Uploads `bytes` in parts of `partSize`, a few at a time, then completes the upload.
    /// On failure the upload is aborted so that its parts do not linger (and cost money).
    func putMultipart(_ objectKey: String, _ bytes: [UInt8], contentType: String) async throws {
        let configuration = client.configuration
        let created = try await client.send(S3Request(
            method: "POST", bucket: bucket, key: objectKey, query: [("uploads", "")],
            headers: [("Content-Type", contentType)]))
        guard let uploadID = try? XMLTree.parse(created.body).value("UploadId"), !uploadID.isEmpty else {
            throw StoreError(.other, "POST s3://\(bucket)/\(objectKey)?uploads: the response has no UploadId")
        }
        do {
            let partSize = max(configuration.partSize, 5 * 1024 * 1024)
            let ranges = stride(from: 0, to: bytes.count, by: partSize).map { $0..<min($0 + partSize, bytes.count) }
            var etags = [String](repeating: "", count: ranges.count)
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0
                func startNext() {
                    let index = next
                    next += 1
                    let part = Array(bytes[ranges[index]])
                    group.addTask {
                        let response = try await client.send(S3Request(
                            method: "PUT", bucket: bucket, key: objectKey,
                            query: [("partNumber", String(index + 1)), ("uploadId", uploadID)], body: part))
                        guard let etag = response.header("ETag") else {
                            throw StoreError(.other, "PUT s3://\(bucket)/\(objectKey) part \(index + 1): the response has no ETag")
                        }
                        return (index, etag)
                    }
                }
                while next < ranges.count && next < configuration.multipartConcurrency { startNext() }
                while let (index, etag) = try await group.next() {
                    etags[index] = etag
                    if next < ranges.count { startNext() }
                }
            }
            let parts = etags.enumerated().map { index, etag in
                "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(xmlEscape(etag))</ETag></Part>"
            }.joined()
            let completion = Array("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\(parts)</CompleteMultipartUpload>".utf8)
            try await complete(objectKey, uploadID: uploadID, body: completion)
        } catch {
            _ = try? await client.send(S3Request(method: "DELETE", bucket: bucket, key: objectKey,
                                                 query: [("uploadId", uploadID)]))
            throw error
        }
    }

    /// CompleteMultipartUpload can answer 200 and still fail, with an <Error> body sent after
    /// the status line went out; such an answer is retried like a 5xx when its code says so.
    private func complete(_ objectKey: String, uploadID: String, body: [UInt8]) async throws {
        let request = S3Request(method: "POST", bucket: bucket, key: objectKey,
                                query: [("uploadId", uploadID)],
                                headers: [("Content-Type", "application/xml")], body: body)
        var attempt = 0
        while true {
            attempt += 1
            let response = try await client.send(request)
            guard let root = try? XMLTree.parse(response.body), root.name == "Error" else { return }
            let error = S3ErrorDecoder.make(status: response.status, serverCode: root.value("Code"),
                                            serverMessage: root.value("Message"), requestID: root.value("RequestId"),
                                            request: request, endpoint: client.configuration.endpoint)
            guard S3ErrorDecoder.isRetryable(error), attempt < client.configuration.retry.maxAttempts else { throw error }
            try await client.sleep(client.configuration.retry.delay(beforeRetry: attempt, random: client.random()))
        }
    }
}
