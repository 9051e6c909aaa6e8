import CapstanAPI

/// Objects the sim tests apply: the Workflow CRD as SPEC §1 describes it, and small objects.
enum Fixtures {
    static let workflowCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: workflows.capstan.dev
        spec:
          group: capstan.dev
          names: {kind: Workflow, listKind: WorkflowList, plural: workflows, singular: workflow, shortNames: [cwf]}
          scope: Namespaced
          versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources: {status: {}}
            additionalPrinterColumns:
            - {name: Phase, type: string, jsonPath: .status.phase}
            - {name: Progress, type: string, jsonPath: .status.progress}
            - {name: Age, type: date, jsonPath: .metadata.creationTimestamp}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  status: {type: object, x-kubernetes-preserve-unknown-fields: true}

        """

    static func workflow(_ name: String, namespace: String = "default") -> String {
        """
        apiVersion: capstan.dev/v1alpha1
        kind: Workflow
        metadata:
          name: \(name)
          namespace: \(namespace)
        spec:
          nodes:
          - name: hello
            command: [echo, hi]

        """
    }

    static func workflowJSON(_ name: String) -> JSONValue {
        ["apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
         "metadata": ["name": .string(name)],
         "spec": ["nodes": [["name": "hello", "command": ["echo", "hi"]]]]]
    }

    static func pod(_ name: String, labels: [String: String] = [:], owner: (name: String, uid: String)? = nil) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name),
                                   "labels": .object(labels.mapValues { .string($0) })]
        if let owner {
            metadata["ownerReferences"] = [["apiVersion": "capstan.dev/v1alpha1", "kind": "Workflow",
                                            "name": .string(owner.name), "uid": .string(owner.uid),
                                            "controller": true, "blockOwnerDeletion": true]]
        }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": metadata,
                "spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "busybox:1.36"]]]]
    }
}

extension Fixtures {
    /// `pod(name)` with its `main` container changed by `change`.
    static func pod(_ name: String, main change: (inout JSONValue) -> Void) -> JSONValue {
        var pod = Fixtures.pod(name)
        var container = pod["spec"]?["containers"]?[0] ?? [:]
        change(&container)
        pod["spec"]?["containers"] = [container]
        return pod
    }

    /// A Workflow CRD with a structural schema, to check pruning, defaults and validation.
    static let schemaCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: workflows.capstan.dev
        spec:
          group: capstan.dev
          names: {kind: Workflow, plural: workflows, shortNames: [cwf]}
          scope: Namespaced
          versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                type: object
                properties:
                  spec:
                    type: object
                    required: [nodes]
                    properties:
                      parallelism: {type: integer, minimum: 1}
                      failurePolicy: {type: string, enum: [FailFast, Continue], default: FailFast}
                      nodes:
                        type: array
                        items:
                          type: object
                          properties:
                            name: {type: string}
                            command: {type: array, items: {type: string}}
                  status:
                    type: object
                    properties:
                      phase: {type: string}

        """
}
