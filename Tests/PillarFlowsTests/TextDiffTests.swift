import Foundation
import PillarFlows
import Testing

/// `diff` with the given arguments on two texts written to temporary files.
private func systemDiff(_ old: String, _ new: String, arguments: [String]) throws -> String {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("textdiff-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let oldURL = directory.appendingPathComponent("old")
    let newURL = directory.appendingPathComponent("new")
    try Data(old.utf8).write(to: oldURL)
    try Data(new.utf8).write(to: newURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/diff")
    process.arguments = arguments + [oldURL.path, newURL.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    #expect(process.terminationStatus <= 1)
    return String(decoding: data, as: UTF8.self)
}

/// A deterministic generator so failures reproduce.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func randomText(_ rng: inout SplitMix64, maxLines: Int) -> String {
    let alphabet = ["a", "b", "c", "d", "", "e f"]
    let count = Int.random(in: 0...maxLines, using: &rng)
    var text = (0..<count).map { _ in alphabet.randomElement(using: &rng)! + "\n" }.joined()
    if !text.isEmpty, Int.random(in: 0..<8, using: &rng) == 0 { text.removeLast() }  // no final newline
    return text
}

@Test func identicalInputsGiveEmptyDiff() {
    #expect(TextDiff.unified(from: "", to: "", oldLabel: "a", newLabel: "b") == "")
    #expect(TextDiff.unified(from: "x\ny\n", to: "x\ny\n", oldLabel: "a", newLabel: "b") == "")
}

@Test func simpleDiffMatchesDiffU() throws {
    let old = (1...12).map { "line \($0)\n" }.joined()
    let new = old.replacingOccurrences(of: "line 2\n", with: "line two\n")
        .replacingOccurrences(of: "line 11\n", with: "line 11\nadded\n")
    let mine = TextDiff.unified(from: old, to: new, oldLabel: "v1", newLabel: "v2")
    #expect(mine.hasPrefix("--- v1\n+++ v2\n@@ -1,5 +1,5 @@\n line 1\n-line 2\n+line two\n"))
    #expect(UnifiedDiffApplier.hunks(mine) == UnifiedDiffApplier.hunks(try systemDiff(old, new, arguments: ["-u"])))
}

@Test func headerRanges() {
    #expect(TextDiff.unified(from: "", to: "a\nb\n", oldLabel: "o", newLabel: "n") == "--- o\n+++ n\n@@ -0,0 +1,2 @@\n+a\n+b\n")
    #expect(TextDiff.unified(from: "a\n", to: "", oldLabel: "o", newLabel: "n") == "--- o\n+++ n\n@@ -1 +0,0 @@\n-a\n")
    #expect(
        TextDiff.unified(from: "a", to: "a\n", oldLabel: "o", newLabel: "n")
            == "--- o\n+++ n\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n")
}

/// 300 random pairs against `/usr/bin/diff`: our diff must apply (every context and removed
/// line checked) and be as small as `diff -u --minimal`; the hunks are also compared with
/// plain `diff -u` output, which they must equal whenever the minimal diff is unique.
@Test func randomCasesAgainstSystemDiff() throws {
    var rng = SplitMix64(state: 2024)
    var identicalToDiff = 0
    let cases = 300
    for number in 0..<cases {
        let old = randomText(&rng, maxLines: 25)
        let new = Int.random(in: 0..<10, using: &rng) == 0 ? old : randomText(&rng, maxLines: 25)
        let context = Int.random(in: 0...4, using: &rng)
        let mine = TextDiff.unified(from: old, to: new, oldLabel: "old", newLabel: "new", context: context)
        let minimal = try systemDiff(old, new, arguments: ["-U", "\(context)", "--minimal"])
        let plain = try systemDiff(old, new, arguments: ["-U", "\(context)"])
        let label =
            "case \(number): old=\(old.debugDescription) new=\(new.debugDescription) context=\(context)\nmine:\n\(mine)\ndiff:\n\(plain)"

        #expect(mine.isEmpty == minimal.isEmpty, "\(label)")
        if !mine.isEmpty { #expect(mine.hasPrefix("--- old\n+++ new\n@@ "), "\(label)") }
        #expect(try UnifiedDiffApplier.apply(mine, to: old) == new, "\(label)")
        #expect(try UnifiedDiffApplier.apply(minimal, to: old) == new, "applier check \(label)")
        let (removed, added) = UnifiedDiffApplier.changeCounts(mine)
        let (minimalRemoved, minimalAdded) = UnifiedDiffApplier.changeCounts(minimal)
        #expect(removed == minimalRemoved && added == minimalAdded, "\(label)")
        if UnifiedDiffApplier.hunks(mine) == UnifiedDiffApplier.hunks(plain) { identicalToDiff += 1 }
    }
    // Random lines from a tiny alphabet often have several minimal diffs; GNU diff picks
    // among them with its own heuristics, so only a share are byte-identical.
    print("TextDiff: \(identicalToDiff)/\(cases) random cases byte-identical to diff -u hunks")
    #expect(identicalToDiff > cases / 4)
}

/// Distinct lines have a unique minimal diff, so the hunks must equal `diff -u`'s exactly.
@Test func uniqueLinesMatchDiffExactly() throws {
    var rng = SplitMix64(state: 7)
    for number in 0..<100 {
        let pool = (0..<60).map { "line \($0)\n" }
        let old = pool.filter { _ in Bool.random(using: &rng) }.joined()
        let new = pool.filter { _ in Bool.random(using: &rng) }.joined()
        let context = Int.random(in: 0...4, using: &rng)
        let mine = TextDiff.unified(from: old, to: new, oldLabel: "a", newLabel: "b", context: context)
        let theirs = try systemDiff(old, new, arguments: ["-U", "\(context)"])
        #expect(
            UnifiedDiffApplier.hunks(mine) == UnifiedDiffApplier.hunks(theirs), "case \(number)\nmine:\n\(mine)\ndiff:\n\(theirs)"
        )
    }
}

@Test func largeInputsFinish() throws {
    var rng = SplitMix64(state: 99)
    let old = (0..<2000).map { _ in "l\(Int.random(in: 0..<50, using: &rng))\n" }.joined()
    let new = (0..<2000).map { _ in "l\(Int.random(in: 0..<50, using: &rng))\n" }.joined()
    let start = ContinuousClock.now
    let diff = TextDiff.unified(from: old, to: new, oldLabel: "a", newLabel: "b")
    let elapsed = ContinuousClock.now - start
    #expect(try UnifiedDiffApplier.apply(diff, to: old) == new)
    #expect(elapsed < .seconds(20), "took \(elapsed)")

    // Worst case: nothing in common, D = 4,000.
    let disjointOld = (0..<2000).map { "old \($0)\n" }.joined()
    let disjointNew = (0..<2000).map { "new \($0)\n" }.joined()
    let disjoint = TextDiff.unified(from: disjointOld, to: disjointNew, oldLabel: "a", newLabel: "b")
    #expect(disjoint.hasPrefix("--- a\n+++ b\n@@ -1,2000 +1,2000 @@\n-old 0\n"))
    #expect(try UnifiedDiffApplier.apply(disjoint, to: disjointOld) == disjointNew)
}

/// Two versions of a 4 MB flow with nothing in common: the search would need D² = 10¹¹ integers. Past its step
/// budget the diff shows the middle replaced whole, still a diff that applies.
@Test func hugeDisjointInputsFinishWithAWholeReplacement() throws {
    let old = (0..<200_000).map { "old \($0)\n" }.joined()
    let new = "kept\n" + (0..<200_000).map { "new \($0)\n" }.joined()
    let start = ContinuousClock.now
    let diff = TextDiff.unified(from: "kept\n" + old, to: new, oldLabel: "a", newLabel: "b")
    #expect(ContinuousClock.now - start < .seconds(30))
    #expect(try UnifiedDiffApplier.apply(diff, to: "kept\n" + old) == new)
}
