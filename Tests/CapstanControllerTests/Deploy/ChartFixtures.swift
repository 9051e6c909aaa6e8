import Foundation

/// Renders charts/capstan with the real helm binary.
enum Chart {
    static let path = RepositoryLayout.path("charts/capstan")

    /// Values that turn on every optional part of the chart, the way an EKS install would.
    static let everythingValues = """
        store:
          url: s3://ml-artifacts/capstan
          region: eu-west-1
          endpoint: https://s3.eu-west-1.amazonaws.com
          credentials:
            secretName: capstan-s3
        serviceAccount:
          roleArn: arn:aws:iam::111122223333:role/capstan-controller
          annotations:
            example.com/owner: ml-platform
        spot:
          nodeSelector:
            eks.amazonaws.com/capacityType: SPOT
          tolerations:
            - {key: spot, operator: Equal, value: "true", effect: NoSchedule}
            - {key: example.com/preemptible, operator: Exists, effect: NoExecute}
        watchNamespace: ml
        logFormat: text
        logLevel: debug
        workers: 64
        kubeQPS: 200
        kubeBurst: 400
        systemRetries: 5
        logLinks:
          cloudwatch: "https://console.aws.amazon.com/cloudwatch/home#logsV2:log-groups/log-group/$252Faws$252Fcontainerinsights$252Fml$252Fapplication/log-events$3FfilterPattern$3D$2522{pod}$2522"
          loki: "https://grafana.example.com/explore?left=%7B%22queries%22:%5B%7B%22expr%22:%22%7Bpod%3D%5C%22{pod}%5C%22%7D%22%7D%5D%7D"
        defaultTTL: 168h
        serviceMonitor:
          enabled: true
          labels: {release: kube-prometheus-stack}
        prometheusRule:
          enabled: true
          extraRules:
            - alert: CapstanNoWorkflowsSucceeded
              expr: sum(increase(capstan_workflow_duration_seconds_count{phase="Succeeded"}[6h])) == 0
              labels: {severity: info}
        podDisruptionBudget:
          enabled: true
        """

    /// `helm template capstan charts/capstan -n capstan-system` with extra arguments; the output
    /// must be successful and is parsed into objects.
    static func render(_ extraArguments: [String] = []) async throws -> (ManifestDocuments, ProcessOutput) {
        let output = try await runProcess(
            try DeployTool.helm(),
            ["template", "capstan", path, "--namespace", "capstan-system"] + extraArguments
        )
        guard output.status == 0 else { return (ManifestDocuments(objects: []), output) }
        return (try ManifestDocuments(yaml: output.stdout), output)
    }

    /// Writes values to a temporary file for `helm --values`.
    static func valuesFile(_ yaml: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("capstan-values-\(UUID().uuidString).yaml")
        try yaml.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
