/// The character classes that tiktoken's split regexes ask about, packed into
/// one bit set per Unicode scalar so the scanners test a class with one AND.
///
/// The reference engine (Rust `fancy-regex` on top of `regex`) matches on
/// Unicode scalars; `\p{L}`, `\p{N}`, `\p{M}`, ... are General_Category
/// groups and `\s` is the White_Space property. Swift's
/// `Unicode.Scalar.Properties` exposes the same two properties. The tables
/// differ in Unicode version, though: tiktoken 0.14's regex crate knows
/// Unicode 16.0 while Swift 6.3 knows 17.0, so scalars assigned after 16.0
/// are classified as unassigned (see `referenceUnicodeVersion`).
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt16

    /// `\p{L}`: Lu, Ll, Lt, Lm, Lo.
    static let letter = ScalarClass(rawValue: 1 << 0)
    /// `\p{N}`: Nd, Nl, No.
    static let number = ScalarClass(rawValue: 1 << 1)
    /// `\s`: the White_Space property.
    static let whitespace = ScalarClass(rawValue: 1 << 2)
    /// `[\r\n]`.
    static let lineBreak = ScalarClass(rawValue: 1 << 3)
    /// o200k's "upper" set `[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`.
    static let upperish = ScalarClass(rawValue: 1 << 4)
    /// o200k's "lower" set `[\p{Ll}\p{Lm}\p{Lo}\p{M}]`.
    static let lowerish = ScalarClass(rawValue: 1 << 5)
    /// U+0027, the only apostrophe the contraction rules know.
    static let apostrophe = ScalarClass(rawValue: 1 << 6)
    /// U+0020: the optional leading `' '` of the punctuation rules.
    static let space = ScalarClass(rawValue: 1 << 7)
    /// `/`, which o200k lets trail a punctuation run (`[\r\n/]*`).
    static let slash = ScalarClass(rawValue: 1 << 8)

    // Bits 12...15 hold a small code naming the letter a contraction may
    // continue with (see `ContractionLetter`); 0 means "none".
    static let contractionShift: UInt16 = 12

    /// `[^\s\p{L}\p{N}]`, the "punctuation" of both patterns (marks included).
    @inline(__always)
    var isPunctuation: Bool { rawValue & 0b111 == 0 }

    @inline(__always)
    var contractionLetter: ContractionLetter {
        ContractionLetter(rawValue: UInt8(truncatingIfNeeded: rawValue >> Self.contractionShift)) ?? .none
    }
}

/// The letters that may follow `'` in a contraction (`'s 't 're 've 'm 'll 'd`),
/// matched case-insensitively. The regex crate applies Unicode simple case
/// folding, so `(?i)s` also matches U+017F LATIN SMALL LETTER LONG S; the
/// reference tiktoken was checked to do so.
enum ContractionLetter: UInt8, Sendable {
    case none = 0
    case s, t, d, m, l, v, r, e

    init(scalar: UInt32) {
        switch scalar {
        case 0x73, 0x53, 0x17F: self = .s
        case 0x74, 0x54: self = .t
        case 0x64, 0x44: self = .d
        case 0x6D, 0x4D: self = .m
        case 0x6C, 0x4C: self = .l
        case 0x76, 0x56: self = .v
        case 0x72, 0x52: self = .r
        case 0x65, 0x45: self = .e
        default: self = .none
        }
    }
}

extension ScalarClass {
    /// The Unicode version of the reference regex engine's property tables
    /// (Rust regex-syntax 0.8 as used by tiktoken 0.14). The scalar sweep
    /// test (`scalar-sweep.jsonl`) detects a change on either side.
    static let referenceUnicodeVersion: Unicode.Version = (16, 0)

    /// Classifies one scalar from its Unicode properties. Slow-ish; callers go
    /// through `ScalarClassTable` which caches the Basic Multilingual Plane.
    static func compute(_ value: UInt32) -> ScalarClass {
        guard let scalar = Unicode.Scalar(value) else { return [] }
        let properties = scalar.properties
        // A scalar the reference engine's tables do not know yet is Cn
        // there: not a letter, number, mark or space, i.e. punctuation.
        if let age = properties.age, age > referenceUnicodeVersion { return [] }
        var result: ScalarClass = []
        switch properties.generalCategory {
        case .uppercaseLetter, .titlecaseLetter:
            result.formUnion([.letter, .upperish])
        case .lowercaseLetter:
            result.formUnion([.letter, .lowerish])
        case .modifierLetter, .otherLetter:
            result.formUnion([.letter, .upperish, .lowerish])
        case .nonspacingMark, .spacingMark, .enclosingMark:
            result.formUnion([.upperish, .lowerish])
        case .decimalNumber, .letterNumber, .otherNumber:
            result.insert(.number)
        default:
            break
        }
        if properties.isWhitespace { result.insert(.whitespace) }
        switch value {
        case 0x0A, 0x0D: result.insert(.lineBreak)
        case 0x20: result.insert(.space)
        case 0x27: result.insert(.apostrophe)
        case 0x2F: result.insert(.slash)
        default: break
        }
        let letter = ContractionLetter(scalar: value)
        result.formUnion(ScalarClass(rawValue: UInt16(letter.rawValue) << contractionShift))
        return result
    }
}

/// Classes of all BMP scalars, computed once (about 128 KiB), so that text
/// in any common script is classified with a single array load. Astral
/// scalars (emoji, rare CJK) are classified on the fly.
enum ScalarClassTable {
    static let bmp: [ScalarClass] = (0..<0x1_0000).map { ScalarClass.compute(UInt32($0)) }
}
