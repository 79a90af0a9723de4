import PillarTokenization
import Testing

@Suite struct TokenizerFamilyTests {
    @Test(arguments: [
        ("gpt-4o", TokenizerFamily.o200k), ("gpt-4o-mini-2024-07-18", .o200k), ("chatgpt-4o-latest", .o200k),
        ("gpt-4.1-nano", .o200k), ("gpt-4.5-preview", .o200k), ("gpt-5", .o200k), ("gpt-5-mini", .o200k),
        ("o1", .o200k), ("o1-mini", .o200k), ("o3-mini", .o200k), ("o4-mini", .o200k),
        ("azure/gpt-4o", .o200k), ("openai/gpt-4.1", .o200k), ("openrouter/openai/o3", .o200k),
        ("ft:gpt-4o-mini:acme::abc123", .o200k), ("GPT-4O", .o200k),
        ("gpt-4", .cl100k), ("gpt-4-turbo", .cl100k), ("gpt-4-32k-0613", .cl100k),
        ("gpt-3.5-turbo", .cl100k), ("azure/gpt-35-turbo", .cl100k),
        ("text-embedding-3-small", .cl100k), ("text-embedding-ada-002", .cl100k),
    ])
    func knownModels(model: String, family: TokenizerFamily) {
        #expect(TokenizerFamily.forModel(model) == family)
    }

    @Test(arguments: ["claude-3-5-sonnet", "llama3", "o10-foo", "azure/my-deployment", "", "text-davinci-003"])
    func unknownModels(model: String) {
        #expect(TokenizerFamily.forModel(model) == nil)
    }
}
