/// One `ItemPhase` per item, four to a byte, with counts kept up to date so that reading
/// them never scans the array. Scans that must look at every item (`indexes(in:)`,
/// `firstIndex`, the encoding) read 32 items per 64-bit word and skip words with nothing of
/// interest, so a million-item map costs tens of microseconds per scan, not milliseconds.
public struct ItemPhases: Sendable, Hashable {
    public private(set) var count: Int
    private var bytes: [UInt8]
    private var counts: [Int] = [0, 0, 0, 0]

    public init(count: Int) {
        self.count = count
        self.bytes = [UInt8](repeating: 0, count: (count + 3) / 4)
        self.counts[0] = count
    }

    public subscript(index: Int) -> ItemPhase {
        get { ItemPhase(rawValue: (bytes[index >> 2] >> UInt8((index & 3) * 2)) & 3)! }
        set {
            let old = self[index]
            guard old != newValue else { return }
            counts[Int(old.rawValue)] -= 1
            counts[Int(newValue.rawValue)] += 1
            let shift = UInt8((index & 3) * 2)
            bytes[index >> 2] = (bytes[index >> 2] & ~(3 << shift)) | (newValue.rawValue << shift)
        }
    }

    public func count(of phase: ItemPhase) -> Int { counts[Int(phase.rawValue)] }

    /// Indexes in the given phase, in order.
    public func indexes(in phase: ItemPhase) -> [Int] {
        var result: [Int] = []
        result.reserveCapacity(count(of: phase))
        var from = 0
        while let i = firstIndex(of: phase, from: from) {
            result.append(i)
            from = i + 1
        }
        return result
    }

    /// The first index at or after `start` whose item is in `phase`.
    public func firstIndex(of phase: ItemPhase, from start: Int) -> Int? {
        guard start < count, count(of: phase) > 0 else { return nil }
        let pattern = Self.pattern(phase)
        return bytes.withUnsafeBytes { raw -> Int? in
            var i = max(0, start)
            // Item by item up to a word boundary, then a word (32 items) at a time.
            while i < count, i & 31 != 0 {
                if self[i] == phase { return i }
                i += 1
            }
            let wholeWords = count / 32
            var word = i / 32
            while word < wholeWords {
                let value = raw.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self)
                let x = value ^ pattern
                let matches = ~(x | (x >> 1)) & 0x5555_5555_5555_5555
                if matches != 0 { return word * 32 + matches.trailingZeroBitCount / 2 }
                word += 1
            }
            i = max(i, wholeWords * 32)
            while i < count {
                if self[i] == phase { return i }
                i += 1
            }
            return nil
        }
    }

    /// Calls `body` with each run of equal phases, in order.
    public func forEachRun(_ body: (ItemPhase, Int) -> Void) {
        guard count > 0 else { return }
        bytes.withUnsafeBytes { raw in
            var i = 0
            while i < count {
                let phase = self[i]
                let pattern = Self.pattern(phase)
                var j = i + 1
                while j < count {
                    if j & 31 == 0, j + 32 <= count, raw.loadUnaligned(fromByteOffset: j / 4, as: UInt64.self) == pattern {
                        j += 32
                    } else if self[j] == phase {
                        j += 1
                    } else {
                        break
                    }
                }
                body(phase, j - i)
                i = j
            }
        }
    }

    /// The phase repeated in all 32 slots of a word.
    private static func pattern(_ phase: ItemPhase) -> UInt64 { UInt64(phase.rawValue) &* 0x5555_5555_5555_5555 }

    /// Sets `length` items from `start`, which must all be pending (decoding only).
    private mutating func fillPending(from start: Int, length: Int, with phase: ItemPhase) {
        guard phase != .pending, length > 0 else { return }
        counts[0] -= length
        counts[Int(phase.rawValue)] += length
        let fullByte = UInt8(truncatingIfNeeded: Self.pattern(phase))
        var i = start
        let end = start + length
        while i < end {
            if i & 3 == 0, i + 4 <= end {
                bytes[i >> 2] = fullByte
                i += 4
            } else {
                bytes[i >> 2] |= phase.rawValue << UInt8((i & 3) * 2)
                i += 1
            }
        }
    }
}

