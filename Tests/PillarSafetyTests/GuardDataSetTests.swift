import Foundation
import Testing

@testable import PillarSafety

struct GuardCase: Decodable, Sendable {
    var id: String
    var lang: String
    var kind: String
    var text: String
    var expected: Bool
    var category: String?
    var severity: String?
    /// "dev": written first, rules designed against it; "holdout1"/"holdout2": written after v1/v2 of the rules, each then used for one round of general fixes; "blind": written last, rules never changed for it.
    var split: String?
}

struct Confusion: CustomStringConvertible {
    var tp = 0, fp = 0, tn = 0, fn = 0
    mutating func add(expected: Bool, predicted: Bool) {
        switch (expected, predicted) {
        case (true, true): tp += 1
        case (false, true): fp += 1
        case (false, false): tn += 1
        case (true, false): fn += 1
        }
    }
    var precision: Double { tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp) }
    var recall: Double { tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn) }
    /// False-positive rate on the benign cases.
    var fpr: Double { fp + tn == 0 ? 0 : Double(fp) / Double(fp + tn) }
    var description: String { "tp=\(tp) fp=\(fp) tn=\(tn) fn=\(fn)" }
}

enum GuardData {
    static func load() throws -> [GuardCase] {
        guard
            let url = Bundle.module.url(forResource: "guard-cases", withExtension: "jsonl", subdirectory: "Resources")
                ?? Bundle.module.url(forResource: "guard-cases", withExtension: "jsonl")
        else {
            throw CocoaError(.fileNoSuchFile)
        }
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        return try text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map {
            try decoder.decode(GuardCase.self, from: Data($0.utf8))
        }
    }
}

@Suite("Labelled guard data set")
struct GuardDataSetTests {
    static let blockAt: Severity = .medium

    @Test func dataSetShapeMeetsMinimums() throws {
        let cases = try GuardData.load()
        #expect(cases.count >= 150)
        #expect(Set(cases.map(\.id)).count == cases.count, "ids are unique")
        #expect(cases.filter { $0.kind == "jailbreak" && $0.expected }.count >= 40)
        #expect(cases.filter { $0.kind == "jailbreak" && !$0.expected }.count >= 30)
        #expect(cases.filter { $0.kind == "injection" && $0.expected }.count >= 30)
        #expect(cases.filter { $0.kind == "injection" && !$0.expected }.count >= 25)
        let content = cases.filter { $0.kind == "content" }
        #expect(content.count >= 40)
        for c in content {
            #expect(c.category.flatMap(HarmCategory.init(rawValue:)) != nil, "\(c.id) category")
            #expect(c.severity.flatMap(Severity.init(label:)) != nil, "\(c.id) severity")
        }
        #expect(Set(cases.map(\.lang)).count >= 4)
    }

    struct Report {
        var rows: [(String, Confusion)] = []
        var misses: [String] = []
        var exact = 0
        var contentCount = 0
        var jailbreak: Confusion { rows[0].1 }
        var injection: Confusion { rows[1].1 }

        var markdown: String {
            var table = "| guard | TP | FP | TN | FN | precision | recall | benign FPR |\n|---|---|---|---|---|---|---|---|\n"
            for (name, m) in rows {
                table +=
                    "| \(name) | \(m.tp) | \(m.fp) | \(m.tn) | \(m.fn) | \(String(format: "%.3f", m.precision)) | \(String(format: "%.3f", m.recall)) | \(String(format: "%.3f", m.fpr)) |\n"
            }
            table += "\nContent severity exact match: \(exact)/\(contentCount)\n"
            return table
        }
    }

