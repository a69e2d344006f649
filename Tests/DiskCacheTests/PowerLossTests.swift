import Foundation
import LMDB
import TestSupport
import Testing

@testable import DiskCache

/// The states a machine crash can leave under the default durability (no flush per commit),
/// fabricated from copies of the data file taken at flushes: a meta page newer than the pages
/// it points to, the reverse, and a file shorter than its meta page says. Each is opened in a
/// child process with the default configuration: it must open, without a person, never return
/// a wrong value, and say what it did.
@Suite("DiskCache after a power loss", .serialized)
struct PowerLossTests {
    private func value(_ key: String, _ version: Int) -> [UInt8] {
        Array(String(repeating: "\(key):v\(version)|", count: 40).utf8)
    }

    /// Writes a first generation and flushes (copy A), then overwrites, deletes and adds, and
    /// flushes again (copy B). Returns both copies and the marker as it was between them.
    private func generations(_ path: String) throws -> (a: [UInt8], b: [UInt8], marker: String) {
        let cache = try DiskCache(
            directory: path, configuration: .init(sizeLimit: nil, durability: .periodic(.seconds(3600))))
        for index in 0..<400 { try cache.set(value("k\(index)", 1), forKey: "k\(index)") }
        try cache.flush()
        let a = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")))
        #expect(try String(contentsOfFile: path + "/synced", encoding: .utf8).contains("state=clean"))
        for index in stride(from: 0, to: 400, by: 2) { try cache.set(value("k\(index)", 2), forKey: "k\(index)") }
        // What the marker says when the machine stops between the two flushes.
        let marker = try String(contentsOfFile: path + "/synced", encoding: .utf8)
        #expect(marker.contains("state=dirty"))
        for index in stride(from: 1, to: 400, by: 7) { try cache.delete("k\(index)") }
        for index in 400..<700 { try cache.set(value("k\(index)", 2), forKey: "k\(index)") }
        try cache.flush()
        let b = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path + "/data.mdb")))
        return (a, b, marker)
    }

    /// A cache directory holding `data` as its data file, with `marker` rewritten to another boot.
    private func fabricate(_ data: [UInt8], marker: String, in path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        chmod(path, 0o700)
        try Data(data).write(to: URL(fileURLWithPath: path + "/data.mdb"))
        let otherBoot = marker.replacingOccurrences(
            of: #"boot=\S+"#, with: "boot=00000000-another-boot", options: .regularExpression)
        try otherBoot.write(toFile: path + "/synced", atomically: true, encoding: .utf8)
    }

    private func openInChild(_ path: String) -> (line: String, status: Int32) {
        guard let worker = try? Worker.start(["open-values", path]) else { return ("no worker", -1) }
        let line = worker.readLine(seconds: 120)
        return (line, worker.wait())
    }

    @Test("meta pages newer than the data, the reverse, and a short file: opens, never a wrong value")
    func fabricatedStates() throws {
        try withCacheDirectory { path in
            let (a, b, marker) = try generations(path)
            let page = 4096
            let newerMeta = Array(b[0..<(2 * page)]) + Array(a[(2 * page)...])  // A's pages, B's meta
            let olderMeta = Array(a[0..<(2 * page)]) + Array(b[(2 * page)...])  // B's pages, A's meta
            let short = Array(b[0..<(b.count / 2)])
            for (name, data) in [("newer-meta", newerMeta), ("older-meta", olderMeta), ("short", short), ("intact", b)]
            {
                let directory = path + "-" + name
                defer { try? FileManager.default.removeItem(atPath: directory) }
                try fabricate(data, marker: marker, in: directory)
                let (line, status) = openInChild(directory)
                #expect(status == 0, "\(name): the open crashed (status \(status))")
                #expect(line.hasPrefix("ok "), "\(name): \(line)")
                #expect(line.contains("unclean=1"), "\(name): the open did not notice the crash: \(line)")
                #expect(line.hasSuffix("clean=true"), "\(name): \(line)")
                if name == "intact" { #expect(line.hasPrefix("ok 643 "), "\(name): \(line)") }
            }
        }
    }

    @Test("the same boot (a process crash) or nothing after the last flush: no verification")
    func safeStates() throws {
        try withCacheDirectory { path in
            let (_, b, marker) = try generations(path)
            let (line, status) = openInChild(path)  // same boot: the page cache kept everything
            #expect(status == 0 && line == "ok 643 unclean=0 clean=true", "\(line)")
            let directory = path + "-flushed"
            defer { try? FileManager.default.removeItem(atPath: directory) }
            try fabricate(b, marker: marker, in: directory)
            // Another boot, but the marker says B's last transaction is on the disk, and clean.
            let transaction = try Environment.lastCommittedTransaction(atPath: directory)
            let flushed = marker.replacingOccurrences(
                of: #"transaction=\d+"#, with: "transaction=\(transaction)", options: .regularExpression
            ).replacingOccurrences(of: "state=dirty", with: "state=clean")
            try fabricate(b, marker: flushed, in: directory)
            let (again, code) = openInChild(directory)
            #expect(code == 0 && again == "ok 643 unclean=0 clean=true", "\(again)")
        }
    }
}
