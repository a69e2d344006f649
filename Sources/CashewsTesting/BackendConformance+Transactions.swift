import Cashews

// MARK: Transactions

extension BackendConformance {
    /// The contract of ``Backend/commit(_:)``: a committed transaction's writes, applied in order.
    static let transactions: [ConformanceCheck] = [
        ConformanceCheck("commit applies pattern deletes, sets and deletes in order, with millisecond expiries") {
            context in
            let backend = context.backend
            try await backend.put("page:1", "old")
            try await backend.put("page:2", "old")
            try await backend.put("gone", "old")
            try await backend.commit([
                .deleteMatching(try GlobPattern("page:*")),
                .set(key: "page:2", value: bytes("new"), expiry: .after(.milliseconds(250))),
                .set(key: "kept", value: bytes("v"), expiry: .never),
                .delete(key: "gone"),
                .delete(key: "never-there"),
            ])
            try expect(try await backend.keys(matching: GlobPattern("*")).sorted() == ["kept", "page:2"], "keys")
            try expect(text(try await backend.get("page:2")) == "new", "the set after the pattern delete stays")
            try expect(
                try await backend.timeToLive("page:2") == .remaining(.milliseconds(250)),
                "a sub-second expiry keeps its milliseconds")
            try expect(try await backend.timeToLive("kept") == .forever, "no expiry")
            context.clock.advance(by: .milliseconds(251))
            try expect(try await backend.get("page:2") == nil, "expired")
        },
        ConformanceCheck("an atomic commit that fails stores none of its writes") { context in
            let backend = context.backend
            guard backend.commitsAtomically else { return }
            try await expectThrows("an empty key fails the commit") {
                try await backend.commit([
                    .set(key: "first", value: bytes("v"), expiry: .never),
                    .set(key: "", value: bytes("v"), expiry: .never),
                ])
            }
            try expect(try await backend.get("first") == nil, "the write before the failing one is not stored")
        },
    ]
}
