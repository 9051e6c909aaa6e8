import Foundation

/// A fresh folder under the system temp directory, removed when the value is dropped.
final class TemporaryFolder {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "capstan-kube-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ contents: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }
