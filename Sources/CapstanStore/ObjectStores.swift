import Logging
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Opens the store a URL names, with metrics recorded on every call.
public enum ObjectStores {
    /// `s3://BUCKET/PREFIX` → `S3Store` configured from `environment` (the `AWS_*` variables);
    /// `file:///PATH` → `FileStore`. The result records `capstan_store_*` metrics.
    /// Call `shutdown()` on it when done.
    public static func open(_ url: StoreURL,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "capstan.store")) throws -> any ObjectStore {
        let store: any ObjectStore
        switch url.location {
        case .s3:
            store = try S3Store(url: url, environment: environment, logger: logger)
        case .file:
            store = try FileStore(url: url)
        }
        return MeteredObjectStore(store)
    }

    /// Parses `text` and opens it; see `open(_:environment:logger:)`.
    public static func open(_ text: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            logger: Logger = Logger(label: "capstan.store")) throws -> any ObjectStore {
        try open(try StoreURL(parsing: text), environment: environment, logger: logger)
    }
}
