import Testing
/// Vectors from AWS's Signature Version 4 test suite (aws-sig-v4-test-suite, as published in
/// the AWS General Reference and mirrored in SDK repositories). Each holds the request from the
/// `.req` file and the expected `.creq`, `.sts` and `.authz` contents where the suite has them.
struct SigV4Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var path: String
    var query: [(String, String)] = []
    var headers: [(String, String)]
    var body: String = ""
    var canonicalRequest: String?
    var stringToSign: String?
    var authorization: String

    var testDescription: String { name }
}

enum SigV4Suite {
    static let accessKey = "AKIDEXAMPLE"
    static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
    static let region = "us-east-1"
    static let service = "service"
    static let date = "20150830T123600Z"
    static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let baseHeaders = [("Host", "example.amazonaws.com"), ("X-Amz-Date", "20150830T123600Z")]
    static let scopeLine = "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
    static let credential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
    static let stsToken = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="

    static let vectors: [SigV4Vector] = [
        SigV4Vector(
            name: "get-vanilla", method: "GET", path: "/", headers: baseHeaders,
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptyHash,
            stringToSign: scopeLine + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        // The suite's get-vanilla-query request carries no query string; its signature equals get-vanilla's.
        SigV4Vector(
            name: "get-vanilla-query", method: "GET", path: "/", headers: baseHeaders,
            canonicalRequest: "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptyHash,
            stringToSign: scopeLine + "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SigV4Vector(
            name: "get-vanilla-query-order-key", method: "GET", path: "/",
            query: [("Param1", "value2"), ("Param1", "Value1")], headers: baseHeaders,
            canonicalRequest: "GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptyHash,
            stringToSign: scopeLine + "704b4cef673542d84cdff252633f065e8daeba5f168b77116f8b1bcaf3d38f89",
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        SigV4Vector(
            name: "get-vanilla-query-order-value", method: "GET", path: "/",
            query: [("Param1", "value2"), ("Param1", "value1")], headers: baseHeaders,
            canonicalRequest: "GET\n/\nParam1=value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" + emptyHash,
            stringToSign: scopeLine + "c968629d70850097a2d8781c9bf7edcb988b04cac14cca9be4acc3595f884606",
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"),
        SigV4Vector(
            name: "get-vanilla-query-order-key-case", method: "GET", path: "/",
            query: [("Param2", "value2"), ("Param1", "value1")], headers: baseHeaders,
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        SigV4Vector(
            name: "get-vanilla-empty-query-key", method: "GET", path: "/",
            query: [("Param1", "value1")], headers: baseHeaders,
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        SigV4Vector(
            name: "get-vanilla-utf8-query", method: "GET", path: "/",
            query: [("ሴ", "bar")], headers: baseHeaders,
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        SigV4Vector(
            name: "get-unreserved", method: "GET",
            path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", headers: baseHeaders,
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        SigV4Vector(
            name: "get-utf8", method: "GET", path: "/ሴ", headers: baseHeaders,
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        SigV4Vector(
            name: "post-vanilla", method: "POST", path: "/", headers: baseHeaders,
            authorization: credential + "SignedHeaders=host;x-amz-date, Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SigV4Vector(
            name: "post-header-value-case", method: "POST", path: "/",
            headers: baseHeaders + [("My-Header1", "VALUE1")],
            authorization: credential + "SignedHeaders=host;my-header1;x-amz-date, Signature=cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        SigV4Vector(
            name: "post-sts-header-before", method: "POST", path: "/",
            headers: baseHeaders + [("X-Amz-Security-Token", stsToken)],
            authorization: credential + "SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        SigV4Vector(
            name: "post-x-www-form-urlencoded", method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded")] + baseHeaders,
            body: "Param1=value1",
            canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            stringToSign: scopeLine + "42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281",
            authorization: credential + "SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
        SigV4Vector(
            name: "post-x-www-form-urlencoded-parameters", method: "POST", path: "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf8")] + baseHeaders,
            body: "Param1=value1",
            canonicalRequest: "POST\n/\n\ncontent-type:application/x-www-form-urlencoded; charset=utf8\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\ncontent-type;host;x-amz-date\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e",
            stringToSign: scopeLine + "2e1cf7ed91881a30569e46552437e4156c823447bf1781b921b5d486c568dd1c",
            authorization: credential + "SignedHeaders=content-type;host;x-amz-date, Signature=1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe"),
    ]
}
