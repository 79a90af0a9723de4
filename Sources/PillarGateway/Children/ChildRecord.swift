import Foundation
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// The child a supervisor runs, written to a file (JSON) while it runs, so that the next start can stop a child
/// that a killed run left behind, should one outlive its parent (started by an older Pillar, or by one whose
/// launcher could not bind it). It says enough to never kill the wrong process: a pid that was reused has
/// another start time, and a child that still has the parent that started it belongs to a running Pillar.
struct ChildRecord: Codable, Sendable, Hashable {
    var pid: Int32
    /// From `/proc/PID/stat`, in clock ticks since boot.
    var startTime: UInt64
    /// The Pillar process that started it.
    var parent: Int32
    /// The program it runs, which its command line must hold.
    var program: String

    /// The record of a child that was just started by this process.
    static func started(pid: Int32, program: String) -> ChildRecord? {
        guard let status = ProcessStatus(pid: pid) else { return nil }
        return ChildRecord(pid: pid, startTime: status.startTime, parent: getpid(), program: program)
    }

    func write(to path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    static func read(from path: String) -> ChildRecord? {
        FileManager.default.contents(atPath: path).flatMap { try? JSONDecoder().decode(ChildRecord.self, from: $0) }
    }

    /// Whether the recorded child still runs, as the same process, orphaned: its parent is gone (it was moved to
    /// init or a subreaper) and its command line still names the program.
    var isOrphanedAndRunning: Bool {
        guard let status = ProcessStatus(pid: pid), !status.hasExited, status.startTime == startTime,
            status.parent != parent
        else { return false }
        return ProcessStatus.commandLine(pid: pid).contains(program)
    }

    /// Kills the child recorded at `path` if a previous run left it running, waits until it is gone (up to 5 s),
    /// and removes the record. Returns the pid it killed.
    @discardableResult
    static func reapStale(recordedAt path: String, logger: Logger) async -> Int32? {
        guard let record = read(from: path) else { return nil }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard record.isOrphanedAndRunning else { return nil }
        logger.warning(
            "stopping a model server that a previous run left running",
            metadata: [
                "pid": "\(record.pid)", "program": "\(record.program)",
            ])
        kill(record.pid, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(5)
        while isProcessAlive(record.pid), ContinuousClock.now < deadline {
            await pause(milliseconds: 20)
        }
        return record.pid
    }
}
