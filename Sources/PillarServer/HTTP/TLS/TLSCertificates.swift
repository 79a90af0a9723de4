import Foundation
import Logging
import NIOSSL
import ServiceLifecycle
import Synchronization

/// The certificate and key Pillar serves TLS with, read from files and read again when they change, so that a
/// renewed certificate (cert-manager, certbot, a mounted secret) takes effect without a restart. Connections
/// already open keep the context they began with; each new one gets the current.
final class TLSCertificates: Sendable {
    struct Files: Sendable, Equatable {
        var certificate: Data
        var key: Data
    }

    let certificateFile: String
    let keyFile: String
    private let state: Mutex<(files: Files, context: NIOSSLContext)>

    /// Reads and checks both files: a start with an unreadable or mismatched pair fails, naming the setting.
    init(certificateFile: String, keyFile: String) throws {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        let files = try Self.read(certificateFile: certificateFile, keyFile: keyFile)
        state = Mutex((files, try Self.context(files)))
    }

    /// The context a new connection uses.
    var current: NIOSSLContext { state.withLock { $0.context } }

    /// Reads the files again; when they changed and make a valid pair, new connections use them. A pair that
    /// does not (a renewal caught half-written) keeps the one in use, and the next check tries again.
    /// - Returns: whether the certificate in use changed.
    @discardableResult
    func reloadIfChanged(logger: Logger) -> Bool {
        do {
            let files = try Self.read(certificateFile: certificateFile, keyFile: keyFile)
            guard files != state.withLock({ $0.files }) else { return false }
            let context = try Self.context(files)
            state.withLock { $0 = (files, context) }
            logger.notice("TLS certificate reloaded", metadata: ["certificateFile": "\(certificateFile)"])
            return true
        } catch {
            logger.error(
                "TLS certificate not reloaded; the one in use stays",
                metadata: ["certificateFile": "\(certificateFile)", "error": "\(error)"])
            return false
        }
    }

    static func read(certificateFile: String, keyFile: String) throws -> Files {
        guard let certificate = FileManager.default.contents(atPath: certificateFile) else {
            throw ConfigurationError(key: "server.tls.certificateFile", "cannot read \(certificateFile)")
        }
        guard let key = FileManager.default.contents(atPath: keyFile) else {
            throw ConfigurationError(key: "server.tls.keyFile", "cannot read \(keyFile)")
        }
        return Files(certificate: certificate, key: key)
    }

    static func context(_ files: Files) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(files.certificate))
        } catch {
            throw ConfigurationError(key: "server.tls.certificateFile", "is not a PEM certificate chain: \(error)")
        }
        guard !chain.isEmpty else {
            throw ConfigurationError(key: "server.tls.certificateFile", "holds no certificate")
        }
        do {
            key = try NIOSSLPrivateKey(bytes: Array(files.key), format: .pem)
        } catch {
            throw ConfigurationError(key: "server.tls.keyFile", "is not a PEM private key: \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ConfigurationError(
                key: "server.tls", "the certificate and the key do not make a usable pair: \(error)")
        }
    }
}

/// Checks the certificate files every `interval` for a renewal.
struct TLSReloadService: Service {
    let certificates: TLSCertificates
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                certificates.reloadIfChanged(logger: logger)
            }
        }
    }
}
