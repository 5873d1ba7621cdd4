import Foundation

/// An exclusive lock on a task directory (`flock` on `<dir>/LOCK`), held while this process owns
/// the task, so two processes given the same `--data-dir` and group never append to one log.
///
/// The kernel drops the lock when the descriptor closes: on `deinit` (the task was revoked) or when
/// the process dies, so a crash never leaves a stale lock behind.
final class TaskDirectoryLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// Takes the lock, retrying every 50 ms for up to `wait` (a previous owner may still be
    /// handing the task over).
    /// - Throws: ``StockSentryError`` naming the directory and the process that holds it.
    static func acquire(directory: String, wait: Duration) throws -> TaskDirectoryLock {
        let path = directory + "/LOCK"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StockSentryError(.io, "task log \(directory): cannot open its lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + wait
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let error = errno
            guard error == EWOULDBLOCK || error == EINTR, ContinuousClock.now < deadline else {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                close(descriptor)
                throw StockSentryError(.io, "task log \(directory) is in use by another process\(holder.isEmpty ? "" : " (pid \(holder))"): two processes must not share a task directory; give each instance its own --data-dir or stop the other one")
            }
            usleep(50_000)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return TaskDirectoryLock(descriptor: descriptor)
    }
}
