import Testing

@testable import PillarEval

@Test func spearmanMatchesScipysDocumentedExample() throws {
    // scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]).statistic
    let rho = try #require(Spearman.rho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]))
    #expect(abs(rho - 0.8207826816681233) < 1e-12)
}

@Test func spearmanAveragesTiedRanks() {
    #expect(Spearman.averageRanks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4])
    #expect(Spearman.averageRanks([3, 1, 3, 3]) == [3, 1, 3, 3])
    #expect(Spearman.averageRanks([]) == [])
}

@Test func spearmanOfMonotoneRelations() throws {
    #expect(Spearman.rho([1, 2, 3, 4], [1, 8, 27, 64]) == 1)
    #expect(Spearman.rho([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
    #expect(Spearman.rho([1, 2], [5, 3]) == -1)
    // Without ties rho = 1 - 6 * sum(d^2) / (n (n^2 - 1)): d = 0, 1, 1, 0, 0 gives 1 - 12 / 120.
    let rho = try #require(Spearman.rho([1, 2, 3, 4, 5], [1, 3, 2, 4, 5]))
    #expect(abs(rho - 0.9) < 1e-12)
}

@Test func spearmanIsUndefinedForConstantOrTooFewValues() {
    #expect(Spearman.rho([1, 2, 3], [4, 4, 4]) == nil)
    #expect(Spearman.rho([2, 2], [1, 3]) == nil)
    #expect(Spearman.rho([1], [1]) == nil)
    #expect(Spearman.rho([], []) == nil)
    #expect(Spearman.rho([1, 2, 3], [1, 2]) == nil)
    #expect(Spearman.rho([1, .nan, 3], [1, 2, 3]) == nil)
}
