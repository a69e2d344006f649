import Cashews
import Foundation
import Testing

@Suite("Strategy: iterator")
struct IteratorTests {
    private func collect<S: AsyncSequence>(_ sequence: S) async throws -> [S.Element] {
        var elements: [S.Element] = []
        for try await element in sequence { elements.append(element) }
        return elements
    }

    private func source<Element: Sendable>(_ elements: [Element], calls: Calls, failing: (any Error)? = nil)
        -> @Sendable () async throws -> AsyncThrowingStream<Element, any Error>
    {
        {
            calls.next()
            return AsyncThrowingStream { continuation in
                for element in elements { continuation.yield(element) }
                continuation.finish(throwing: failing)
            }
        }
    }

    @Test("replay does not stop at zero, empty or falsy chunks (memory and disk)")
    func falsyChunks() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let calls = Calls()
            for _ in 0..<2 {
                #expect(
                    try await collect(cache.iterator(key: "ints", ttl: "1m", source([1, 0, 2], calls: calls))) == [
                        1, 0, 2,
                    ])
                #expect(
                    try await collect(cache.iterator(key: "texts", ttl: "1m", source(["", "a", ""], calls: calls))) == [
                        "", "a", "",
                    ])
                #expect(
                    try await collect(cache.iterator(key: "arrays", ttl: "1m", source([[], [1]], calls: calls))) == [
                        [], [1],
                    ])
                #expect(try await collect(cache.iterator(key: "none", ttl: "1m", source([Int](), calls: calls))) == [])
                #expect(
                    try await collect(cache.iterator(key: "bools", ttl: "1m", source([false, true], calls: calls))) == [
                        false, true,
                    ])
            }
            #expect(calls.count == 5, "\(name): each sequence made once, then replayed")
            let (_, hits) = try await cache.detect {
                try await collect(cache.iterator(key: "ints", ttl: "1m", source([9], calls: calls)))
            }
            #expect(hits == [CacheHit(key: "iterator:ints", strategy: .iterator)], "\(name)")
        }
    }

    @Test("the sequence expires with its TTL; a stored error ends replays; a refused chunk stops caching")
    func expiryAndErrors() async throws {
        let clock = ManualClock()
        let cache = try Fixture.memory(clock)
        let calls = Calls()
        _ = try await collect(cache.iterator(key: "s", ttl: "1m", source([1, 2], calls: calls)))
        clock.advance(by: .seconds(61))
        _ = try await collect(cache.iterator(key: "s", ttl: "1m", source([1, 2], calls: calls)))
        #expect(calls.count == 2, "expired, made again")

        let failing = Calls()
        for _ in 0..<2 {
            var seen: [Int] = []
            do {
                for try await element in cache.iterator(
                    key: "f", ttl: "1m", condition: .withErrors(Boom.self),
                    source([1, 2], calls: failing, failing: Boom()))
                {
                    seen.append(element)
                }
                Issue.record("expected an error")
            } catch {
                #expect(error is Boom || error is CachedError)
            }
            #expect(seen == [1, 2])
        }
        #expect(failing.count == 1, "the error was stored as the last chunk")

        let refused = Calls()
        for _ in 0..<2 {
            let elements = try await collect(
                cache.iterator(
                    key: "r", ttl: "1m", condition: .custom { (try? $0.get()) != 2 }, source([1, 2, 3], calls: refused))
            )
            #expect(elements == [1, 2, 3])
        }
        #expect(refused.count == 2, "not cached")
    }

    @Test("the source is pulled, never read ahead; a consumer that stops early leaves nothing to replay")
    func pulledAndStoppedEarly() async throws {
        for (name, cache) in try Fixture.both(ManualClock()) {
            let made = Calls()
            let pulled = Calls()
            let makeSource: @Sendable () async throws -> AsyncThrowingStream<Int, any Error> = {
                made.next()
                let index = Calls()
                return AsyncThrowingStream {
                    pulled.next()
                    return index.next()
                }
            }
            var seen: [Int] = []
            for try await element in cache.iterator(key: "endless", ttl: "1m", makeSource) {
                seen.append(element)
                if seen.count == 3 { break }
            }
            #expect(seen == [1, 2, 3], "\(name)")
            #expect(pulled.count == 3, "\(name): one pull per element consumed, none ahead")
            #expect(try await !cache.exists("iterator:endless"), "\(name): no marker for a sequence cut short")
            var again: [Int] = []
            for try await element in cache.iterator(key: "endless", ttl: "1m", makeSource) {
                again.append(element)
                if again.count == 2 { break }
            }
            #expect(again == [1, 2] && made.count == 2, "\(name): made again, not replayed")
        }
    }

    @Test("a replay that finds a chunk missing throws and forgets the sequence")
    func missingChunk() async throws {
        let cache = try Fixture.memory(ManualClock())
        let calls = Calls()
        _ = try await collect(cache.iterator(key: "m", ttl: "1m", source([1, 2, 3], calls: calls)))
        try await cache.delete("iterator:m:#1")
        await #expect(throws: CashewsError.incompleteSequence(key: "iterator:m", missing: 1)) {
            _ = try await collect(cache.iterator(key: "m", ttl: "1m", source([1, 2, 3], calls: calls)))
        }
        #expect(try await collect(cache.iterator(key: "m", ttl: "1m", source([1, 2, 3], calls: calls))) == [1, 2, 3])
        #expect(calls.count == 2)
    }
}
