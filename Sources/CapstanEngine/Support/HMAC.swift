/// HMAC-SHA-256 (RFC 2104) over the engine's own SHA-256: the token a worker pod presents
/// is computed here, where the pod is built, so the engine stays free of dependencies.
public enum HMACSHA256 {
    public static func authenticationCode(key: [UInt8], message: [UInt8]) -> [UInt8] {
        let blockSize = 64
        var block = key.count > blockSize ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
        return SHA256.hash(block.map { $0 ^ 0x5c } + inner)
    }

    public static func hex(key: [UInt8], message: String) -> String {
        authenticationCode(key: key, message: Array(message.utf8)).map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined()
    }

    /// Compares in time independent of where two codes first differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let left = Array(a.utf8)
        let right = Array(b.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for i in left.indices { difference |= left[i] ^ right[i] }
        return difference == 0
    }
}
