import NIOConcurrencyHelpers

/// Hands out one shared copy of strings that many pods repeat (namespace, workflow name and
/// UID, node name), so that fifty thousand pods of one workflow do not hold fifty thousand
/// copies of its UID. Bounded: past `capacity` distinct strings it starts afresh, which only
/// costs sharing, never correctness.
final class StringInterner: Sendable {
    private let strings = NIOLockedValueBox(Set<String>())
    let capacity: Int

    init(capacity: Int = 100_000) { self.capacity = capacity }

    func intern(_ string: String) -> String {
        // Short strings live inside the String value itself; there is nothing to share.
        guard string.utf8.count > 15 else { return string }
        return strings.withLockedValue { set in
            if let existing = set.firstIndex(of: string) { return set[existing] }
            if set.count >= capacity { set.removeAll(keepingCapacity: true) }
            set.insert(string)
            return string
        }
    }

    static let shared = StringInterner()
}
