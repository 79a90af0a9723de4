import Foundation
import Testing

@testable import PillarSafety

struct PIICase: Decodable {
    struct Expected: Decodable, Hashable {
        let type: String
        let value: String
    }
    let id: String
    let lang: String
    let text: String
    let pii: [Expected]
}

struct TypeScore {
    var expected = 0
    var found = 0
    var truePositives = 0
    var precision: Double { found == 0 ? (expected == 0 ? 1 : 0) : Double(truePositives) / Double(found) }
    var recall: Double { expected == 0 ? 1 : Double(truePositives) / Double(expected) }
}

enum PIIDataSet {
    static func load(_ name: String = "pii-cases") throws -> [PIICase] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "jsonl", subdirectory: "Resources"))
        let decoder = JSONDecoder()
        return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try decoder.decode(PIICase.self, from: Data($0.utf8))
        }
    }
}

/// Per-type precision and recall, and the share of benign cases with any finding.
struct PIIScoreCard {
    var scores: [PIIType: TypeScore] = [:]
    var benign = 0
    var benignWithFindings = 0
    var misses: [String] = []
    var falsePositiveRate: Double { benign == 0 ? 0 : Double(benignWithFindings) / Double(benign) }

    init(_ cases: [PIICase]) {
        var scores: [PIIType: TypeScore] = [:]
        var benign = 0
        var benignWithFindings = 0
        var misses: [String] = []
        for testCase in cases {
            let findings = PIIDetector.standard.findings(in: testCase.text)
            var remaining = testCase.pii
            for expected in testCase.pii {
                if let type = PIIType(rawValue: expected.type) { scores[type, default: TypeScore()].expected += 1 }
            }
            for finding in findings {
                scores[finding.type, default: TypeScore()].found += 1
                let value = String(testCase.text[finding.range])
                if let index = remaining.firstIndex(of: .init(type: finding.type.rawValue, value: value)) {
                    scores[finding.type, default: TypeScore()].truePositives += 1
                    remaining.remove(at: index)
                } else {
                    misses.append("\(testCase.id) FP \(finding.type.rawValue) \(finding.recognizer) '\(value)'")
                }
            }
            for expected in remaining { misses.append("\(testCase.id) FN \(expected.type) '\(expected.value)'") }
            if testCase.pii.isEmpty {
                benign += 1
                if !findings.isEmpty { benignWithFindings += 1 }
            }
        }
        self.scores = scores
        self.benign = benign
        self.benignWithFindings = benignWithFindings
        self.misses = misses
    }

    var table: String {
        var table = "| type | expected | found | TP | precision | recall |\n| --- | ---: | ---: | ---: | ---: | ---: |\n"
        for type in PIIType.allCases {
            let score = scores[type] ?? TypeScore()
            table +=
                "| \(type.rawValue) | \(score.expected) | \(score.found) | \(score.truePositives) | "
                + String(format: "%.3f", score.precision) + " | " + String(format: "%.3f", score.recall) + " |\n"
        }
        table +=
            "\nBenign cases: \(benign), with any finding: \(benignWithFindings), false-positive rate: "
            + String(format: "%.3f", falsePositiveRate) + "\n"
        return table
    }
}

@Suite struct PIIDataSetTests {
    @Test func dataSetMeetsTargets() throws {
        let cases = try PIIDataSet.load()
        #expect(cases.count >= 200)
        let card = PIIScoreCard(cases)
        let (scores, benign, falsePositiveRate) = (card.scores, card.benign, card.falsePositiveRate)
        print(card.table)
        if !card.misses.isEmpty { print("Mismatches:\n" + card.misses.joined(separator: "\n")) }

        #expect(benign >= 60)
        #expect(falsePositiveRate < 0.02)
        for type in PIIType.allCases {
            let score = scores[type] ?? TypeScore()
            let target = type.isStructured ? 0.95 : 0.80
            if type.isStructured { #expect(score.expected >= 12, "too few \(type.rawValue) cases") }
            #expect(score.precision >= target, "\(type.rawValue) precision \(score.precision)")
            #expect(score.recall >= target, "\(type.rawValue) recall \(score.recall)")
        }
    }

    /// 59 cases written by someone other than the recognizers' author, never used to tune them: the honest
    /// estimate. Its floors only catch regressions below the figures first measured (see BENCHMARKS.md).
    @Test func heldOutSet() throws {
        let card = PIIScoreCard(try PIIDataSet.load("pii-heldout"))
        print("### held-out PII set\n" + card.table)
        if !card.misses.isEmpty { print("Mismatches:\n" + card.misses.joined(separator: "\n")) }
        #expect(card.falsePositiveRate < 0.05)
        for (type, score) in card.scores {
            #expect(score.precision >= 0.8 && score.recall >= 0.8, "\(type.rawValue): \(score.precision) / \(score.recall)")
        }
    }

    @Test func everyExpectedValueOccursInItsText() throws {
        for testCase in try PIIDataSet.load() + PIIDataSet.load("pii-heldout") {
            for expected in testCase.pii {
                #expect(testCase.text.contains(expected.value), "\(testCase.id)")
                #expect(PIIType(rawValue: expected.type) != nil, "\(testCase.id) unknown type")
            }
        }
    }
}
