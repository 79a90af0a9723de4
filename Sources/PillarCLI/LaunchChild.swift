import ArgumentParser
import Foundation
import PillarGateway

/// `pillar launch-child --parent PID -- PROGRAM ARGS…`, not for people: how the server starts llama-server so that
/// it dies with the server (see `ChildLauncher`). It becomes PROGRAM, or exits 127 saying why it could not.
struct LaunchChild: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: ChildLauncher.subcommand, abstract: "Run a program that dies with its parent (used by serve).",
        shouldDisplay: false)

    @Option(help: "The pid that must still be the parent.") var parent: Int32
    @Argument(parsing: .postTerminator) var command: [String] = []

    func run() throws {
        let failure = ChildLauncher.execBoundToParent(command, parent: parent)
        FileHandle.standardError.write(Data("pillar launch-child: \(failure)\n".utf8))
        throw ExitCode(127)
    }
}
