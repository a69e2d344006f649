import NIOCore
import Testing

@testable import CashewsRedis

@Suite("RESP parser")
struct RESPParserTests {
    private func parse(_ text: String, limits: RESPParser.Limits = .init()) throws(RESPError) -> [RESPValue] {
        var buffer = ByteBuffer(string: text)
        let parser = RESPParser(limits: limits)
        var values: [RESPValue] = []
        while let value = try parser.next(from: &buffer) { values.append(value) }
        return values
    }

    @Test("every RESP3 type, and RESP2's nulls")
    func types() throws {
        let values = try parse(
            "+OK\r\n-ERR bad\r\n:-42\r\n$5\r\nhe\r\no\r\n$0\r\n\r\n$-1\r\n*-1\r\n_\r\n,3.5\r\n,inf\r\n#t\r\n#f\r\n"
                + "(12345678901234567890\r\n!9\r\nERR blob!\r\n=8\r\ntxt:abcd\r\n*2\r\n:1\r\n$1\r\nx\r\n"
                + "%1\r\n+k\r\n:2\r\n~1\r\n+m\r\n>2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"
                + "|1\r\n+ttl\r\n:3\r\n+annotated\r\n")
        #expect(
            values == [
                .simpleString("OK"), .error("ERR bad"), .integer(-42), .bulkString(Array("he\r\no".utf8)),
                .bulkString([]), .null, .null, .null, .double(3.5), .double(.infinity), .boolean(true),
                .boolean(false), .bigNumber("12345678901234567890"), .error("ERR blob!"), .verbatim("abcd"),
                .array([.integer(1), .bulkString([120])]), .map([.simpleString("k"), .integer(2)]),
                .set([.simpleString("m")]),
                .push([.bulkString(Array("invalidate".utf8)), .array([.bulkString([107])])]),
                .simpleString("annotated"),
            ])
    }

    @Test("a reply split anywhere is read once it is complete, and nothing is consumed before")
    func streaming() throws {
        let text = "*3\r\n$5\r\nhello\r\n:7\r\n%1\r\n+a\r\n*1\r\n_\r\n+NEXT\r\n"
        let bytes = Array(text.utf8)
        let parser = RESPParser()
        for split in 1..<bytes.count {
            var buffer = ByteBuffer(bytes: bytes[..<split])
            var values: [RESPValue] = []
            while let value = try parser.next(from: &buffer) { values.append(value) }
            buffer.writeBytes(bytes[split...])
            while let value = try parser.next(from: &buffer) { values.append(value) }
            #expect(values.count == 2, "split at \(split)")
            #expect(values.last == .simpleString("NEXT"))
            #expect(buffer.readableBytes == 0)
        }
    }

    @Test(
        "malformed replies are typed errors",
        arguments: [
            "?x\r\n", ":12a\r\n", ":\r\n", "$3\r\nabcd\r\n", "+a\rb\r\n", "+a\nb\r\n", "#x\r\n", ",abc\r\n",
            "_x\r\n", "$-2\r\n", "(12a\r\n", "=2\r\nab\r\n", "~-1\r\n", ":99999999999999999999\r\n",
        ])
    func malformed(_ text: String) {
        #expect(throws: RESPError.self) { _ = try parse(text) }
    }

    @Test("lengths, counts, lines and nesting are bounded")
    func limits() {
        let limits = RESPParser.Limits(bulkLength: 16, elementCount: 4, depth: 3, lineLength: 32)
        #expect(throws: RESPError.tooLarge(what: "bulk string length", size: 17, limit: 16)) {
            _ = try parse("$17\r\n", limits: limits)
        }
        #expect(throws: RESPError.tooLarge(what: "aggregate count", size: 5, limit: 4)) {
            _ = try parse("*5\r\n", limits: limits)
        }
        #expect(throws: RESPError.tooDeep(limit: 3)) { _ = try parse("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", limits: limits) }
        #expect(throws: RESPError.self) { _ = try parse("+" + String(repeating: "a", count: 40), limits: limits) }
        // An incomplete reply that outgrows every limit is given up on.
        var buffer = ByteBuffer(string: "*4\r\n" + String(repeating: "+aaaaaaaaaaaaaaaaaaaaaaaaa\r\n", count: 3))
        #expect(throws: RESPError.self) { _ = try RESPParser(limits: limits).next(from: &buffer) }
    }

    @Test("commands encode as arrays of bulk strings")
    func encoding() throws {
        var buffer = ByteBuffer()
        RESPCommand(["SET", .string("ключ"), .bytes([0, 13, 10]), .integer(-5)]).encode(into: &buffer)
        #expect(
            buffer.readString(length: buffer.readableBytes)
                == "*4\r\n$3\r\nSET\r\n$8\r\nключ\r\n$3\r\n\u{0}\r\n\r\n$2\r\n-5\r\n")
    }
}
