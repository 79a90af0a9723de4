/// Keeps an exported CSV from running formulas when opened in a spreadsheet (CSV injection): a cell that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`, which spreadsheets read as
/// "this is text". Questions and answers come from production traffic, so they are untrusted.
///
/// Import does not take the `'` back off free-text cells (question, expected_answer, trace_id, list
/// entries): a leading apostrophe is also ordinary text (`'Twas…`, a quoted title), and the import cannot
/// tell the two apart, so a guarded cell re-imports with its `'`. Removing it would silently change genuine
/// data; keeping it changes only cells a spreadsheet would have run. The one exception is the `id` column:
/// an id can never contain `'`, so a leading one can only be this guard and is removed (ids such as
/// `-draft` then survive an export and re-import unchanged).
enum SpreadsheetFormulaGuard {
    static let marker: Character = "'"

    static func needsGuard(_ cell: String) -> Bool {
        guard let first = cell.unicodeScalars.first else { return false }
        return ["=", "+", "-", "@", "\t", "\r"].contains(first)
    }

    static func guarded(_ cell: String) -> String {
        needsGuard(cell) ? String(marker) + cell : cell
    }

    static func removingFromID(_ cell: String) -> String {
        cell.first == marker ? String(cell.dropFirst()) : cell
    }
}
