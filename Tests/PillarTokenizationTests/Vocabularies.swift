import Foundation
import PillarCore
import PillarTokenization

/// The rank files the fixtures were generated with, loaded once per test run, from where `make setup` puts
/// them (`$PILLAR_CACHE/tokenizers`, taken out of the litellm wheel by scripts/setup-tokenizers.sh).
enum Vocabularies {
    static let cl100k = Result { try load(.cl100k) }
    static let o200k = Result { try load(.o200k) }

    static func encoding(_ family: TokenizerFamily) throws -> BytePairEncoding {
        switch family {
        case .cl100k: try cl100k.get()
        case .o200k: try o200k.get()
        }
    }

    private static func load(_ family: TokenizerFamily) throws -> BytePairEncoding {
        try BytePairEncoding(
            rankFile: PillarCache.tokenizers().appendingPathComponent(family.cacheFileName),
            pattern: family.pattern)
    }
}
