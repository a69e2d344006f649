// Fuzzes glob patterns differentially: the engine's matcher against a slow recursive reference
// written from the Redis rules. Input: pattern, a 0x00 byte, then the key.
import DiskCache

/// True when every `\` escapes something and every `[` is closed (escapes count inside sets).
func isWellFormed(_ pattern: [Unicode.Scalar]) -> Bool {
    var index = 0
    while index < pattern.count {
        switch pattern[index] {
        case "\\":
            guard index + 1 < pattern.count else { return false }
            index += 2
        case "[":
            index += 1
            if index < pattern.count && (pattern[index] == "^" || pattern[index] == "!") { index += 1 }
            while true {
                guard index < pattern.count else { return false }
                if pattern[index] == "]" { break }
                if pattern[index] == "\\" {
                    guard index + 1 < pattern.count else { return false }
                    index += 1
                }
                index += 1
            }
            index += 1
        default:
            index += 1
        }
    }
    return true
}

/// The reference: plain recursion over Unicode scalars; nil for a malformed pattern.
func referenceMatch(_ pattern: [Unicode.Scalar], _ key: [Unicode.Scalar]) -> Bool? {
    guard isWellFormed(pattern) else { return nil }
    var memo: [Int: Bool] = [:]
    func match(_ p: Int, _ k: Int) -> Bool? {
        if let known = memo[p * 4096 + k] { return known }
        let result = matchUncached(p, k)
        memo[p * 4096 + k] = result
        return result
    }
    func matchUncached(_ p: Int, _ k: Int) -> Bool? {
        if p == pattern.count { return k == key.count }
        switch pattern[p] {
        case "*":
            var index = k
            while index <= key.count {
                guard let result = match(p + 1, index) else { return nil }
                if result { return true }
                index += 1
            }
            return false
        case "?":
            return k < key.count ? match(p + 1, k + 1) : false
        case "\\":
            guard p + 1 < pattern.count else { return nil }  // malformed
            return k < key.count && key[k] == pattern[p + 1] ? match(p + 2, k + 1) : false
        case "[":
            var q = p + 1
            var negated = false
            if q < pattern.count && (pattern[q] == "^" || pattern[q] == "!") {
                negated = true
                q += 1
            }
            var members: [ClosedRange<Unicode.Scalar>] = []
            while true {
                guard q < pattern.count else { return nil }  // unclosed
                var scalar = pattern[q]
                if scalar == "]" { break }
                if scalar == "\\" {
                    guard q + 1 < pattern.count else { return nil }
                    q += 1
                    scalar = pattern[q]
                }
                if q + 1 < pattern.count && pattern[q + 1] == "-" {
                    guard q + 2 < pattern.count else { return nil }  // unclosed
                    if pattern[q + 2] == "]" {  // "a-]": a and a literal "-"
                        members.append(scalar...scalar)
                        members.append("-"..."-")
                        q += 2
                        break
                    }
                    var end = pattern[q + 2]
                    q += 2
                    if end == "\\" {
                        guard q + 1 < pattern.count else { return nil }
                        q += 1
                        end = pattern[q]
                    }
                    members.append(min(scalar, end)...max(scalar, end))
                } else {
                    members.append(scalar...scalar)
                }
                q += 1
            }
            guard k < key.count else { return false }
            let inSet = members.contains { $0.contains(key[k]) }
            return inSet != negated ? match(q + 1, k + 1) : false
        default:
            return k < key.count && key[k] == pattern[p] ? match(p + 1, k + 1) : false
        }
    }
    return match(0, 0)
}

/// The libFuzzer entry point: runs one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGlob(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let split = bytes.firstIndex(of: 0) ?? size
    let pattern = String(decoding: bytes[0..<split], as: UTF8.self)
    let key = String(decoding: bytes[min(split + 1, size)...], as: UTF8.self)
    let patternScalars = Array(pattern.unicodeScalars)
    guard patternScalars.count <= 24, key.unicodeScalars.count <= 48 else { return 0 }  // keep the reference fast
    let expected = referenceMatch(patternScalars, Array(key.unicodeScalars))
    do {
        let glob = try GlobPattern(pattern)
        let matched = glob.matches(key)
        precondition(expected != nil, "the reference rejects \(pattern) but the engine parsed it")
        precondition(matched == expected!, "\(pattern) ~ \(key): engine \(matched), reference \(expected!)")
        if matched {
            // By UTF-8 bytes (a key may go on with a combining mark after the prefix, which
            // Character-wise hasPrefix would not count as a prefix).
            precondition(key.utf8.starts(with: glob.literalPrefix.utf8), "a match must start with the literal prefix")
        }
    } catch is GlobPatternError {
        precondition(expected == nil, "the engine rejects \(pattern), the reference accepts it")
    } catch {
        preconditionFailure("untyped error \(error)")
    }
    return 0
}
