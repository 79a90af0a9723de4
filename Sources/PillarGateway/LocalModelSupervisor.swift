import AsyncHTTPClient
import Foundation
import Logging
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#endif

/// Runs llama.cpp's `llama-server` as a child process on a loopback port, so that a crash of the model
/// stays out of Pillar's own process. It waits for the server's health check, restarts it with backoff when
/// it dies, and on shutdown sends SIGTERM, then SIGKILL after a grace period. Started through a `ChildLauncher`,
/// the server dies with Pillar even when Pillar is killed; one that a previous run left anyway (recorded in
/// `recordFile`) is stopped before a new one starts.
public actor LocalModelSupervisor: Service {
    public struct Configuration: Sendable, Hashable {
        public var serverPath: String
        public var modelPath: String
        public var modelName: String
        public var port: Int
        public var contextSize: Int
        public var threads: Int?
        public var parallel: Int
        public var logFile: String?
        public var startupTimeout: Duration
        public var shutdownGrace: Duration
        /// More llama-server flags, e.g. `--embedding --pooling mean` for an embedding model.
        public var extraArguments: [String]
        /// Starts the server so that it dies with this process; nil: a plain child, which a SIGKILL of this
        /// process leaves running.
        public var launcher: ChildLauncher?
        /// Where the running server is recorded (a `ChildRecord`), so that the next start stops one that a killed
        /// run left behind.
        public var recordFile: String?

        public init(
            serverPath: String, modelPath: String, modelName: String, port: Int, contextSize: Int = 8192,
            threads: Int? = nil, parallel: Int = 4, logFile: String? = nil,
            startupTimeout: Duration = .seconds(60), shutdownGrace: Duration = .seconds(5),
            extraArguments: [String] = [], launcher: ChildLauncher? = nil, recordFile: String? = nil
        ) {
            self.extraArguments = extraArguments
            self.launcher = launcher
            self.recordFile = recordFile
            self.serverPath = serverPath
            self.modelPath = modelPath
            self.modelName = modelName
            self.port = port
            self.contextSize = contextSize
            self.threads = threads
            self.parallel = parallel
            self.logFile = logFile
            self.startupTimeout = startupTimeout
            self.shutdownGrace = shutdownGrace
        }

        public var baseURL: String { "http://127.0.0.1:\(port)/v1" }

        var arguments: [String] {
            var arguments = [
                "--model", modelPath, "--host", "127.0.0.1", "--port", String(port), "--alias", modelName,
                "--ctx-size", String(contextSize), "--parallel", String(parallel), "--no-webui",
            ]
            if let threads { arguments += ["--threads", String(threads)] }
            return arguments + extraArguments
        }

        /// The program and arguments that start the server.
        var command: (executable: String, arguments: [String]) {
            if let launcher { return launcher.command(running: serverPath, arguments: arguments) }
            // Service lifecycle sets SIGTERM and SIGINT to "ignore" in this process to catch them itself, and a
            // child inherits ignored signals: `env --default-signal` gives them back their default before exec,
            // so that the model server can be stopped with SIGTERM. (The launcher does the same.)
            return ("/usr/bin/env", ["--default-signal=TERM,INT", serverPath] + arguments)
        }
    }

    public enum State: String, Sendable {
        case starting, ready, restarting, stopped
    }

    public let configuration: Configuration
    private let httpClient: HTTPClient
    private let logger: Logger
    private var process: Process?
    public private(set) var state: State = .starting
    public private(set) var restarts = 0

    public init(configuration: Configuration, httpClient: HTTPClient, logger: Logger) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    /// Checks that the files exist before anything starts, so a missing model is a clear start-up error.
    public nonisolated static func validate(_ configuration: Configuration) throws {
        let files = FileManager.default
        guard files.isExecutableFile(atPath: configuration.serverPath) else {
            throw SupervisorError(
                "llama-server not found or not executable at \(configuration.serverPath); run `make setup` or set localModel.serverPath (PILLAR_LOCAL_MODEL_SERVER_PATH)"
            )
        }
        guard files.fileExists(atPath: configuration.modelPath) else {
            throw SupervisorError(
                "model file not found at \(configuration.modelPath); run `make setup` or set localModel.modelPath (PILLAR_LOCAL_MODEL_MODEL_PATH)"
            )
        }
    }

    public func run() async throws {
        try Self.validate(configuration)
        if let recordFile = configuration.recordFile { await ChildRecord.reapStale(recordedAt: recordFile, logger: logger) }
        var backoff = Duration.milliseconds(500)
        await withGracefulShutdownHandler {
            while !Task.isCancelled, !Task.isShuttingDownGracefully {
                let startedAt = ContinuousClock.now
                do {
                    let exitStatus = try await runOnce()
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    logger.error(
                        "local model server exited; restarting",
                        metadata: [
                            "status": "\(exitStatus)", "backoff_ms": "\(backoff.milliseconds)",
                        ])
                } catch {
                    if Task.isCancelled || Task.isShuttingDownGracefully { break }
                    logger.error("local model server failed to start; retrying", metadata: ["error": "\(error)"])
                }
                state = .restarting
                restarts += 1
                // A server that stayed up a while earns a fresh, short backoff.
                if ContinuousClock.now - startedAt > .seconds(60) { backoff = .milliseconds(500) }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        } onGracefulShutdown: {
            Task { await self.stopProcess() }
        }
        await stopProcess()
        state = .stopped
    }

    /// Starts the server, waits for it to be healthy, then for it to exit. Returns its exit status.
    private func runOnce() async throws -> Int32 {
        let process = Process()
        let command = configuration.command
        process.executableURL = URL(fileURLWithPath: command.executable)
        process.arguments = command.arguments
        if let logFile = configuration.logFile {
            if !FileManager.default.fileExists(atPath: logFile) {
                _ = FileManager.default.createFile(atPath: logFile, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: logFile))
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        } else {
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
        }
        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            exited.continuation.yield(finished.terminationStatus)
            exited.continuation.finish()
        }
        state = .starting
        try await SpawningThread.shared.run { try process.run() }
        self.process = process
        if let recordFile = configuration.recordFile {
            do {
                try ChildRecord.started(pid: process.processIdentifier, program: configuration.serverPath)?.write(to: recordFile)
            } catch {
                logger.warning(
                    "could not record the model server's pid", metadata: ["file": "\(recordFile)", "error": "\(error)"])
            }
        }
        defer { if let recordFile = configuration.recordFile { try? FileManager.default.removeItem(atPath: recordFile) } }
        logger.info(
            "local model server starting",
            metadata: [
                "pid": "\(process.processIdentifier)", "port": "\(configuration.port)", "model": "\(configuration.modelName)",
            ])
        let healthy = await waitUntilHealthy(process)
        if healthy {
            state = .ready
            logger.info("local model server ready", metadata: ["url": "\(configuration.baseURL)"])
        } else if process.isRunning {
            if !Task.isCancelled {
                logger.error("local model server did not become healthy in time; stopping it")
            }
            await stopProcess()
        }
        var status: Int32 = -1
        for await value in exited.stream { status = value }
        // Cancellation ends the wait above while the server still runs: stop it before letting go of it.
        if process.isRunning { await stopProcess() }
        self.process = nil
        return status
    }

    private func waitUntilHealthy(_ process: Process) async -> Bool {
        let deadline = ContinuousClock.now + configuration.startupTimeout
        while ContinuousClock.now < deadline, process.isRunning, !Task.isCancelled {
            if await isHealthy() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return false
    }

    public func isHealthy() async -> Bool {
        let request = HTTPClientRequest(url: "http://127.0.0.1:\(configuration.port)/health")
        guard let response = try? await httpClient.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 64 * 1024)
        return response.status == .ok
    }

    /// SIGTERM, then SIGKILL if the process outlives the grace period.
    private func stopProcess() async {
        guard let process, process.isRunning else { return }
        let pid = process.processIdentifier
        logger.info("stopping local model server", metadata: ["pid": "\(pid)"])
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + configuration.shutdownGrace
        while isProcessAlive(pid), ContinuousClock.now < deadline {
            await pause(milliseconds: 50)
        }
        if isProcessAlive(pid) {
            logger.warning("local model server ignored SIGTERM; killing it", metadata: ["pid": "\(pid)"])
            kill(pid, SIGKILL)
            for _ in 0..<100 where isProcessAlive(pid) { await pause(milliseconds: 10) }
        }
    }

    /// The pid of the running server, for tests that kill it to prove the restart.
    public var processIdentifier: Int32? { process?.isRunning == true ? process?.processIdentifier : nil }
}

/// Whether a process still runs. A child that exited but is not yet reaped (a zombie) has stopped; Foundation's
/// `Process.isRunning` only turns false once Foundation reaps it, which can lag by seconds.
public func isProcessAlive(_ pid: Int32) -> Bool {
    guard let status = ProcessStatus(pid: pid) else { return kill(pid, 0) == 0 }
    return !status.hasExited
}

/// A wait that cancellation does not cut short: stopping a child must finish even in a cancelled task.
func pause(milliseconds: Int) async {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { continuation.resume() }
    }
}

public struct SupervisorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A free TCP port on loopback, found by letting the kernel pick one.
public func findFreeLoopbackPort() throws -> Int {
    let (descriptor, port) = try bindLoopbackSocket()
    close(descriptor)
    return port
}

/// A TCP socket bound (not listening) to a port the kernel picked on 127.0.0.1, and that port. Connections to it
/// are refused and nobody else can bind the port until the descriptor is closed.
public func bindLoopbackSocket() throws -> (descriptor: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw SupervisorError("socket() failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard bound == 0, named == 0 else {
        close(fd)
        throw SupervisorError("could not bind a loopback port")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
