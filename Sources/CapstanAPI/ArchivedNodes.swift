/// `status.archivedNodes`: the finished nodes of a large workflow, one short row each, so that
/// a DAG of 10,000 nodes keeps its status under the 256 KiB budget. Each archived node's
/// full status (its key, message, log links) was written to the store first, at
/// `detailsPrefix + NODE/node.json`; the row keeps what a list of nodes shows.
///
/// A row is `NAME PHASE+ATTEMPTS START+SECONDS [FLAGS]`, for example `train-7 S1 120+42 o`:
/// `S` Succeeded or `K` Skipped, then the attempts; when it started, in whole seconds after
/// the workflow did, and how long it ran (`-` when it never started); flags `o` it has
/// outputs (at `detailsPrefix + NODE/outputs.json`), `c` from the cache, `r` reused from
/// `spec.recoverFrom`. Rows are `;`-separated in chunks of `rowsPerChunk`, keyed `"0"`,
/// `"1"`…, in the order the nodes were archived: a new row changes one chunk, so a status
/// patch stays small however many nodes came before.
public struct ArchivedNodes: Sendable, Hashable {
    public static let rowsPerChunk = 100
    public static let detailsFile = "node.json"

    /// The store URI under which each archived node's folder lies.
    public var detailsPrefix: String

    public init(detailsPrefix: String) { self.detailsPrefix = detailsPrefix }

    public func detailsURI(_ node: String) -> String { detailsPrefix + node + "/" + Self.detailsFile }
    public func outputsURI(_ node: String) -> String { detailsPrefix + node + "/outputs.json" }

    /// Whether the node may be archived: it finished well and has nothing a row cannot say.
    public static func canArchive(_ node: NodeStatus) -> Bool {
        (node.phase == .succeeded || node.phase == .skipped) && node.map == nil && node.failures.isEmpty
    }

    /// The rows of the archived nodes among `nodes`, chunked in archive order.
    public static func encode(_ nodes: [String: NodeStatus], workflowStartedAt: Timestamp?) -> JSONValue {
        let base = whole(workflowStartedAt)
        // Positions are 0, 1, 2…: each row goes straight to its place, no sorting.
        var rows: [String?] = []
        for (name, node) in nodes {
            guard let position = node.archivePosition, position >= 0 else { continue }
            if position >= rows.count { rows.append(contentsOf: repeatElement(nil, count: position - rows.count + 1)) }
            rows[position] = row(name, node, base: base)
        }
        var chunks: [String: JSONValue] = [:]
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + rowsPerChunk, rows.count)].compactMap { $0 }
            if !chunk.isEmpty { chunks[String(start / rowsPerChunk)] = .string(chunk.joined(separator: ";")) }
            start += rowsPerChunk
        }
        return .object(chunks)
    }

    /// The archived nodes the chunks list, each with its `archivePosition`; malformed rows
    /// are left out, as any malformed status field is. Rows are read as bytes: every
    /// reconcile of a large DAG reads them all, and splitting them as Unicode text was a
    /// tenth of a long chain's reconcile.
    public func decode(_ chunks: JSONValue?, workflowStartedAt: Timestamp?) -> [String: NodeStatus] {
        let base = Self.whole(workflowStartedAt)
        var nodes: [String: NodeStatus] = [:]
        nodes.reserveCapacity((chunks?.objectValue?.count ?? 0) * Self.rowsPerChunk)
        for (key, value) in chunks?.objectValue ?? [:] {
            guard let chunk = Int(key), chunk >= 0, var text = value.stringValue else { continue }
            text.withUTF8 { bytes in
                for (offset, row) in Self.fields(of: bytes[...], separator: UInt8(ascii: ";")).enumerated() {
                    guard let (name, parsed) = parse(row, base: base) else { continue }
                    var node = parsed
                    node.archivePosition = chunk * Self.rowsPerChunk + offset
                    nodes[name] = node
                }
            }
        }
        return nodes
    }

    private static func whole(_ time: Timestamp?) -> Double { (time?.secondsSince1970 ?? 0).rounded(.down) }

    private static func row(_ name: String, _ node: NodeStatus, base: Double) -> String {
        var fields = [name, (node.phase == .skipped ? "K" : "S") + String(node.attempts)]
        if let started = node.startedAt {
            let start = Int(started.secondsSince1970.rounded(.down) - base)
            let seconds = node.finishedAt.map { Int($0.secondsSince1970.rounded(.down) - started.secondsSince1970.rounded(.down)) } ?? 0
            fields.append("\(start)+\(seconds)")
        } else {
            fields.append("-")
        }
        let flags = (node.outputsURI != nil ? "o" : "") + (node.cached ? "c" : "") + (node.recovered ? "r" : "")
        if !flags.isEmpty { fields.append(flags) }
        return fields.joined(separator: " ")
    }

    private func parse(_ row: Slice<UnsafeBufferPointer<UInt8>>, base: Double) -> (String, NodeStatus)? {
        let fields = Self.fields(of: row, separator: UInt8(ascii: " "))
        guard fields.count >= 3, let code = fields[1].first, let attempts = Self.integer(fields[1].dropFirst()) else { return nil }
        guard code == UInt8(ascii: "K") || code == UInt8(ascii: "S") else { return nil }
        let name = String(decoding: fields[0], as: UTF8.self)
        var node = NodeStatus(phase: code == UInt8(ascii: "K") ? .skipped : .succeeded)
        node.attempts = attempts
        if !fields[2].elementsEqual([UInt8(ascii: "-")]) {
            let times = Self.fields(of: fields[2], separator: UInt8(ascii: "+"))
            guard times.count == 2, let start = Self.integer(times[0]), let seconds = Self.integer(times[1]) else { return nil }
            node.startedAt = Timestamp(secondsSince1970: base + Double(start))
            node.finishedAt = Timestamp(secondsSince1970: base + Double(start) + Double(seconds))
        }
        let flags = fields.count > 3 ? fields[3] : row[row.endIndex...]
        if flags.contains(UInt8(ascii: "o")) { node.outputsURI = outputsURI(name) }
        node.cached = flags.contains(UInt8(ascii: "c"))
        node.recovered = flags.contains(UInt8(ascii: "r"))
        return (name, node)
    }

    /// The non-empty runs of `bytes` between separators.
    private static func fields(of bytes: Slice<UnsafeBufferPointer<UInt8>>, separator: UInt8) -> [Slice<UnsafeBufferPointer<UInt8>>] {
        bytes.split(separator: separator, omittingEmptySubsequences: true)
    }

    /// A whole number, as the rows write them: digits with an optional sign.
    private static func integer(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        var digits = bytes[...]
        var sign = 1
        if let first = digits.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            sign = first == UInt8(ascii: "-") ? -1 : 1
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.count <= 18 else { return nil }
        var value = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return sign * value
    }
}