extension ItemPhases {
    /// One of three forms: run-length text (`r2:500,1:20,0:480`) when items sit in a few
    /// long runs, which is the usual case; otherwise the shorter of base64 of varint runs
    /// (`v…`, many short runs) and base64 of the packed bytes (`b…`, phases scattered).
    public var encoded: String {
        // Sizes first (one pass, nothing allocated), then only the chosen form is built.
        var textSize = 0
        var varintBytes = 0
        forEachRun { phase, length in
            textSize += Self.decimalDigits(length) + 3  // "P:LEN," (the leading "r" pays for the last comma)
            varintBytes += Self.varintSize(UInt64(length) << 2 | UInt64(phase.rawValue))
        }
        let varintSize = 1 + (varintBytes + 2) / 3 * 4
        let packedSize = 1 + (bytes.count + 2) / 3 * 4
        // Text while it is short enough to read at a glance, or the shortest anyway.
        if textSize <= Self.readableTextSize || textSize <= min(varintSize, packedSize) {
            var runs: [String] = []
            forEachRun { phase, length in runs.append("\(phase.rawValue):\(length)") }
            return "r" + runs.joined(separator: ",")
        }
        if varintSize < packedSize {
            var out: [UInt8] = []
            out.reserveCapacity(varintBytes)
            forEachRun { phase, length in
                var value = UInt64(length) << 2 | UInt64(phase.rawValue)
                while value >= 0x80 {
                    out.append(UInt8(value & 0x7F) | 0x80)
                    value >>= 7
                }
                out.append(UInt8(value))
            }
            return "v" + Base64.encode(out)
        }
        return "b" + Base64.encode(bytes)
    }

    public init?(encoded text: String, count: Int) {
        self.init(count: count)
        if text.hasPrefix("r") {
            var index = 0
            for run in text.utf8.dropFirst().split(separator: UInt8(ascii: ",")) {
                let parts = run.split(separator: UInt8(ascii: ":"))
                guard parts.count == 2, let raw = UInt8(Substring(parts[0])), let phase = ItemPhase(rawValue: raw),
                    let length = Int(Substring(parts[1])), length >= 0, index + length <= count
                else { return nil }
                fillPending(from: index, length: length, with: phase)
                index += length
            }
            guard index == count else { return nil }
        } else if text.hasPrefix("v"), let decoded = Base64.decode(String(text.dropFirst())) {
            var index = 0
            var value: UInt64 = 0
            var shift: UInt64 = 0
            for byte in decoded {
                guard shift < 63 else { return nil }
                value |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 != 0 {
                    shift += 7
                    continue
                }
                guard let phase = ItemPhase(rawValue: UInt8(value & 3)), value >> 2 <= UInt64(count - index) else { return nil }
                let length = Int(value >> 2)
                fillPending(from: index, length: length, with: phase)
                index += length
                value = 0
                shift = 0
            }
            guard index == count, shift == 0 else { return nil }
        } else if text.hasPrefix("b"), let decoded = Base64.decode(String(text.dropFirst())),
            decoded.count == (count + 3) / 4
        {
            for i in 0..<count {
                let raw = (decoded[i >> 2] >> UInt8((i & 3) * 2)) & 3
                if raw != 0 { fillPending(from: i, length: 1, with: ItemPhase(rawValue: raw)!) }
            }
        } else {
            return nil
        }
    }

    /// Run-length text up to this size is kept even when a binary form would be shorter.
    static let readableTextSize = 1024

    private static func decimalDigits(_ n: Int) -> Int {
        var digits = 1
        var rest = n / 10
        while rest > 0 { digits += 1; rest /= 10 }
        return digits
    }

    private static func varintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest > 0 { size += 1; rest >>= 7 }
        return size
    }
}
