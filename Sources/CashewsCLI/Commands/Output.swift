#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Buffered writes to standard output (an export writes millions of lines: one `write` per
/// 64 KiB, not per line).
final class Output {
    /// Standard output. The tool is single-threaded, so it is never shared between threads.
    nonisolated(unsafe) static let standard = Output(fileDescriptor: 1)

    private let fileDescriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity = 64 << 10

    init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
        buffer.reserveCapacity(capacity + 4096)
    }

    /// Appends `text`.
    func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        if buffer.count >= capacity { flush() }
    }

    /// Appends `bytes`.
    func write(bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    /// Appends `text` and a newline.
    func line(_ text: String) {
        write(text)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Writes out what is buffered.
    func flush() {
        var offset = 0
        buffer.withUnsafeBytes { raw in
            while offset < raw.count {
                let written = systemWrite(fileDescriptor, raw.baseAddress! + offset, raw.count - offset)
                if written <= 0 {
                    if written < 0 && errno == EINTR { continue }
                    return  // a closed pipe (`| head`): nothing more can be written
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
