import Foundation
import PillarCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs poppler's `pdftotext -layout -enc UTF-8 - -`: the PDF goes in on stdin and the text comes
/// back on stdout, so nothing touches the disk. This blocks the calling thread until the tool exits
/// (at most `timeout`), so callers in async code should run it off the cooperative thread pool.
struct PDFTextExtractor: Sendable {
    var executable: URL
    var timeout: Duration = .seconds(60)

    func extractText(from pdf: Data) throws(LoadingError) -> String {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else { throw .pdfToolMissing }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["-layout", "-enc", "UTF-8", "-", "-"]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        do {
            try process.run()
        } catch {
            throw .pdfToolMissing
        }

        // Feed stdin and drain stdout and stderr at the same time: a tool that fills one pipe while
        // we block on another would deadlock.
        let output = PipeCollector(stdout.fileHandleForReading)
        let errors = PipeCollector(stderr.fileHandleForReading)
        Self.feed(pdf, to: stdin.fileHandleForWriting)

        let seconds = timeout.seconds
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            throw .pdfFailed("the PDF took longer than \(Int(seconds)) seconds to read")
        }
        let text = output.wait()
        let diagnostics = errors.wait()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let firstLine =
                String(decoding: diagnostics, as: UTF8.self)
                .split(whereSeparator: \.isNewline).first.map { String($0.prefix(200)) } ?? ""
            throw .pdfFailed(firstLine)
        }
        return try TextDecoding.decode(text)
    }

    /// Writes the PDF on a thread of its own with SIGPIPE blocked, so a tool that exits without
    /// reading all of stdin makes `write` fail with EPIPE instead of killing the server. A
    /// thread-directed SIGPIPE stays pending on that thread and is discarded when it ends.
    private static func feed(_ data: Data, to handle: FileHandle) {
        let thread = Thread {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            let fd = handle.fileDescriptor
            data.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written > 0 { offset += written } else if written < 0 && errno == EINTR { continue } else { break }
                }
            }
            try? handle.close()
        }
        thread.start()
    }
}

/// Reads a pipe to its end on a background thread.
private final class PipeCollector: @unchecked Sendable {
    // Written once by the reading thread before `done` is signalled, read only after waiting on it.
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        let thread = Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }
        thread.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
