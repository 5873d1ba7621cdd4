#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The one owner of an open file descriptor; `deinit` closes it. Every failure is an `EventLogError`.
///
/// Not `Sendable`: a `LogFile` belongs to the `LogWriter`, `LogReader` or recovery pass that opened it.
final class LogFile {
    /// The path the file was opened at.
    let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        if descriptor >= 0 { _ = systemClose(descriptor) }
    }

    /// Opens an existing file for reading.
    static func openForReading(_ path: String) throws -> LogFile {
        try open(path, flags: O_RDONLY, operation: "open for reading")
    }

    /// Opens an existing file for reading and writing.
    static func openForWriting(_ path: String) throws -> LogFile {
        try open(path, flags: O_RDWR, operation: "open for writing")
    }

    /// Creates a new file, failing if it exists, unless `truncating` replaces an existing one.
    static func create(_ path: String, truncating: Bool = false) throws -> LogFile {
        try open(path, flags: O_RDWR | O_CREAT | (truncating ? O_TRUNC : O_EXCL), operation: "create")
    }

    private static func open(_ path: String, flags: Int32, operation: String) throws -> LogFile {
        while true {
            let descriptor = systemOpen(path, flags | O_CLOEXEC, 0o644)
            if descriptor >= 0 { return LogFile(path: path, descriptor: descriptor) }
            if errno == EINTR { continue }
            throw EventLogError.systemCall(operation, path: path, errorNumber: errno)
        }
    }

    /// The file's size in bytes.
    func size() throws -> Int64 {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw EventLogError.systemCall("fstat", path: path, errorNumber: errno)
        }
        return Int64(status.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at end of file.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws -> Int {
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if result > 0 {
                done += result
            } else if result == 0 {
                break
            } else if errno != EINTR {
                throw EventLogError.systemCall("pread", path: path, errorNumber: errno, byteOffset: offset + Int64(done))
            }
        }
        return done
    }

    /// Reads `count` bytes at `offset` into a new array (shorter at end of file).
    func read(count: Int, at offset: Int64) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let read = try bytes.withUnsafeMutableBytes { try self.read(into: $0, at: offset) }
        bytes.removeLast(count - read)
        return bytes
    }

    /// Writes all of `bytes` at `offset`, retrying short writes and `EINTR`.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: Int64) throws {
        var done = 0
        while done < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if result >= 0 {
                done += result
            } else if errno != EINTR {
                throw EventLogError.systemCall("pwrite", path: path, errorNumber: errno, byteOffset: offset + Int64(done))
            }
        }
    }

    /// Makes the file's data and size durable (`fdatasync` on Linux, `F_FULLFSYNC` on Darwin).
    func synchronize() throws {
        #if canImport(Darwin)
        let result = fcntl(descriptor, F_FULLFSYNC)
        #else
        let result = fdatasync(descriptor)
        #endif
        guard result == 0 else { throw EventLogError.systemCall("fsync", path: path, errorNumber: errno) }
    }

    /// Cuts the file to `size` bytes.
    func truncate(to size: Int64) throws {
        guard ftruncate(descriptor, off_t(size)) == 0 else {
            throw EventLogError.systemCall("ftruncate", path: path, errorNumber: errno, byteOffset: size)
        }
    }

    /// Closes the descriptor now and reports a failure (a later `deinit` does nothing).
    func close() throws {
        guard descriptor >= 0 else { return }
        let result = systemClose(descriptor)
        descriptor = -1
        guard result == 0 else { throw EventLogError.systemCall("close", path: path, errorNumber: errno) }
    }

    /// Makes a directory's entries (created, renamed, removed files) durable.
    static func synchronizeDirectory(_ path: String) throws {
        let descriptor = systemOpen(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard descriptor >= 0 else { throw EventLogError.systemCall("open directory", path: path, errorNumber: errno) }
        defer { _ = systemClose(descriptor) }
        guard fsync(descriptor) == 0 else {
            throw EventLogError.systemCall("fsync directory", path: path, errorNumber: errno)
        }
    }

    /// Renames a file, replacing any file at `destination`.
    static func rename(_ source: String, to destination: String) throws {
        guard systemRename(source, destination) == 0 else {
            throw EventLogError.systemCall("rename to \(destination)", path: source, errorNumber: errno)
        }
    }

    /// Removes a file; a file that is already gone is not an error.
    static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw EventLogError.systemCall("unlink", path: path, errorNumber: errno)
        }
    }

    /// Creates a directory and its parents when missing.
    static func createDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 && errno != EEXIST {
                throw EventLogError.systemCall("mkdir", path: prefix, errorNumber: errno)
            }
            prefix += "/"
        }
    }

    /// The names of a directory's entries, without `.` and `..`.
    static func entries(of directory: String) throws -> [String] {
        guard let stream = opendir(directory) else {
            throw EventLogError.systemCall("opendir", path: directory, errorNumber: errno)
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}

private func systemOpen(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Darwin)
    Darwin.open(path, flags, mode)
    #elseif canImport(Musl)
    Musl.open(path, flags, mode)
    #else
    Glibc.open(path, flags, mode)
    #endif
}

private func systemClose(_ descriptor: Int32) -> Int32 {
    #if canImport(Darwin)
    Darwin.close(descriptor)
    #elseif canImport(Musl)
    Musl.close(descriptor)
    #else
    Glibc.close(descriptor)
    #endif
}

private func systemRename(_ source: String, _ destination: String) -> Int32 {
    #if canImport(Darwin)
    Darwin.rename(source, destination)
    #elseif canImport(Musl)
    Musl.rename(source, destination)
    #else
    Glibc.rename(source, destination)
    #endif
}
