/// Checks a key before it reaches a store, so both stores accept exactly the same keys and a
/// file store can never write outside its folder.
enum StoreKeyRules {
    static func validate(_ key: String, in store: StoreURL) throws {
        func reject(_ reason: String) -> StoreError {
            StoreError(.invalidArgument, "key \"\(key)\" in \(store): \(reason)")
        }
        if key.isEmpty { throw reject("a key must not be empty") }
        if key.hasPrefix("/") { throw reject("a key is relative and must not start with '/'") }
        if key.utf8.count > 1024 { throw reject("a key must be at most 1024 bytes") }
        if key.utf8.contains(0) { throw reject("a key must not contain NUL") }
        if key.hasSuffix("/") { throw reject("a key must not end with '/'") }
        for part in key.split(separator: "/", omittingEmptySubsequences: false) {
            if part.isEmpty { throw reject("empty path segments ('//') are not allowed") }
            if part == "." || part == ".." { throw reject("'.' and '..' are not allowed as path segments") }
        }
    }
}
