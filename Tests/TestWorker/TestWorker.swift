// A helper process for the multi-process tests. Never shipped.
//
//   TestWorker grow-map <dir> <bytes>       grow the map to <bytes> and write past the old size
//   TestWorker hold-reader <dir>            open a read txn, print "ready", then sleep until killed
//   TestWorker open-unprivileged <dir>      become "nobody", try to open, print the error code
import Foundation
import LMDB

@main
struct TestWorker {
    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 3 else {
            FileHandle.standardError.write(Data("usage: TestWorker <command> <dir> [args]\n".utf8))
            exit(2)
        }
        let directory = args[2]
        switch args[1] {
        case "grow-map":
            let bytes = Int(args[3])!
            let env = try Environment(path: directory, options: .init(mapSize: 1 << 20, maximumMapSize: nil))
            let db = try env.database(named: "data", flags: .create)
            try env.setMapSize(bytes)
            // Write more than the old map could hold, so readers of the old size must adopt.
            let value = [UInt8](repeating: 7, count: 1000)
            for batch in 0..<8 {
                try env.write { txn in
                    for i in 0..<500 { try txn.put(value, forKey: Array("grown-\(batch)-\(i)".utf8), in: db) }
                }
            }
            print("grown \(try env.info().mapSize)")
        case "hold-reader":
            let env = try Environment(path: directory)
            let db = try env.database(named: "data", flags: .create)
            try env.read { txn in
                _ = try txn.value(forKey: Array("x".utf8), in: db)
                FileHandle.standardOutput.write(Data("ready\n".utf8))
                while true { sleep(60) }
            }
        case "open-unprivileged":
            // Drop root to "nobody", then try to open: the tests expect EACCES.
            guard setgid(65534) == 0, setuid(65534) == 0 else {
                print("error setuid")
                exit(1)
            }
            do {
                _ = try Environment(path: directory)
                print("opened")
            } catch let error as LMDBError {
                print("error \(error.code.rawValue)")
            }
        default:
            FileHandle.standardError.write(Data("unknown command \(args[1])\n".utf8))
            exit(2)
        }
    }
}
