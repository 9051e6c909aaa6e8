#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address as its bytes, so that `::1`, `0:0:0:0:0:0:0:1` and
/// `::ffff:127.0.0.1` compare as the addresses they are rather than as text.
struct IPAddressBytes: Hashable {
    /// 4 bytes for IPv4 (IPv4-mapped IPv6 included), 16 for IPv6.
    let bytes: [UInt8]

    /// nil when `text` is a host name rather than an address.
    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let all = withUnsafeBytes(of: &v6) { Array($0) }
        let mappedPrefix = [UInt8](repeating: 0, count: 10) + [0xff, 0xff]
        bytes = Array(all.prefix(12)) == mappedPrefix ? Array(all.suffix(4)) : all
    }

    /// 127.0.0.0/8 or ::1.
    var isLoopback: Bool {
        bytes.count == 4 ? bytes[0] == 127 : bytes == [UInt8](repeating: 0, count: 15) + [1]
    }
}
