import Testing

@testable import PillarEval

@Test func kappaOfTheTextbookTable() throws {
    // 50 cases: both yes 20, first yes only 5, second yes only 10, both no 15. Observed agreement 0.7,
    // chance 0.5 * 0.6 + 0.5 * 0.4 = 0.5, kappa (0.7 - 0.5) / 0.5 = 0.4.
    let first = Array(repeating: true, count: 25) + Array(repeating: false, count: 25)
    let second =
        Array(repeating: true, count: 20) + Array(repeating: false, count: 5)
        + Array(repeating: true, count: 10) + Array(repeating: false, count: 15)
    let kappa = try #require(CohenKappa.kappa(first, second))
    #expect(abs(kappa - 0.4) < 1e-12)
}

@Test func kappaOverSeveralCategories() throws {
    // Agreement 4/6; chance (2*2 + 2*1 + 2*3) / 36 = 1/3; kappa (2/3 - 1/3) / (2/3) = 0.5.
    let kappa = try #require(CohenKappa.kappa([1, 1, 2, 2, 3, 3], [1, 2, 2, 3, 3, 3]))
    #expect(abs(kappa - 0.5) < 1e-12)
    #expect(CohenKappa.kappa([1, 2, 3], [1, 2, 3]) == 1)
    // Systematic disagreement on two balanced labels.
    #expect(CohenKappa.kappa([true, false], [false, true]) == -1)
}

@Test func kappaIsUndefinedWhenChanceAgreementIsCertain() {
    #expect(CohenKappa.kappa([true, true, true], [true, true, true]) == nil)
    #expect(CohenKappa.kappa([Int](), []) == nil)
    #expect(CohenKappa.kappa([1, 2], [1]) == nil)
}

@Test func kappaWithOneConstantRaterIsZero() {
    // Chance agreement 0.5 equals observed agreement 0.5.
    #expect(CohenKappa.kappa([true, true, true, true], [true, false, true, false]) == 0)
}
