import Foundation
import PillarCore
import PillarFlows
import Testing

@Test func pickIsSticky() {
    let split = [WeightedVersion(version: 1, weight: 90), WeightedVersion(version: 2, weight: 10)]
    for n in 0..<500 {
        let key = "conv-\(n)"
        let first = CanarySplit.pick(split, stickyKey: key, salt: "prompt-7")
        for _ in 0..<3 {
            #expect(CanarySplit.pick(split, stickyKey: key, salt: "prompt-7") == first)
        }
    }
}

@Test func hashIsStableFNV1a() {
    // Published FNV-1a 64 test vectors.
    #expect(CanarySplit.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
    #expect(CanarySplit.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
    #expect(CanarySplit.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
}

struct ShareCase: Sendable, CustomStringConvertible {
    var split: [WeightedVersion]
    var description: String { split.map { "\($0.version):\($0.weight)" }.joined(separator: "/") }
}

@Test(arguments: [
    ShareCase(split: [.init(version: 1, weight: 90), .init(version: 2, weight: 10)]),
    ShareCase(split: [.init(version: 3, weight: 50), .init(version: 1, weight: 30), .init(version: 2, weight: 20)]),
])
func sharesFollowWeights(_ testCase: ShareCase) {
    let total = 20_000
    var counts: [Int: Int] = [:]
    for _ in 0..<total {
        counts[CanarySplit.pick(testCase.split, stickyKey: UUID().uuidString, salt: "s"), default: 0] += 1
    }
    for entry in testCase.split {
        let share = Double(counts[entry.version, default: 0]) / Double(total) * 100
        #expect(abs(share - Double(entry.weight)) <= 2, "version \(entry.version): \(share)%")
    }
    #expect(Set(counts.keys) == Set(testCase.split.map(\.version)))
}

@Test func saltChangesAssignment() {
    let split = [WeightedVersion(version: 1, weight: 50), WeightedVersion(version: 2, weight: 50)]
    let differing = (0..<1000).filter {
        CanarySplit.pick(split, stickyKey: "k\($0)", salt: "a") != CanarySplit.pick(split, stickyKey: "k\($0)", salt: "b")
    }.count
    #expect(differing > 300 && differing < 700)
}

@Test func singleVersionAlwaysPicked() {
    let split = [WeightedVersion(version: 4, weight: 100)]
    #expect((0..<100).allSatisfy { CanarySplit.pick(split, stickyKey: "\($0)", salt: "") == 4 })
}

struct ValidationCase: Sendable, CustomStringConvertible {
    var split: [WeightedVersion]
    var error: CanarySplitError?
    var description: String { "\(split) -> \(String(describing: error))" }
}

@Test(arguments: [
    ValidationCase(split: [.init(version: 1, weight: 100)], error: nil),
    ValidationCase(
        split: [.init(version: 1, weight: 50), .init(version: 2, weight: 30), .init(version: 3, weight: 20)], error: nil),
    ValidationCase(split: [], error: .empty),
    ValidationCase(
        split: [.init(version: 1, weight: 0), .init(version: 2, weight: 100)], error: .weightOutOfRange(version: 1, weight: 0)),
    ValidationCase(split: [.init(version: 1, weight: 101)], error: .weightOutOfRange(version: 1, weight: 101)),
    ValidationCase(split: [.init(version: 1, weight: 90), .init(version: 2, weight: 5)], error: .weightsDoNotSumTo100(sum: 95)),
    ValidationCase(split: [.init(version: 1, weight: 50), .init(version: 1, weight: 50)], error: .duplicateVersion(1)),
    ValidationCase(split: [.init(version: 0, weight: 100)], error: .invalidVersion(0)),
    ValidationCase(split: [.init(version: -2, weight: 100)], error: .invalidVersion(-2)),
])
func validation(_ testCase: ValidationCase) {
    do {
        try CanarySplit.validate(testCase.split)
        #expect(testCase.error == nil)
    } catch {
        #expect(error == testCase.error)
    }
}
