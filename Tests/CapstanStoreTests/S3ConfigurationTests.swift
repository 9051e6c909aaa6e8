@testable import CapstanStore
import Testing

@Suite struct S3ConfigurationTests {
    @Test func endpointAndRegionComeFromTheStandardVariablesInOrder() throws {
        let both = try S3Configuration.fromEnvironment([
            "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:8333", "AWS_ENDPOINT_URL": "http://other:1",
            "AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "us-west-2",
        ], bucket: "b")
        #expect(both.endpoint.description == "http://127.0.0.1:8333")
        #expect(both.endpoint.addressing == .path)
        #expect(both.region == "eu-central-1")

        let general = try S3Configuration.fromEnvironment(["AWS_ENDPOINT_URL": "https://minio.local", "AWS_DEFAULT_REGION": "us-west-2"], bucket: "b")
        #expect(general.endpoint.description == "https://minio.local")
        #expect(general.region == "us-west-2")

        let aws = try S3Configuration.fromEnvironment([:], bucket: "bucket")
        #expect(aws.endpoint.description == "https://s3.us-east-1.amazonaws.com")
        #expect(aws.endpoint.addressing == .virtualHosted)
        #expect(aws.region == "us-east-1")

        let dotted = try S3Configuration.fromEnvironment(["AWS_REGION": "ap-south-1"], bucket: "my.bucket")
        #expect(dotted.endpoint.addressing == .path)
        #expect(dotted.endpoint.description == "https://s3.ap-south-1.amazonaws.com")

        let forced = try S3Configuration.fromEnvironment(["AWS_ENDPOINT_URL_S3": "http://h:1", "CAPSTAN_S3_ADDRESSING": "virtual"], bucket: "b")
        #expect(forced.endpoint.addressing == .virtualHosted)
    }

    @Test(arguments: ["ftp://host", "http://", "http://host:0", "http://host:99999", "host:9000"])
    func rejectsMalformedEndpoints(text: String) {
        let error = #expect(throws: StoreError.self) {
            try S3Configuration.fromEnvironment(["AWS_ENDPOINT_URL_S3": text], bucket: "b")
        }
        #expect(error?.message.contains("S3 endpoint \(text)") == true)
    }

    @Test func credentialsComeFromKeysThenWebIdentity() throws {
        #expect(try CredentialsSource.from(environment: [
            "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "SK", "AWS_SESSION_TOKEN": "ST",
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
        ]) == .keys(AWSCredentials(accessKeyId: "AK", secretAccessKey: "SK", sessionToken: "ST")))
        #expect(try CredentialsSource.from(environment: [
            "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r",
        ]) == .webIdentity(tokenFile: "/t", roleArn: "arn:aws:iam::1:role/r", sessionName: "capstan"))
    }

    @Test(arguments: [
        // Instance metadata is the fallback for nothing set; only with it off is that known at open.
        (["AWS_EC2_METADATA_DISABLED": "true"], "no S3 credentials: none of AWS_ACCESS_KEY_ID"),
        (["AWS_ACCESS_KEY_ID": "AK"], "AWS_SECRET_ACCESS_KEY is not"),
        (["AWS_WEB_IDENTITY_TOKEN_FILE": "/t"], "AWS_ROLE_ARN is not"),
    ])
    func missingCredentialsFailAtOpenWithTheVariablesToSet(environment: [String: String], reason: String) {
        let error = #expect(throws: StoreError.self) {
            try ObjectStores.open("s3://bucket/prefix", environment: environment)
        }
        #expect(error?.code == .credentials)
        #expect(error?.message.contains(reason) == true)
    }

    @Test func theFactoryPicksTheStoreByScheme() async throws {
        let folder = try ScratchFolder.make()
        defer { ScratchFolder.remove(folder) }
        let file = try ObjectStores.open("file://" + folder, environment: [:])
        #expect(file.url.description == "file://" + folder)
        #expect((file as? MeteredObjectStore)?.base is FileStore)

        let s3 = try ObjectStores.open("s3://bucket/p", environment: ["AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"])
        #expect((s3 as? MeteredObjectStore)?.base is S3Store)
        #expect(s3.url.uri(for: "k") == "s3://bucket/p/k")
        try await s3.shutdown()
    }
}
