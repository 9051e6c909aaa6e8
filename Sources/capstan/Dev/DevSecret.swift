import CapstanAPI
import CapstanEngine
import Foundation

/// A Secret `capstan dev` creates in its API server before the workflow runs (SPEC §13):
/// a v1 Secret document from one of its files, or a `--secret` flag.
struct DevSecret: Sendable {
    var name: String
    /// Key → value, `stringData` already merged over `data` as the API server merges it.
    var data: [String: Data]

    /// The object to create, in namespace `default`.
    var object: JSONValue {
        [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": ["name": .string(name), "namespace": "default"],
            "data": .object(data.mapValues { .string($0.base64EncodedString()) }),
        ]
    }

    /// Reads a Secret document; problems are located under `prefix` (`[1].` in a file of
    /// several documents).
    static func read(_ document: JSONValue, prefix: String) -> (DevSecret?, [Diagnostic]) {
        var problems: [Diagnostic] = []
        if document["apiVersion"]?.stringValue != "v1" {
            problems.append(Diagnostic(path: prefix + "apiVersion", message: "must be v1 for a Secret"))
        }
        let name = document["metadata"]?["name"]?.stringValue ?? ""
        if !DNSName.isSubdomain(name) {
            problems.append(Diagnostic(path: prefix + "metadata.name",
                                       message: name.isEmpty ? "is required" : "\"\(name)\" is not a valid Secret name"))
        }
        var data: [String: Data] = [:]
        for field in ["data", "stringData"] {
            guard let value = document[field], !value.isNull else { continue }
            guard case .object(let entries) = value else {
                problems.append(Diagnostic(path: prefix + field, message: "must be a map of key to value, not a \(value.typeName)"))
                continue
            }
            for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
                let path = "\(prefix)\(field).\(key)"
                guard SecretReference.isValidKey(key) else {
                    problems.append(Diagnostic(path: path, message: "\"\(key)\" is not a valid Secret key: letters, digits, '-', '_' and '.'"))
                    continue
                }
                guard let text = entry.stringValue else {
                    problems.append(Diagnostic(path: path, message: "must be a string, not a \(entry.typeName)"))
                    continue
                }
                if field == "stringData" {
                    data[key] = Data(text.utf8)
                } else if let bytes = Data(base64Encoded: text) {
                    data[key] = bytes
                } else {
                    problems.append(Diagnostic(path: path, message: "is not base64; put plain text under stringData instead"))
                }
            }
        }
        return (problems.isEmpty ? DevSecret(name: name, data: data) : nil, problems)
    }

    /// Reads `--secret NAME=DIR` (each file in DIR a key of its file name, as
    /// `kubectl create secret generic --from-file=DIR`) or `--secret NAME=KEY=VALUE,...`.
    static func parse(_ flag: String) throws(DevFlagError) -> DevSecret {
        guard let equals = flag.firstIndex(of: "="), equals != flag.startIndex else {
            throw DevFlagError("--secret \"\(flag)\": expected NAME=DIR or NAME=KEY=VALUE,...")
        }
        let name = String(flag[..<equals])
        let rest = String(flag[flag.index(after: equals)...])
        guard DNSName.isSubdomain(name) else {
            throw DevFlagError("--secret \"\(flag)\": \"\(name)\" is not a valid Secret name: lower-case letters, digits, '-' and '.'")
        }
        var data: [String: Data] = [:]
        if rest.contains("=") {
            for pair in rest.split(separator: ",", omittingEmptySubsequences: false) {
                guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                    throw DevFlagError("--secret \(name): \"\(pair)\" is not KEY=VALUE")
                }
                data[try key(String(pair[..<equals]), of: name)] = Data(pair[pair.index(after: equals)...].utf8)
            }
        } else {
            data = try files(in: rest, of: name)
        }
        return DevSecret(name: name, data: data)
    }

    /// Every regular file directly in `directory`, hidden ones left out as kubectl does.
    private static func files(in directory: String, of name: String) throws(DevFlagError) -> [String: Data] {
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DevFlagError("--secret \(name)=\(directory): not a directory that can be read (expected NAME=DIR or NAME=KEY=VALUE,...)")
        }
        var data: [String: Data] = [:]
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let path = (directory as NSString).appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw DevFlagError("--secret \(name): cannot read \(path)")
            }
            data[try key(entry, of: name)] = contents
        }
        return data
    }

    private static func key(_ key: String, of name: String) throws(DevFlagError) -> String {
        guard SecretReference.isValidKey(key) else {
            throw DevFlagError("--secret \(name): \"\(key)\" is not a valid Secret key: letters, digits, '-', '_' and '.'")
        }
        return key
    }
}

/// A `capstan dev` flag that cannot be used as given; the text says what was expected.
struct DevFlagError: Error, Sendable, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
