// Fuzzes the TTL grammar: any input parses to a positive duration or throws a typed error that
// quotes the input; never a crash, never a zero or negative duration.
import Cashews

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTTL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let duration = try TTL(parsing: text).duration
        precondition(duration > .zero, "a parsed TTL must be positive: \(text) -> \(duration)")
    } catch let error as CashewsError {
        guard case .invalidTTL(let input, _) = error else { preconditionFailure("unexpected error \(error)") }
        precondition(input == text, "the error must quote the input")
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}
