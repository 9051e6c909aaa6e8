import CapstanAPI

/// Builds list and watch-event JSON by splicing the stored bytes of each object, so a list of
/// 50,000 pods costs copies, not re-encoding.
enum ListEncoding {
    static func list(_ page: ResourceOperations.ListPage, type: ServedResource) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(page.items.reduce(256) { $0 + $1.bytes.count + 1 })
        out.append(contentsOf: Array("{\"apiVersion\":".utf8))
        JSONValue.string(type.apiVersion).write(into: &out)
        out.append(contentsOf: Array(",\"items\":[".utf8))
        for (index, item) in page.items.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: item.bytes)
        }
        out.append(contentsOf: Array("],\"kind\":".utf8))
        JSONValue.string(type.listKind).write(into: &out)
        var metadata: JSONValue = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .number(Double(remaining)) }
        out.append(contentsOf: Array(",\"metadata\":".utf8))
        metadata.write(into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func watchEvent(type: String, objectBytes: [UInt8], into out: inout [UInt8]) {
        out.append(contentsOf: Array("{\"type\":\"".utf8))
        out.append(contentsOf: Array(type.utf8))
        out.append(contentsOf: Array("\",\"object\":".utf8))
        out.append(contentsOf: objectBytes)
        out.append(contentsOf: Array("}\n".utf8))
    }
}
