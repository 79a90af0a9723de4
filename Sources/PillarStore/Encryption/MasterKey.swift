import Crypto
import Foundation

/// The key that wraps every tenant's data key: the customer's own, from `PILLAR_MASTER_KEY` (base64 of 32
/// bytes) or the file named by `PILLAR_MASTER_KEY_FILE`. Without either, a key is generated once into
/// `<data>/master.key` (mode 0600), so that the embedded defaults encrypt too; production should hold the key
/// elsewhere than next to the data.
public struct MasterKey: Sendable {
    public let key: SymmetricKey
    /// A fingerprint that names the key without revealing it: the first 16 hex digits of its SHA-256.
    public let id: String
    /// Where it came from, for messages (never the key itself).
    public let source: String
    /// True when this start generated it (no key was configured and the data directory had none).
    public let generated: Bool

    public init(key: SymmetricKey, source: String, generated: Bool = false) {
        self.key = key
        self.source = source
        self.generated = generated
        self.id = key.withUnsafeBytes { SHA256.hash(data: Data($0)) }.prefix(8).hexString
    }

    public init(base64 text: String, source: String) throws {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw MasterKeyError(
                "\(source) must hold a base64-encoded 256-bit key (32 bytes), such as `openssl rand -base64 32` prints")
        }
        self.init(key: SymmetricKey(data: data), source: source)
    }

    public static func read(file path: String) throws -> MasterKey {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw MasterKeyError("the master key file \(path) cannot be read")
        }
        return try MasterKey(base64: text, source: path)
    }

    /// The configured key, else the generated one of the data directory (made on first use).
    public static func load(environment: [String: String], dataDirectory: String) throws -> MasterKey {
        if let text = environment["PILLAR_MASTER_KEY"], !text.isEmpty {
            return try MasterKey(base64: text, source: "PILLAR_MASTER_KEY")
        }
        if let path = environment["PILLAR_MASTER_KEY_FILE"], !path.isEmpty {
            return try read(file: path)
        }
        let path = (dataDirectory as NSString).appendingPathComponent("master.key")
        if FileManager.default.fileExists(atPath: path) { return try read(file: path) }
        // Two processes starting on a new data directory must end up with one key: the file is created
        // exclusively (link fails when it exists), and the loser reads the winner's.
        let generated = SymmetricKey(size: .bits256)
        let temporary = try writeTemporary(generated, near: path)
        defer { unlink(temporary) }
        if link(temporary, path) != 0 {
            guard errno == EEXIST else { throw MasterKeyError("cannot create the master key file \(path)") }
            return try read(file: path)
        }
        return MasterKey(key: generated, source: path, generated: true)
    }

    static func writeTemporary(_ key: SymmetricKey, near path: String) throws -> String {
        let text = key.withUnsafeBytes { Data($0) }.base64EncodedString() + "\n"
        let temporary = path + ".tmp-\(UUID().uuidString)"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw MasterKeyError("cannot write the master key file \(path)")
        }
        return temporary
    }

    /// Writes a key file readable by its owner only, replacing any old one atomically.
    public static func write(_ key: SymmetricKey, to path: String) throws {
        let temporary = try writeTemporary(key, near: path)
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw MasterKeyError("cannot write the master key file \(path)")
        }
    }
}

public struct MasterKeyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
