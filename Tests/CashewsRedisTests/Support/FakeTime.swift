import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A clock for a redis-server: a preloaded shim (compiled once per test process) makes the
/// server read its wall-clock time from an 8-byte file that the test writes, so that a
/// `ManualClock` drives the server's expiry exactly, without sleeping.
final class FakeTime: Sendable {
    /// The file the server reads its time from.
    let path: String
    private let descriptor: Int32

    /// A time file at `path`, starting at `milliseconds`.
    init(path: String, milliseconds: Int64) throws {
        self.path = path
        descriptor = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { throw TestFailure("cannot create the time file \(path)") }
        set(milliseconds)
    }

    deinit { close(descriptor) }

    /// Sets the server's time.
    func set(_ milliseconds: Int64) {
        var value = milliseconds.littleEndian
        _ = withUnsafeBytes(of: &value) { pwrite(descriptor, $0.baseAddress, 8, 0) }
    }

    /// The shared library to preload into redis-server (built with `cc` on first use).
    static let shim: Result<String, TestFailure> = {
        let directory = TemporaryDirectory.path("faketime", create: true)
        let source = directory + "/faketime.c"
        let library = directory + "/faketime.so"
        do {
            try shimSource.write(toFile: source, atomically: true, encoding: .utf8)
        } catch {
            return .failure(TestFailure("cannot write \(source): \(error)"))
        }
        let compiler = Process()
        compiler.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        compiler.arguments = ["cc", "-O2", "-shared", "-fPIC", "-o", library, source, "-ldl"]
        do {
            try compiler.run()
            compiler.waitUntilExit()
        } catch {
            return .failure(TestFailure("cannot run cc: \(error)"))
        }
        guard compiler.terminationStatus == 0 else {
            return .failure(TestFailure("cc failed to build the time shim"))
        }
        return .success(library)
    }()

    private static let shimSource = """
        #define _GNU_SOURCE
        #include <dlfcn.h>
        #include <fcntl.h>
        #include <stdint.h>
        #include <stdlib.h>
        #include <sys/mman.h>
        #include <sys/time.h>
        #include <time.h>
        #include <unistd.h>

        static volatile int64_t *fake_ms = 0;

        __attribute__((constructor)) static void attach(void) {
            const char *path = getenv("CASHEWS_FAKE_TIME");
            if (!path) return;
            int fd = open(path, O_RDONLY);
            if (fd < 0) return;
            void *map = mmap(0, 8, PROT_READ, MAP_SHARED, fd, 0);
            close(fd);
            if (map != MAP_FAILED) fake_ms = (volatile int64_t *)map;
        }

        int clock_gettime(clockid_t id, struct timespec *ts) {
            static int (*real)(clockid_t, struct timespec *) = 0;
            if (fake_ms && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) {
                int64_t ms = *fake_ms;
                ts->tv_sec = ms / 1000;
                ts->tv_nsec = (ms % 1000) * 1000000;
                return 0;
            }
            if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
            return real(id, ts);
        }

        int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
            static int (*real)(struct timeval *, void *) = 0;
            if (fake_ms) {
                int64_t ms = *fake_ms;
                tv->tv_sec = ms / 1000;
                tv->tv_usec = (ms % 1000) * 1000;
                return 0;
            }
            if (!real) real = (int (*)(struct timeval *, void *))dlsym(RTLD_NEXT, "gettimeofday");
            return real(tv, tz);
        }

        time_t time(time_t *out) {
            static time_t (*real)(time_t *) = 0;
            if (fake_ms) {
                time_t now = (time_t)(*fake_ms / 1000);
                if (out) *out = now;
                return now;
            }
            if (!real) real = (time_t (*)(time_t *))dlsym(RTLD_NEXT, "time");
            return real(out);
        }
        """
}

/// A test's own failure.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
