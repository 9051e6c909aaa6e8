import CapstanAPI
import Testing
@testable import CapstanSim

/// A deleted object's DELETED event carries it at the deletion's resourceVersion. The store
/// changes that one value in the stored JSON rather than decoding and encoding the object
/// again, so it must find `metadata.resourceVersion` and nothing else of that name.
@Suite struct ResourceVersionSpanTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var json: String
        var expected: String?
        var testDescription: String { json }
    }

    static let cases: [Case] = [
        Case(json: #"{"metadata":{"name":"p","resourceVersion":"12"}}"#,
             expected: #"{"metadata":{"name":"p","resourceVersion":"99"}}"#),
        // Annotations, labels and later fields named resourceVersion are left alone.
        Case(json: #"{"apiVersion":"v1","metadata":{"annotations":{"resourceVersion":"7"},"labels":{"x":"}\"{"},"resourceVersion":"12"},"spec":{"resourceVersion":"3"}}"#,
             expected: #"{"apiVersion":"v1","metadata":{"annotations":{"resourceVersion":"7"},"labels":{"x":"}\"{"},"resourceVersion":"99"},"spec":{"resourceVersion":"3"}}"#),
        // A field before metadata with the same name, arrays, numbers and literals stepped over.
        Case(json: #"{"resourceVersion":"1","list":[1,{"a":[true,null]},"]"],"n":-1.5e3,"metadata":{"generation":2,"resourceVersion":"12","uid":"u"}}"#,
             expected: #"{"resourceVersion":"1","list":[1,{"a":[true,null]},"]"],"n":-1.5e3,"metadata":{"generation":2,"resourceVersion":"99","uid":"u"}}"#),
        // Nothing to change: no metadata, no resourceVersion in it, or one that is not a string.
        Case(json: #"{"kind":"Pod"}"#, expected: nil),
        Case(json: #"{"metadata":{"annotations":{"resourceVersion":"7"}}}"#, expected: nil),
        Case(json: #"{"metadata":{"resourceVersion":12}}"#, expected: nil),
        Case(json: #"{"metadata":"resourceVersion"}"#, expected: nil),
    ]

    @Test(arguments: cases)
    func findsOnlyTheMetadataResourceVersion(_ test: Case) {
        let replaced = ResourceVersionSpan.replacing(in: Array(test.json.utf8), with: 99)
        #expect(replaced.map { String(decoding: $0, as: UTF8.self) } == test.expected)
    }

    /// Restamped, a stored object is what encoding it at the new version gives.
    @Test func aRestampedObjectIsTheObjectEncodedAtTheNewVersion() throws {
        var pod = Fixtures.pod("p1", labels: ["app": "x"])
        pod["metadata"]?["annotations"] = ["resourceVersion": "not this one"]
        pod["metadata"]?["resourceVersion"] = "12"
        let stored = StoredObject(value: pod, resourceVersion: 12, selectableFieldPaths: ["spec.nodeName"])
        pod["metadata"]?["resourceVersion"] = "13"
        let encoded = StoredObject(value: pod, resourceVersion: 13, selectableFieldPaths: ["spec.nodeName"])
        let restamped = try #require(stored.withResourceVersion(13))
        #expect(restamped.bytes == encoded.bytes)
        #expect(restamped.resourceVersion == 13)
        #expect(restamped.labels == encoded.labels)
        #expect(restamped.selectableFields == encoded.selectableFields)
    }
}
