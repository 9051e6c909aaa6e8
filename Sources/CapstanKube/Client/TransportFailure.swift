import AsyncHTTPClient
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum TransportFailure {
    /// Whether a transport error happened before any byte of the request reached the server.
    static func wasNotSent(_ error: any Error) -> Bool {
        if let error = error as? HTTPClientError {
            return error == .connectTimeout || error == .getConnectionFromPoolTimeout
        }
        if let error = error as? IOError {
            return error.errnoCode == ECONNREFUSED
        }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return true
        }
        // NIOPosix's connection error (all connect attempts failed) without importing NIOPosix.
        return String(describing: type(of: error)) == "NIOConnectionError"
    }
}
