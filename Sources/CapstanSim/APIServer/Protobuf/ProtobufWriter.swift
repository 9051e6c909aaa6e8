/// Writes the protobuf wire format: length-delimited strings and nested messages, which is
/// all the documents the simulated server encodes in protobuf need.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func string(_ field: Int, _ value: String) {
        self.message(field, Array(value.utf8))
    }

    mutating func message(_ field: Int, _ encoded: [UInt8]) {
        varint(UInt64(field) << 3 | 2)
        varint(UInt64(encoded.count))
        bytes.append(contentsOf: encoded)
    }

    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var nested = ProtobufWriter()
        build(&nested)
        message(field, nested.bytes)
    }

    private mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}
