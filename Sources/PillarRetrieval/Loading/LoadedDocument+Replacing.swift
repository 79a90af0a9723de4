/// A span of a document's text to replace, by Unicode scalar offsets (personal data removed before indexing).
public struct TextReplacement: Sendable, Hashable {
    public var range: Range<Int>
    public var replacement: String

    public init(range: Range<Int>, replacement: String) {
        self.range = range
        self.replacement = replacement
    }
}

extension LoadedDocument {
    /// The document with the spans replaced and every section's range moved to match. Overlapping or
    /// out-of-range replacements are skipped.
    public func replacing(_ replacements: [TextReplacement]) -> LoadedDocument {
        guard !replacements.isEmpty else { return self }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        // The output's length in scalars, kept by hand: `output.count` walks the whole view each time.
        var written = 0
        // new offset of each old offset (and of the end), for moving section bounds
        var moved = [Int](repeating: 0, count: scalars.count + 1)
        var position = 0
        for replacement in replacements.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            guard replacement.range.lowerBound >= position, replacement.range.upperBound <= scalars.count else { continue }
            while position < replacement.range.lowerBound {
                moved[position] = written
                output.append(scalars[position])
                written += 1
                position += 1
            }
            let start = written
            output.append(contentsOf: replacement.replacement.unicodeScalars)
            written += replacement.replacement.unicodeScalars.count
            for offset in replacement.range { moved[offset] = start }
            position = replacement.range.upperBound
        }
        while position < scalars.count {
            moved[position] = written
            output.append(scalars[position])
            written += 1
            position += 1
        }
        moved[scalars.count] = written
        var copy = self
        copy.text = String(output)
        copy.sections = sections.map { section in
            var section = section
            // A bound inside a replaced span moves to the replacement's start: a section that ends there gives the
            // replacement to the next section; nothing is lost or duplicated.
            let lower = moved[min(section.range.lowerBound, scalars.count)]
            let upper = moved[min(section.range.upperBound, scalars.count)]
            section.range = lower..<max(lower, upper)
            return section
        }
        return copy
    }
}
