/// S3's listing rules, applied in memory: which keys match a prefix, how a delimiter rolls
/// keys up into common prefixes, and the byte order results come in.
enum ListingRollup {
    /// S3 orders keys by their UTF-8 bytes, which differs from Swift's `String` `<`
    /// (that compares by Unicode scalars after normalization).
    static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func apply(to candidates: [ObjectSummary], prefix: String, delimiter: String?) -> ObjectListing {
        var objects: [ObjectSummary] = []
        var prefixes = Set<String>()
        for object in candidates where object.key.hasPrefix(prefix) {
            let rest = object.key.dropFirst(prefix.count)
            if let delimiter, !delimiter.isEmpty, let end = endOfFirst(delimiter, in: rest) {
                prefixes.insert(prefix + rest[..<end])
            } else {
                objects.append(object)
            }
        }
        objects.sort { byteOrder($0.key, $1.key) }
        return ObjectListing(objects: objects, commonPrefixes: prefixes.sorted(by: byteOrder))
    }

    /// The index just past the first occurrence of `needle` in `text`.
    static func endOfFirst(_ needle: String, in text: Substring) -> Substring.Index? {
        var index = text.startIndex
        while index < text.endIndex {
            let rest = text[index...]
            if rest.hasPrefix(needle) { return text.index(index, offsetBy: needle.count) }
            index = text.index(after: index)
        }
        return nil
    }
}
