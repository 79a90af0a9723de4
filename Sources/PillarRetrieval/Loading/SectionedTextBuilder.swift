/// Builds a document's text piece by piece while counting Unicode scalars, so loaders can record
/// section offsets without re-walking the text (counting `text.unicodeScalars` after every append
/// would be quadratic).
struct SectionedTextBuilder {
    private(set) var text = ""
    private(set) var scalarCount = 0
    private(set) var sections: [Section] = []
    // Text before the first explicit section belongs to a section with an empty heading path.
    private var openSection: (headingPath: [String], start: Int)? = ([], 0)

    mutating func append(_ piece: some StringProtocol) {
        text.append(contentsOf: piece)
        scalarCount += piece.unicodeScalars.count
    }

    mutating func append(_ scalar: Unicode.Scalar) {
        text.unicodeScalars.append(scalar)
        scalarCount += 1
    }

    /// Ends the open section here and starts a new one.
    mutating func startSection(_ headingPath: [String]) {
        closeSection()
        openSection = (headingPath, scalarCount)
    }

    /// Changes the heading path of the open section (HTML knows a heading's text only at its end).
    mutating func renameOpenSection(_ headingPath: [String]) {
        openSection?.headingPath = headingPath
    }

    /// Ends the open section here. Sections that would hold no text are dropped.
    mutating func closeSection() {
        if let open = openSection, open.start < scalarCount {
            sections.append(Section(headingPath: open.headingPath, range: open.start..<scalarCount))
        }
        openSection = nil
    }

    /// The finished document; throws `empty` when nothing visible was written.
    mutating func build(title: String?) throws(LoadingError) -> LoadedDocument {
        closeSection()
        guard !TextDecoding.isBlank(text) else { throw .empty }
        return LoadedDocument(title: title, text: text, sections: sections)
    }
}
