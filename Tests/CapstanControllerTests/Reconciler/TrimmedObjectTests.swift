import CapstanAPI
@testable import CapstanController
import Testing

@Suite struct TrimmedObjectTests {
    /// The informer's copy of a Workflow leaves out managedFields and kubectl's copy of the
    /// applied object, and keeps every other annotation and field.
    @Test func keepLeavesOutOnlyTheUnreadMetadata() throws {
        let object: JSONValue = [
            "metadata": [
                "name": "w", "managedFields": [["manager": "kubectl"]],
                "annotations": ["kubectl.kubernetes.io/last-applied-configuration": "{}", "team": "ml"],
            ],
            "spec": ["nodes": []],
        ]
        let kept = try #require(TrimmedObject.keep(object))
        #expect(kept["metadata"] == ["name": "w", "annotations": ["team": "ml"]])
        #expect(kept["spec"] == ["nodes": []])
        #expect(TrimmedObject.keep(["spec": [:]]) == nil, "an object without metadata is not kept")
    }
}
