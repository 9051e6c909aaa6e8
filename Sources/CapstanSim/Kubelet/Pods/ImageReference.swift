/// An image name as the kubelet and containerd spell it: `busybox:1.36` with its default
/// tag (`:latest` when none), and fully qualified (`docker.io/library/busybox:1.36`).
struct ImageReference: Sendable, Hashable {
    var image: String

    init(_ image: String) { self.image = image }

    /// The repository without tag or digest, with Docker Hub's registry and `library/`.
    var repository: String {
        var repository = image.split(separator: "@").first.map(String.init) ?? image
        if let colon = repository.lastIndex(of: ":"), !repository[colon...].contains("/") {
            repository = String(repository[..<colon])
        }
        if !repository.contains("/") { repository = "library/" + repository }
        if repository.split(separator: "/").first.map({ !$0.contains(".") && !$0.contains(":") && $0 != "localhost" }) ?? true {
            repository = "docker.io/" + repository
        }
        return repository
    }

    /// The kubelet's `applyDefaultImageTag`: `:latest` unless a tag or digest is given.
    var withTag: String {
        let last = image.split(separator: "/").last ?? ""
        return image.contains("@") || last.contains(":") ? image : image + ":latest"
    }

    /// What containerd resolves: the full repository and the tag or digest.
    var normalized: String {
        let reference = withTag
        if let at = reference.firstIndex(of: "@") { return repository + reference[at...] }
        let tag = reference.split(separator: "/").last?.split(separator: ":").last ?? "latest"
        return "\(repository):\(tag)"
    }
}
