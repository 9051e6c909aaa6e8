import CapstanAPI
import CapstanSupport

/// Renders objects as a `meta.k8s.io/v1` Table, what `kubectl get` asks for, with the
/// columns kube's printers (built-ins) or the CRD's `additionalPrinterColumns` define.
struct TableConverter: Sendable {
    let type: ServedResource

    private var columns: [PrinterColumn] {
        if let builtin = BuiltinPrinters.columns(for: type) { return builtin }
        if type.isCustom { return type.printerColumns }
        return type.printerColumns + [BuiltinPrinters.age]
    }

    func table(for objects: [StoredObject], resourceVersion: Int, continueToken: String?) -> JSONValue {
        let columns = self.columns
        var definitions: [JSONValue] = [[
            "name": "Name", "type": "string", "format": "name", "priority": 0,
            "description": "Name must be unique within a namespace.",
        ]]
        for column in columns {
            definitions.append(["name": .string(column.name), "type": .string(column.type == "date" ? "string" : column.type),
                                "format": .string(column.format), "description": .string(column.description),
                                "priority": .number(Double(column.priority))])
        }
        let now = Int(UTCTime.now().secondsSince1970)
        let rows: [JSONValue] = objects.map { stored in
            let object = stored.value()
            var cells: [JSONValue] = [.string(stored.name)]
            for column in columns { cells.append(cell(column, object, now: now)) }
            let metadata = object["metadata"] ?? [:]
            return ["cells": .array(cells),
                    "object": ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": metadata]]
        }
        var meta: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if let continueToken { meta["continue"] = .string(continueToken) }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
                "columnDefinitions": .array(definitions), "rows": .array(rows)]
    }

    private func cell(_ column: PrinterColumn, _ object: JSONValue, now: Int) -> JSONValue {
        if let computed = BuiltinPrinters.cell(column.name, type: type, object: object) { return computed }
        guard let value = JSONPathLookup.evaluate(column.jsonPath, in: object) else {
            return column.type == "string" ? "" : .null
        }
        if column.type == "date", let text = value.stringValue, let time = UTCTime(rfc3339: text) {
            return .string(HumanDuration.format(seconds: now - Int(time.secondsSince1970)))
        }
        switch value {
        case .string, .number, .bool: return value
        default: return .string(value.jsonString)
        }
    }
}

/// The JSONPath subset printer columns use: `.a.b`, `[N]`, `[*]` and `[?(@.k=="v")]`.
enum JSONPathLookup {
    static func evaluate(_ path: String, in object: JSONValue) -> JSONValue? {
        var text = Substring(path.trimmingSpaces)
        if text.hasPrefix("{") && text.hasSuffix("}") { text = text.dropFirst().dropLast() }
        if text.hasPrefix("$") { text = text.dropFirst() }
        var current: JSONValue? = object
        while let first = text.first, let value = current {
            if first == "." {
                text = text.dropFirst()
                let end = text.firstIndex { $0 == "." || $0 == "[" } ?? text.endIndex
                current = value[String(text[..<end])]
                text = text[end...]
            } else if first == "[" {
                guard let close = text.firstIndex(of: "]") else { return nil }
                let inside = text[text.index(after: text.startIndex)..<close]
                text = text[text.index(after: close)...]
                let items = value.arrayValue ?? []
                if let index = Int(inside) {
                    current = items.indices.contains(index) ? items[index] : nil
                } else if inside == "*" {
                    current = items.first
                } else if inside.hasPrefix("?(@."), inside.hasSuffix(")"), let eq = inside.range(of: "==") {
                    let key = String(inside[inside.index(inside.startIndex, offsetBy: 4)..<eq.lowerBound]).trimmingSpaces
                    var expected = String(inside[eq.upperBound...].dropLast()).trimmingSpaces
                    expected = expected.trimming(["\"", "'"])
                    current = items.first { $0[key]?.stringValue == expected }
                } else {
                    return nil
                }
            } else {
                return nil
            }
        }
        return current
    }
}

/// Ages as kube prints them (`45s`, `5m30s`, `3h`, `2d4h`).
enum HumanDuration {
    static func format(seconds: Int) -> String {
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = seconds / 3600
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        let days = hours / 24
        if hours < 24 * 365 * 8 { return days % 365 == 0 ? "\(days / 365)y" : "\(days / 365)y\(days % 365)d" }
        return "\(days / 365)y"
    }
}

extension String {
    func trimming(_ set: Set<Character>) -> String {
        var slice = Substring(self)
        while let c = slice.first, set.contains(c) { slice = slice.dropFirst() }
        while let c = slice.last, set.contains(c) { slice = slice.dropLast() }
        return String(slice)
    }
}
