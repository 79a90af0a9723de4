import Foundation

/// What `/proc/PID/stat` and `/proc/PID/cmdline` say about one process: enough to tell whether it still runs,
/// who its parent is, and whether it is the very process that was recorded (a pid is reused; a pid and a start
/// time are not).
struct ProcessStatus: Sendable, Hashable {
    /// One letter: R, S, D, Z (exited, not yet reaped), X, T…
    var state: Character
    var parent: Int32
    /// When the process started, in clock ticks since boot.
    var startTime: UInt64

    init?(pid: Int32) {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return nil }
        self.init(stat: stat)
    }

    init?(stat: String) {
        // The fields follow the parenthesised command name, which may itself hold spaces or parentheses.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // Field 3 of proc(5) is the state, 4 the parent, 22 the start time.
        guard fields.count > 19, let state = fields[0].first, let parent = Int32(fields[1]),
            let startTime = UInt64(fields[19])
        else { return nil }
        self.state = state
        self.parent = parent
        self.startTime = startTime
    }

    var hasExited: Bool { state == "Z" || state == "X" }

    /// The process's arguments, the program first.
    static func commandLine(pid: Int32) -> [String] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return [] }
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }
}
