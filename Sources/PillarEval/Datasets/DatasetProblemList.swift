/// Collects an import's problems. Only the earliest `DatasetImportError.maximumReported` are kept (a file
/// where every line is wrong must not cost a problem per line of memory), but all are counted.
struct DatasetProblemList: Sendable {
    private var kept: [(order: Int, problem: DatasetProblem)] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func add(line: Int?, field: String? = nil, _ message: String) {
        kept.append((count, DatasetProblem(line: line, field: field, message: message)))
        count += 1
        if kept.count >= 2 * DatasetImportError.maximumReported { trim() }
    }

    func error() -> DatasetImportError {
        var list = self
        list.trim()
        return DatasetImportError(problems: list.kept.map(\.problem), problemCount: count)
    }

    /// Whole-input problems first, then by line; problems of one line keep the order they were found in.
    private mutating func trim() {
        kept.sort { ($0.problem.line ?? 0, $0.order) < ($1.problem.line ?? 0, $1.order) }
        if kept.count > DatasetImportError.maximumReported {
            kept.removeLast(kept.count - DatasetImportError.maximumReported)
        }
    }
}
