/// Which OpenAI encoding a model uses, after tiktoken's `model.py` tables.
public enum TokenizerFamily: String, Sendable, CaseIterable {
    case cl100k = "cl100k_base"
    case o200k = "o200k_base"

    /// The split pattern of this encoding.
    public var pattern: PretokenizerPattern {
        switch self {
        case .cl100k: .cl100k
        case .o200k: .o200k
        }
    }

    /// File name tiktoken gives the rank file in its cache (`TIKTOKEN_CACHE_DIR`):
    /// the SHA-1 of the download URL.
    public var cacheFileName: String {
        switch self {
        case .cl100k: "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"
        case .o200k: "fb374d419588a4632f3f557e76b4b70aebbca790"
        }
    }

    // Checked in order: longer o200k prefixes must win over the bare "gpt-4".
    private static let prefixes: [(String, TokenizerFamily)] = [
        ("gpt-4o", .o200k), ("chatgpt-4o", .o200k), ("gpt-4.1", .o200k), ("gpt-4.5", .o200k),
        ("gpt-5", .o200k), ("o1", .o200k), ("o3", .o200k), ("o4", .o200k),
        ("gpt-4", .cl100k), ("gpt-3.5", .cl100k), ("gpt-35", .cl100k),
        ("text-embedding-3", .cl100k), ("text-embedding-ada-002", .cl100k),
    ]

    /// The encoding of `model`, or nil when the model is not known to use
    /// one of these encodings (the caller should fall back to an estimate).
    ///
    /// Accepts provider-qualified names ("azure/gpt-4o", "openrouter/openai/gpt-4.1")
    /// and fine-tune ids ("ft:gpt-4o-mini:org::abc"); case-insensitive.
    public static func forModel(_ model: String) -> TokenizerFamily? {
        var name = Substring(model.lowercased())
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if name.hasPrefix("ft:") { name = name.dropFirst(3) }
        for (prefix, family) in prefixes where name.hasPrefix(prefix) {
            // "o1" must not match e.g. "o10x"; the o-series names continue
            // with "-" or end ("o1", "o3-mini", "o4-mini-2025-04-16").
            if prefix.count == 2 {
                let rest = name.dropFirst(2)
                guard rest.isEmpty || rest.hasPrefix("-") else { continue }
            }
            return family
        }
        return nil
    }
}
