import Foundation
import PillarCore
import PillarTokenization
import Synchronization

/// Counts tokens as the model's own tokenizer does, for what the gateway reserves before a call and for what it
/// meters when an upstream reports no usage. OpenAI models use their encoding (o200k_base for GPT-4o, GPT-4.1,
/// GPT-5 and the o-series; cl100k_base for GPT-4 and GPT-3.5), found from the deployment's upstream model, its
/// `tokenizer` setting, or the model name. Other families (Llama, Mistral, SmolLM…) are counted with
/// cl100k_base, the nearest general vocabulary. Rank files load on first use from `directory`; without them,
/// counts fall back to about four characters a token.
public final class TokenCounter: Sendable {
    public let directory: URL?
    /// Client-facing model names to their encoding, from the deployments that serve them.
    private let families: [String: TokenizerFamily]
    private let encodings = Mutex<[TokenizerFamily: BytePairEncoding]>([:])
    /// Encodings whose rank file could not be read, so that a missing file is looked for once.
    private let missing = Mutex<Set<TokenizerFamily>>([])

    public init(directory: URL?, families: [String: TokenizerFamily] = [:]) {
        self.directory = directory
        self.families = families
    }

    /// Counts at about four characters a token (no rank files).
    public static let estimating = TokenCounter(directory: nil)

    /// The encoding a deployment's model uses: its `tokenizer` setting, else the upstream model's name.
    public static func family(of deployment: ModelDeployment) -> TokenizerFamily? {
        deployment.tokenizer.flatMap(TokenizerFamily.init(rawValue:)) ?? TokenizerFamily.forModel(deployment.upstreamModel)
    }

    /// The encoding counted with for `model`, or nil when only the estimate is available.
    public func encoding(for model: String) -> BytePairEncoding? {
        let family = families[model] ?? TokenizerFamily.forModel(model) ?? .cl100k
        if let loaded = encodings.withLock({ $0[family] }) { return loaded }
        guard let directory, !missing.withLock({ $0.contains(family) }) else { return nil }
        // Loading takes some milliseconds; two first callers may both load, and one result is kept.
        guard
            let encoding = try? BytePairEncoding(
                rankFile: directory.appendingPathComponent(family.cacheFileName),
                pattern: family.pattern)
        else {
            missing.withLock { _ = $0.insert(family) }
            return nil
        }
        return encodings.withLock { loaded in
            if let earlier = loaded[family] { return earlier }
            loaded[family] = encoding
            return encoding
        }
    }

    /// Whether `model` is counted with a real tokenizer (false: estimated from its characters).
    public func isExact(for model: String) -> Bool { encoding(for: model) != nil }

    public func tokens(in text: String, model: String) -> Int {
        guard !text.isEmpty else { return 0 }
        return encoding(for: model)?.count(text) ?? TokenEstimate.tokens(in: text)
    }

    /// A chat request's prompt tokens, by OpenAI's rule for chat models: each message costs three tokens
    /// besides its role and content (one more with a name), and the reply is primed with three.
    public func promptTokens(_ request: ChatCompletionRequest) -> Int {
        guard let encoding = encoding(for: request.model) else { return TokenEstimate.promptTokens(request) }
        return request.messages.reduce(3) { total, message in
            var tokens = 3 + encoding.count(message.role) + encoding.count(message.content?.text ?? "")
            if let name = message.extra["name"]?.stringValue { tokens += 1 + encoding.count(name) }
            return total + tokens
        }
    }

    public func usage(request: ChatCompletionRequest, completion: String) -> Usage {
        Usage(promptTokens: promptTokens(request), completionTokens: tokens(in: completion, model: request.model))
    }
}
