import CPillarProcess
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Starts a child so that it dies with Pillar, even when Pillar is killed with SIGKILL and has no chance to stop
/// it. Foundation's `Process` runs nothing between fork and exec, so the child is first a launcher, the `pillar`
/// binary itself run as `pillar launch-child --parent PID -- PROGRAM ARGS…`: it asks the kernel for SIGKILL when its
/// parent dies, and then becomes the program with exec, which keeps that request.
public struct ChildLauncher: Sendable, Hashable {
    /// The hidden subcommand of `pillar` that does the launcher's part.
    public static let subcommand = "launch-child"

    /// A program that has the `launch-child` subcommand.
    public var executable: String

    public init(executable: String) { self.executable = executable }

    /// The running `pillar` binary. In a child between fork and exec, `/proc/self/exe` is still the parent's
    /// binary, even when that file was replaced since it started (a rebuild under a running server).
    public static let currentPillar = ChildLauncher(executable: "/proc/self/exe")

    /// The command line that runs `program` through the launcher, bound to this process.
    func command(running program: String, arguments: [String]) -> (executable: String, arguments: [String]) {
        (executable, [Self.subcommand, "--parent", String(getpid()), "--", program] + arguments)
    }

    /// The launcher's part, in the child: bind it to `parent`, give back the default to the signals that Pillar
    /// ignores (it handles SIGTERM and SIGINT itself, and a child inherits ignored signals), and exec `command`.
    /// Returns only when that fails, with the reason.
    public static func execBoundToParent(_ command: [String], parent: Int32) -> String {
        guard let program = command.first else { return "no program to launch" }
        // A parent that died before the kernel was asked would never signal: then nobody wants this child.
        guard pillar_die_with_parent(parent) == 0 else { return "the parent \(parent) is gone" }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigprocmask(SIG_SETMASK, &unblocked, nil)
        let arguments = command.map { strdup($0) } + [nil]
        execv(program, arguments)
        return "cannot run \(program): \(String(cString: strerror(errno)))"
    }
}
