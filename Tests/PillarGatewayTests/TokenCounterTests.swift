import Foundation
import PillarCore
import PillarTokenization
import Testing

@testable import PillarGateway

/// What the gateway reserves and meters is counted by the model family's tokenizer (exactness against tiktoken
/// is proven in PillarTokenizationTests), with OpenAI's per-message overhead.
@Suite struct TokenCounterTests {
    static let directory = PillarCache.tokenizers()

    let counter = TokenCounter(directory: directory)

    @Test func modelsAreCountedWithTheirFamilysEncoding() throws {
        let text = "Tokenizers differ: 👋🏽 naïve café, 12345 and 'quoted' words."
        let cl100k = try BytePairEncoding(
            rankFile: Self.directory.appendingPathComponent(TokenizerFamily.cl100k.cacheFileName), pattern: .cl100k)
        let o200k = try BytePairEncoding(
            rankFile: Self.directory.appendingPathComponent(TokenizerFamily.o200k.cacheFileName), pattern: .o200k)
        #expect(cl100k.count(text) != o200k.count(text), "the text tells the two encodings apart")
        #expect(counter.tokens(in: text, model: "gpt-4o-mini") == o200k.count(text))
        #expect(counter.tokens(in: text, model: "gpt-4") == cl100k.count(text))
        #expect(counter.tokens(in: text, model: "llama-3.1-8b") == cl100k.count(text), "other families: cl100k")
        let named = TokenCounter(directory: Self.directory, families: ["my-azure-deployment": .o200k])
        #expect(named.tokens(in: text, model: "my-azure-deployment") == o200k.count(text))
    }

    @Test func promptTokensFollowOpenAIsPerMessageRule() throws {
        let request = try JSONDecoder().decode(
            ChatCompletionRequest.self,
            from: Data(
                #"""
                {"model": "gpt-4o", "messages": [
                  {"role": "system", "content": "You are terse."},
                  {"role": "user", "name": "ada", "content": "What is 2 + 2?"}]}
                """#.utf8))
        let encoding = try #require(counter.encoding(for: "gpt-4o"))
        let expected =
            3 + (3 + encoding.count("system") + encoding.count("You are terse."))
            + (3 + encoding.count("user") + encoding.count("What is 2 + 2?") + 1 + encoding.count("ada"))
        #expect(counter.promptTokens(request) == expected)
        #expect(counter.usage(request: request, completion: "Four.").completionTokens == encoding.count("Four."))
    }

    @Test func withoutRankFilesTheEstimateIsUsed() throws {
        let missing = TokenCounter(directory: URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)"))
        let text = String(repeating: "word ", count: 40)
        #expect(!missing.isExact(for: "gpt-4o"))
        #expect(missing.tokens(in: text, model: "gpt-4o") == TokenEstimate.tokens(in: text))
        #expect(TokenCounter.estimating.tokens(in: text, model: "gpt-4o") == TokenEstimate.tokens(in: text))
    }

    @Test func aDeploymentsTokenizerSettingWinsOverItsModelName() {
        let azure = ModelDeployment(
            name: "east", api: .azureOpenAI, baseURL: "https://x.openai.azure.com",
            upstreamModel: "prod-chat", servedModels: ["chat"], tokenizer: "o200k_base")
        #expect(TokenCounter.family(of: azure) == .o200k)
        let named = ModelDeployment(
            name: "oai", api: .openAI, baseURL: "https://api.openai.com/v1",
            upstreamModel: "gpt-4-turbo", servedModels: ["chat"])
        #expect(TokenCounter.family(of: named) == .cl100k)
    }
}
