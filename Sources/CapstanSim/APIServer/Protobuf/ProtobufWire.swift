/// Reads the protobuf wire format: varints, fixed-width values and length-delimited fields.
struct ProtobufReader {
    struct Failure: Error {
        var message: String
    }

    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes(ArraySlice<UInt8>)
    }

    private let bytes: ArraySlice<UInt8>
    private var offset: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        offset = bytes.startIndex
    }

    var isAtEnd: Bool { offset >= bytes.endIndex }

    mutating func nextField() throws(Failure) -> (number: Int, value: Value) {
        let tag = try varint()
        let number = Int(tag >> 3)
        switch tag & 7 {
        case 0: return (number, .varint(try varint()))
        case 1: return (number, .fixed64(UInt64(littleEndian: try fixed(8))))
        case 2:
            let length = Int(try varint())
            guard length >= 0, offset + length <= bytes.endIndex else { throw Failure(message: "truncated field \(number)") }
            defer { offset += length }
            return (number, .bytes(bytes[offset..<(offset + length)]))
        case 5: return (number, .fixed32(UInt32(truncatingIfNeeded: try fixed(4))))
        default: throw Failure(message: "unsupported wire type \(tag & 7) for field \(number)")
        }
    }

    private mutating func varint() throws(Failure) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.endIndex {
            let byte = bytes[offset]
            offset += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
            if shift > 63 { break }
        }
        throw Failure(message: "malformed varint")
    }

    private mutating func fixed(_ width: Int) throws(Failure) -> UInt64 {
        guard offset + width <= bytes.endIndex else { throw Failure(message: "truncated fixed-width value") }
        var value: UInt64 = 0
        for index in 0..<width { value |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
        offset += width
        return value
    }
}
