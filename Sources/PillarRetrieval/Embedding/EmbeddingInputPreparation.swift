import Foundation

/// What is done to a text before an embedding model sees it. The embedded all-MiniLM-L6-v2 runs under
/// llama.cpp, whose WordPiece differs from the model's own tokenizer in two ways a client must make up for:
/// it does not drop combining marks or control characters (so "Корни́лов" becomes [UNK]), and it never
/// truncates (sentence-transformers keeps the first 256 tokens; llama-server embeds them all, or fails past
/// its batch size). Remote models get their text unchanged.
public struct EmbeddingInputPreparation: Sendable, Hashable {
    /// Canonical decomposition, then combining marks (Mn) and control or format characters (other than
    /// tab, newline and carriage return) dropped: what BERT's own normaliser does, so vectors match it.
    public var foldsMarks: Bool
    /// Texts longer than this many tokens (by the WordPiece estimate, which errs high) are cut at a word.
    public var maxTokens: Int?

    public init(foldsMarks: Bool, maxTokens: Int?) {
        self.foldsMarks = foldsMarks
        self.maxTokens = maxTokens
    }

    public static let unchanged = Self(foldsMarks: false, maxTokens: nil)
    /// For all-MiniLM-L6-v2 under llama.cpp: 256 positions less [CLS] and [SEP].
    public static let localWordPiece = Self(foldsMarks: true, maxTokens: 254)

    public func prepare(_ text: String) -> String {
        var prepared = foldsMarks ? Self.fold(text) : text
        if let maxTokens { prepared = Self.truncate(prepared, maxTokens: maxTokens) }
        return prepared
    }

    static func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .nonspacingMark: continue
            case .control, .format, .surrogate, .privateUse, .unassigned:
                if scalar == "\t" || scalar == "\n" || scalar == "\r" { scalars.append(scalar) }
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// The longest prefix, ending at a word, that the estimate puts within `maxTokens`.
    static func truncate(_ text: String, maxTokens: Int) -> String {
        let counter = WordPieceTokenEstimate()
        guard counter.count(text[...]) > maxTokens else { return text }
        var words = text.split(whereSeparator: \.isWhitespace)
        // Halve the words until under the limit, then add them back one by one: few estimates on long texts.
        while words.count > 1, counter.count(text[..<words[words.count - 1].endIndex]) > maxTokens * 2 {
            words.removeLast(words.count / 2)
        }
        while let last = words.last, counter.count(text[..<last.endIndex]) > maxTokens {
            words.removeLast()
        }
        guard let last = words.last else { return String(text.prefix(maxTokens)) }
        return String(text[..<last.endIndex])
    }
}
