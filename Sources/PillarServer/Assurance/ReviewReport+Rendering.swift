import Foundation

/// The three ways a review is printed. Each shows every check with its status, principle, evidence and fix.
extension ReviewReport {
    public enum Format: String, Sendable, CaseIterable {
        case table, markdown, json
    }

    public func rendered(as format: Format) throws -> String {
        switch format {
        case .json: return try json()
        case .markdown: return markdown()
        case .table: return table()
        }
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    var summaryLine: String {
        ReviewStatus.allCases.map { "\(summary[$0.rawValue] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
    }

    static func evidenceText(_ evidence: [ReviewEvidence]) -> String {
        evidence.map { "\($0.name) = \($0.value) [\($0.source)]" }.joined(separator: "; ")
    }

    public func markdown() -> String {
        func cell(_ text: String) -> String {
            text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
        }
        var lines = [
            "# Pillar review", "",
            "Generated \(ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: generatedAt))) by Pillar \(version): \(summaryLine).",
            "",
        ]
        for pillar in ReviewPillar.allCases {
            let checks = checks.filter { $0.pillar == pillar }
            guard !checks.isEmpty else { continue }
            lines += [
                "## \(pillar.title)", "", "| check | status | principle | evidence | fix |", "| --- | --- | --- | --- | --- |",
            ]
            for check in checks {
                let status = check.status == .pass ? "pass" : "**\(check.status.rawValue)**"
                lines.append(
                    "| \(check.id) \(cell(check.title)) | \(status) | \(cell(check.principle)) | "
                        + "\(cell(Self.evidenceText(check.evidence))) | \(check.status == .pass || check.status == .notApplicable ? "" : cell(check.fix)) |"
                )
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    /// For a terminal: one line per check, then the evidence and (when it did not pass) the fix, indented.
    public func table() -> String {
        let width = (checks.map(\.title.count).max() ?? 20) + 2
        var lines: [String] = []
        for pillar in ReviewPillar.allCases {
            let checks = checks.filter { $0.pillar == pillar }
            guard !checks.isEmpty else { continue }
            lines.append(pillar.title.uppercased())
            for check in checks {
                let title = check.title.padding(toLength: width, withPad: " ", startingAt: 0)
                lines.append("  \(check.id)  \(title)\(check.status.rawValue.uppercased())")
                lines.append("        principle: \(check.principle)")
                for evidence in check.evidence {
                    lines.append("        \(evidence.name): \(evidence.value)  [\(evidence.source)]")
                }
                if check.status == .warn || check.status == .fail { lines.append("        fix: \(check.fix)") }
            }
            lines.append("")
        }
        lines.append("\(checks.count) checks: \(summaryLine)")
        return lines.joined(separator: "\n")
    }
}
