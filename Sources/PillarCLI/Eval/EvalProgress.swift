import Foundation
import PillarCore

/// Follows a run on the server until it ends, drawing its progress on standard error: a bar on a terminal,
/// a line every tenth otherwise.
struct EvalProgress {
    let client: EvalClient
    let isTerminal = isatty(STDERR_FILENO) == 1

    func follow(_ id: String) async throws -> EvalRunRecord {
        let started = Date()
        var lastTenth = -1
        var first: Int?
        while true {
            let run = try await client.json(EvalRunRecord.self, .GET, "/v1/admin/eval/runs/\(EvalClient.escape(id))")
            if first == nil { first = run.done }
            draw(run, elapsed: Date().timeIntervalSince(started), startedAt: first ?? 0, lastTenth: &lastTenth)
            if run.status != .running {
                if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
                return run
            }
            try await Task.sleep(for: .milliseconds(400))
        }
    }

    func draw(_ run: EvalRunRecord, elapsed: Double, startedAt: Int, lastTenth: inout Int) {
        let total = max(run.total, 1)
        let share = Double(run.done) / Double(total)
        let rate = elapsed > 0 ? Double(run.done - startedAt) / elapsed : 0
        let remaining = rate > 0 ? Double(run.total - run.done) / rate : nil
        let eta = remaining.map { String(format: "eta %.0fs", $0) } ?? "eta -"
        let cost = String(format: "$%.4f", run.costUSD)
        let tokens = run.promptTokens + run.completionTokens
        if isTerminal {
            let width = 30
            let filled = Int(share * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = String(
                format: "\r%@ %d/%d %3.0f%%  %.1f answers/s  %@  %d tokens  %@ ", bar, run.done, run.total,
                share * 100, rate, eta, tokens, cost)
            FileHandle.standardError.write(Data(line.utf8))
        } else {
            let tenth = Int(share * 10)
            guard tenth != lastTenth else { return }
            lastTenth = tenth
            FileHandle.standardError.write(Data("\(run.id): \(run.done)/\(run.total) answers, \(tokens) tokens, \(cost)\n".utf8))
        }
    }
}
