// Fuzzes the RESP parser: arbitrary bytes, fed whole and split in two at a point the input
// chooses, give replies or a typed RESPError, never a crash or a hang; both feedings read the
// same replies; an incomplete reply consumes nothing.
import CashewsRedis
import NIOCore

let limits = RESPParser.Limits(bulkLength: 1 << 16, elementCount: 1 << 12, depth: 16, lineLength: 1 << 12)

func parseAll(_ chunks: [ArraySlice<UInt8>]) -> (values: [RESPValue], failed: Bool) {
    let parser = RESPParser(limits: limits)
    var buffer = ByteBuffer()
    var values: [RESPValue] = []
    for chunk in chunks {
        buffer.writeBytes(chunk)
        do {
            while true {
                let before = buffer.readableBytes
                guard let value = try parser.next(from: &buffer) else {
                    precondition(buffer.readableBytes == before, "an incomplete reply consumed bytes")
                    break
                }
                precondition(buffer.readableBytes < before, "a reply consumed no bytes")
                values.append(value)
            }
        } catch {
            return (values, true)
        }
    }
    return (values, false)
}

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRESP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = parseAll([bytes[...]])
    if size > 1 {
        let split = 1 + Int(bytes[0]) % (size - 1)
        let halves = parseAll([bytes[..<split], bytes[split...]])
        // Without an error, both feedings read the same replies (NaN doubles aside).
        if !whole.failed && !halves.failed {
            let same = whole.values == halves.values
            precondition(same || whole.values.description.contains("nan"), "split feeding read other replies")
        }
    }
    return 0
}
