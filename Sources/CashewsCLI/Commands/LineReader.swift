#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a file descriptor line by line in 1 MiB reads, counting the bytes consumed (for
/// progress through a file of known size).
final class LineReader {
    private let fileDescriptor: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 1 << 20)
    private var start = 0
    private var atEnd = false
    /// Bytes of the lines returned so far (newlines included).
    private(set) var consumed = 0

    init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    /// Where the next newline is, at or after `start` (found with `memchr`: a byte loop in a
    /// debug build costs seconds on values of megabytes).
    private func newlineIndex() -> Int? {
        buffer.withUnsafeBytes { raw in
            guard start < raw.count, let found = memchr(raw.baseAddress! + start, 0x0A, raw.count - start) else {
                return nil
            }
            return raw.baseAddress!.distance(to: UnsafeRawPointer(found))
        }
    }

    /// The next line without its newline, or nil at the end of the input.
    func next() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = newlineIndex() {
                let line = buffer[start..<newline]
                consumed += newline + 1 - start
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                consumed += buffer.count - start
                start = buffer.count
                return line
            }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let count = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CommandFailure.failed("cannot read the input: \(String(cString: strerror(errno)))")
            }
            chunk.withUnsafeBytes { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            if count == 0 { atEnd = true }
        }
    }
}