    static func evaluate(_ cases: [GuardCase]) -> Report {
        let shield = PromptShield()
        let filter = BuiltInContentFilter()
        var report = Report()

        var jb = Confusion()
        for c in cases where c.kind == "jailbreak" {
            let r = shield.jailbreak(in: c.text)
            jb.add(expected: c.expected, predicted: r.detected)
            if r.detected != c.expected { report.misses.append("\(c.id) expected=\(c.expected) score=\(r.score) \(r.signals)") }
        }
        report.rows.append(("jailbreak shield", jb))

        var inj = Confusion()
        for c in cases where c.kind == "injection" {
            let r = shield.injection(in: c.text)
            inj.add(expected: c.expected, predicted: r.detected)
            if r.detected != c.expected { report.misses.append("\(c.id) expected=\(c.expected) score=\(r.score) \(r.signals)") }
        }
        report.rows.append(("injection shield", inj))

        let content = cases.filter { $0.kind == "content" }
        report.contentCount = content.count
        let verdicts = Dictionary(uniqueKeysWithValues: content.map { ($0.id, filter.classifySync($0.text)) })
        for c in content {
            let got = verdicts[c.id]!.severity(HarmCategory(rawValue: c.category!)!)
            if got == Severity(label: c.severity!) {
                report.exact += 1
            } else {
                report.misses.append(
                    "\(c.id) \(c.category!) expected=\(c.severity!) got=\(got.label) \(verdicts[c.id]!.findings.map(\.rule))")
            }
        }
        for category in [HarmCategory.violence, .hate, .sexual, .selfHarm] {
            var m = Confusion()
            for c in content {
                let labelled = Severity(label: c.severity!)!
                // Harmful cases labelled with another category are left out; benign cases of every category count,
                // so flagging a benign case of category A under B is a false positive for B.
                if c.category != category.rawValue && labelled >= blockAt { continue }
                let expected = c.category == category.rawValue && labelled >= blockAt
                m.add(expected: expected, predicted: verdicts[c.id]!.severity(category) >= blockAt)
            }
            report.rows.append(("content: \(category.rawValue) (block ≥ medium)", m))
        }
        var any = Confusion()
        let thresholds: [HarmCategory: Severity] = [.violence: blockAt, .hate: blockAt, .sexual: blockAt, .selfHarm: blockAt]
        for c in content {
            any.add(expected: Severity(label: c.severity!)! >= blockAt, predicted: !verdicts[c.id]!.exceeds(thresholds).isEmpty)
        }
        report.rows.append(("content: any category (block ≥ medium)", any))
        return report
    }

    @Test func metricsMeetTargets() throws {
        let cases = try GuardData.load()
        let all = Self.evaluate(cases)
        for split in ["dev", "holdout1", "holdout2", "holdout3", "holdout4", "holdout5", "blind"] {
            let r = Self.evaluate(cases.filter { $0.split == split })
            print("### split: \(split)\n" + r.markdown)
            if !r.misses.isEmpty { print("Misclassified (\(split)):\n" + r.misses.joined(separator: "\n") + "\n") }
        }
        print("### all cases\n" + all.markdown)

        #expect(all.jailbreak.precision >= 0.90, "jailbreak precision \(all.jailbreak)")
        #expect(all.jailbreak.recall >= 0.85, "jailbreak recall \(all.jailbreak)")
        #expect(all.injection.precision >= 0.90, "injection precision \(all.injection)")
        #expect(all.injection.recall >= 0.85, "injection recall \(all.injection)")
        for (name, m) in all.rows {
            #expect(m.fpr < 0.05, "\(name) benign false-positive rate \(m)")
        }

        // The targets above hold on the whole set, but most of it was seen while writing the rules. The "blind"
        // split was written after the last rule change and never tuned against; these floors are exactly what was
        // reached on it (jailbreak P 0.833 R 0.227; injection P 0.857 R 0.857; content P 1.000 R 0.944) and only
        // guard against regressions. They are far below the targets for the shields: see README.md.
        let blind = Self.evaluate(cases.filter { $0.split == "blind" })
        #expect(blind.jailbreak.precision >= 0.83 && blind.jailbreak.recall >= 0.22, "blind jailbreak \(blind.jailbreak)")
        #expect(blind.injection.precision >= 0.85 && blind.injection.recall >= 0.85, "blind injection \(blind.injection)")
        let blindContent = blind.rows.last!.1
        #expect(blindContent.precision >= 0.99 && blindContent.recall >= 0.94, "blind content \(blindContent)")
    }
}
