#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where progress and errors are drawn: a stream that may or may not be a terminal. Tests pass a
/// fake one to see exactly what a person would see.
protocol TerminalStream: AnyObject {
    /// True when a person is looking (the stream is a terminal): only then are progress bars and
    /// colour drawn.
    var isInteractive: Bool { get }
    /// The width in columns.
    var columns: Int { get }
    /// Writes `text` as it is.
    func write(_ text: String)
}

/// Standard error as a ``TerminalStream``.
final class Terminal: TerminalStream {
    /// Standard error (the tool is single-threaded).
    nonisolated(unsafe) static let standardError = Terminal(fileDescriptor: 2)

    private let fileDescriptor: Int32

    init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    var isInteractive: Bool { isatty(fileDescriptor) == 1 && getenv("TERM").map { String(cString: $0) } != "dumb" }

    /// True when colour may be used: a terminal, and NO_COLOR unset (https://no-color.org).
    var usesColour: Bool { isInteractive && getenv("NO_COLOR") == nil }

    var columns: Int {
        var size = winsize()
        if ioctl(fileDescriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = systemWrite(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { return }
                offset += written
            }
        }
    }

    /// Writes `message` as an error line: `cashews: error: …`, in red on a terminal.
    func writeError(_ message: String) {
        let text = message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message
        let prefix = usesColour ? "\u{1B}[31mcashews: error:\u{1B}[0m " : "cashews: error: "
        write(prefix + text + (text.hasSuffix("\n") ? "" : "\n"))
    }
}

/// `write(2)`, outside the classes whose `write` methods hide it.
@inline(__always)
func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, pointer, count)
}
