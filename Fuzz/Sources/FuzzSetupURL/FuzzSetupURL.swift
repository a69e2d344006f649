// Fuzzes setup-URL parsing: any input is a BackendURL or a typed CashewsError, every typed
// accessor returns a value or a typed error, and mem:// URLs set up or fail with a typed error.
// (disk:// URLs are parsed but not opened: a fuzzer must not create directories at random.)
import Cashews

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSetupURL(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    do {
        let url = try BackendURL(text)
        for name in url.parameters.keys {
            _ = try? url.integer(name)
            _ = try? url.byteSize(name)
            _ = try? url.duration(name)
            _ = try? url.boolean(name)
            _ = try? url.choice(name, ["a": 1, "b": 2])
        }
        if url.scheme == "mem" {
            do {
                _ = try Cache().setup(text)
            } catch is CashewsError {
            }
        }
    } catch is CashewsError {
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}
