import Foundation

/// Where `make setup` keeps what it fetches and builds once per machine (llama-server, the models, the
/// tokenizers' rank files): `$PILLAR_CACHE`, by default `~/.cache/pillar`. The server, the benchmarks and the
/// tests all look there.
public enum PillarCache {
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["PILLAR_CACHE"] ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/pillar"
    }

    /// The tokenizers' rank files, under their tiktoken cache names (scripts/setup-tokenizers.sh).
    public static func tokenizers(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        URL(fileURLWithPath: directory(environment: environment)).appendingPathComponent("tokenizers")
    }
}
