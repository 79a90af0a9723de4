import Foundation
import Testing

@testable import PillarEval

private func compute(_ json: String) throws -> [[String: Any]] {
    let output = try StatisticsReference.compute(Data(json.utf8))
    let object = try #require(try JSONSerialization.jsonObject(with: output) as? [String: Any])
    return try #require(object["results"] as? [[String: Any]])
}

@Test func referenceAnswersEveryKindInOrder() throws {
    let results = try compute(
        """
        {"cases":[
          {"kind":"bootstrap","baseline":[1,2,3],"candidate":[1.5,2.5,3.5],"resamples":50,"seed":3},
          {"kind":"permutation","baseline":[0,0,0],"candidate":[1,2,3]},
          {"kind":"kappa","a":[1,1,2,2,3,3],"b":[1,2,2,3,3,3]},
          {"kind":"kappa","a":[true,false],"b":[false,true]},
          {"kind":"spearman","x":[1,2,3,4,5],"y":[1,3,2,4,5]},
          {"kind":"pass_k","successes":[2,3],"trials":[4,4],"k":2}
        ]}
        """)
    #expect(results.count == 6)
    #expect(results[0]["low"] as? Double == 0.5 && results[0]["high"] as? Double == 0.5)
    #expect(results[1]["p"] as? Double == 0.25)
    #expect(results[2]["kappa"] as? Double == 0.5)
    #expect(results[3]["kappa"] as? Double == -1)
    #expect(abs((results[4]["rho"] as? Double ?? 0) - 0.9) < 1e-12)
    // (C(2,2) + C(3,2)) / C(4,2) / 2 = (1/6 + 3/6) / 2.
    #expect(abs((results[5]["pass_k"] as? Double ?? 0) - 1.0 / 3) < 1e-12)
}

@Test func referenceWritesNullWhereUndefined() throws {
    let output = try StatisticsReference.compute(
        Data(
            """
            {"cases":[{"kind":"bootstrap","baseline":[1],"candidate":[2]},{"kind":"permutation","baseline":[],"candidate":[]},
            {"kind":"kappa","a":[1,1],"b":[1,1]},{"kind":"spearman","x":[1,2],"y":[3,3]},
            {"kind":"pass_k","successes":[1],"trials":[1],"k":2}]}
            """.utf8))
    #expect(
        String(decoding: output, as: UTF8.self)
            == #"{"results":[{"high":null,"low":null},{"p":null},{"kappa":null},{"rho":null},{"pass_k":null}]}"#)
}

@Test func referenceMatchesTheComparisonsSeed() throws {
    let results = try compute(#"{"cases":[{"kind":"bootstrap","baseline":[1,2,3,4,5],"candidate":[2,2,5,4,7],"resamples":300}]}"#)
    let interval = try #require(
        PairedBootstrap.interval(
            baseline: [1, 2, 3, 4, 5], candidate: [2, 2, 5, 4, 7],
            resamples: 300, seed: StatisticsReference.defaultSeed))
    #expect(results[0]["low"] as? Double == interval.low)
    #expect(results[0]["high"] as? Double == interval.high)
}

@Test func referenceRejectsBadInput() {
    let bad = [
        #"{"case":[]}"#,
        #"{"cases":[{"kind":"median","x":[1]}]}"#,
        #"{"cases":[{"kind":"bootstrap","baseline":[1,2],"candidate":[1]}]}"#,
        #"{"cases":[{"kind":"permutation","baseline":[1,2],"candidate":[1,2],"resamples":0}]}"#,
        #"{"cases":[{"kind":"spearman","x":[1,2]}]}"#,
        #"{"cases":[{"kind":"pass_k","successes":[1],"trials":[2]}]}"#,
    ]
    for json in bad {
        #expect(throws: StatisticsReference.Failure.self, "\(json)") { try StatisticsReference.compute(Data(json.utf8)) }
    }
    do {
        _ = try StatisticsReference.compute(Data(#"{"cases":[{"kind":"kappa","a":[1]},{"kind":"median"}]}"#.utf8))
        Issue.record("expected a failure for case 0")
    } catch let failure as StatisticsReference.Failure {
        #expect(failure.code == "invalid_input")
        #expect(failure.message == "case 0 (kappa): needs a and b")
    } catch {
        Issue.record("unexpected \(error)")
    }
}
