import CZlib

/// How a route compresses stored values: zlib's deflate, in the zlib or gzip container, for values
/// of at least ``minimumSize`` bytes. Reads are transparent: a compressed value is inflated
/// whatever the container, level and minimum size are now (see ``ValueFormat`` for turning
/// compression off).
///
/// Setup URL: `compress=zlib` or `compress=gzip`, with `compress_level=1…9` and
/// `compress_min_size=1KiB`.
public struct ValueCompression: Sendable, Hashable {
    /// The container around deflated bytes.
    public enum Container: String, Sendable, Hashable, CaseIterable {
        /// RFC 1950 (2-byte header, Adler-32): the smaller one.
        case zlib
        /// RFC 1952 (the `gzip` file format, CRC-32): readable by gzip tools.
        case gzip
    }

    /// The container.
    public var container: Container
    /// zlib's level, 1 (fastest) … 9 (smallest).
    public var level: Int
    /// Values smaller than this are stored as they are (compressing them costs more than it saves).
    public var minimumSize: Int

    /// Compression in `container` at `level` for values of at least `minimumSize` bytes.
    ///
    /// - Precondition: `level` is 1…9 and `minimumSize` is not negative (the setup URL checks
    ///   both and reports a typed error).
    public init(_ container: Container = .zlib, level: Int = 6, minimumSize: Int = 1024) {
        precondition((1...9).contains(level), "compression level \(level) is not 1…9")
        precondition(minimumSize >= 0, "the minimum size to compress cannot be negative")
        self.container = container
        self.level = level
        self.minimumSize = minimumSize
    }

    /// `bytes` deflated, or nil when they do not shrink.
    func compress(_ bytes: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        let windowBits: Int32 = container == .gzip ? MAX_WBITS + 16 : MAX_WBITS
        guard
            deflateInit2_(
                &stream, Int32(level), Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION,
                Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END, Int(stream.total_out) < bytes.count else { return nil }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates `bytes` (zlib or gzip container) into exactly `expectedCount` bytes.
    ///
    /// - Throws: ``ValueCompression/Failure`` when the data is damaged or inflates to another size.
    static func decompress(_ bytes: ArraySlice<UInt8>, expectedCount: Int) throws(Failure) -> [UInt8] {
        // Deflate shrinks by at most about 1032:1, so a larger recorded length is damage (and
        // never an allocation of that size).
        guard expectedCount <= (bytes.count + 64) * 1032 else {
            throw Failure(
                reason: "its recorded length \(expectedCount) is impossible for \(bytes.count) compressed bytes")
        }
        var stream = z_stream()
        // 15 + 32: detect the zlib or gzip container from its header.
        guard inflateInit2_(&stream, MAX_WBITS + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK
        else { throw Failure(reason: "zlib could not start inflating") }
        defer { inflateEnd(&stream) }
        // One spare byte shows data that inflates to more than was recorded.
        var output = [UInt8](repeating: 0, count: expectedCount + 1)
        let status = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return inflate(&stream, Z_FINISH)
            }
        }
        switch status {
        case Z_STREAM_END:
            guard Int(stream.total_out) == expectedCount else {
                throw Failure(reason: "it inflates to \(stream.total_out) bytes, not the \(expectedCount) recorded")
            }
            guard stream.avail_in == 0 else { throw Failure(reason: "there are bytes after the compressed data") }
            output.removeLast()
            return output
        case Z_BUF_ERROR where stream.avail_out == 0:
            throw Failure(reason: "it inflates to more than the \(expectedCount) bytes recorded")
        case Z_BUF_ERROR:
            throw Failure(reason: "the compressed data is truncated")
        default:
            let message = stream.msg.map { String(cString: $0) } ?? "zlib error \(status)"
            throw Failure(reason: "the compressed data is damaged (\(message))")
        }
    }

    /// Why compressed bytes did not inflate.
    struct Failure: Error {
        let reason: String
    }
}
