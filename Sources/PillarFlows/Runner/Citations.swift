import PillarCore

/// The `[n]` markers of an answer, mapped to the sources the answer was given.
public enum CitationMarkers {
    /// Markers in order of first appearance: `[1]`, `[2][3]` and `[1, 2]` forms.
    public static func markers(in answer: String) -> [Int] {
        var found: [Int] = []
        var index = answer.startIndex
        while let open = answer[index...].firstIndex(of: "[") {
            guard let close = answer[open...].firstIndex(of: "]") else { break }
            let inside = answer[answer.index(after: open)..<close]
            let numbers = inside.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if !numbers.isEmpty, numbers.count <= 10,
                numbers.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCII) && Int($0) != nil })
            {
                for number in numbers.compactMap({ Int($0) }) where !found.contains(number) { found.append(number) }
            }
            index = answer.index(after: open)
        }
        return found
    }

    /// The cited sources, in order of first citation; markers with no source behind them are left out (a
    /// model that invents `[9]` cites nothing).
    public static func citations(in answer: String, sources: [Citation]) -> [Citation] {
        let byMarker = Dictionary(sources.map { ($0.marker, $0) }, uniquingKeysWith: { first, _ in first })
        return markers(in: answer).compactMap { byMarker[$0] }
    }
}
