/// How one task attempt (one pod) ended, the `result` label of `capstan_node_attempts_total`.
/// Every finished attempt has exactly one result, so the results sum to the attempts finished.
public enum NodeAttemptResult: String, Sendable, Hashable, CaseIterable {
    /// The pod succeeded and its outputs were read.
    case succeeded
    /// The attempt failed and another attempt follows (a user or system retry; see `RetryKind`).
    case retried
    /// The attempt failed and no retry is left: the node failed.
    case failed
    /// The controller stopped the attempt: abort, FailFast, the workflow's deadline.
    case aborted
}

/// The `kind` label of `capstan_retries_total`.
public enum RetryKind: String, Sendable, Hashable, CaseIterable {
    /// The task itself failed (exit code, OOMKilled, timeout, ...); spends one of the node's `retries`.
    case user
    /// The cluster's fault (eviction, preemption, lost node, deleted pod); spends `--system-retries`.
    case system
}

/// The `result` label of `capstan_cache_lookups_total`.
public enum CacheLookupResult: String, Sendable, Hashable, CaseIterable {
    case hit, miss
}
