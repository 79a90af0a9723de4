import Foundation

/// The statistics functions behind JSON, so that a test in another language can check them against a
/// reference implementation (scipy): `{"cases":[{"kind":"bootstrap",...}, ...]}` in, `{"results":[...]}`
/// out, one result per case in order, null where the statistic is undefined.
///
/// Cases: `bootstrap` and `permutation` (`baseline`, `candidate`, optional `resamples`, `seed`, and for
/// bootstrap `confidence`) give `{"low","high"}` and `{"p"}`; `kappa` (`a`, `b`: integers, booleans or
/// strings) gives `{"kappa"}`; `spearman` (`x`, `y`) gives `{"rho"}`; `pass_k` (`successes`, `trials`, `k`)
/// gives `{"pass_k"}`.
public enum StatisticsReference {
    public struct Failure: Error, Sendable, Hashable {
        public var code: String
        public var message: String
    }

    public static let caseLimit = 10_000
    public static let valueLimit = 100_000
    public static let resampleLimit = 1_000_000
    public static let defaultSeed: UInt64 = 20_261_204

    public static func compute(_ input: Data) throws -> Data {
        let request: Request
        do {
            request = try JSONDecoder().decode(Request.self, from: input)
        } catch {
            throw Failure(code: "invalid_input", message: "expected {\"cases\":[...]}: \(error)")
        }
        guard request.cases.count <= caseLimit else {
            throw Failure(code: "invalid_input", message: "at most \(caseLimit) cases, got \(request.cases.count)")
        }
        var results: [Result] = []
        for (index, item) in request.cases.enumerated() {
            results.append(try answer(item, index: index))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(Response(results: results))
    }

    private static func answer(_ item: Case, index: Int) throws -> Result {
        func fail(_ message: String) -> Failure {
            Failure(code: "invalid_input", message: "case \(index) (\(item.kind)): \(message)")
        }
        let arrays = [
            item.baseline?.count, item.candidate?.count, item.a?.count, item.b?.count, item.x?.count,
            item.y?.count, item.successes?.count, item.trials?.count,
        ].compactMap { $0 }
        guard arrays.allSatisfy({ $0 <= valueLimit }) else { throw fail("at most \(valueLimit) values a side") }
        let resamples = item.resamples ?? 10_000
        guard (1...resampleLimit).contains(resamples) else { throw fail("resamples must be 1...\(resampleLimit)") }
        let seed = item.seed ?? defaultSeed
        switch item.kind {
        case "bootstrap":
            guard let baseline = item.baseline, let candidate = item.candidate else { throw fail("needs baseline and candidate") }
            guard baseline.count == candidate.count else { throw fail("baseline and candidate differ in length") }
            let interval = PairedBootstrap.interval(
                baseline: baseline, candidate: candidate,
                confidence: item.confidence ?? 0.95, resamples: resamples, seed: seed)
            return .interval(low: interval?.low, high: interval?.high)
        case "permutation":
            guard let baseline = item.baseline, let candidate = item.candidate else { throw fail("needs baseline and candidate") }
            guard baseline.count == candidate.count else { throw fail("baseline and candidate differ in length") }
            return .p(PairedPermutation.pValue(baseline: baseline, candidate: candidate, resamples: resamples, seed: seed))
        case "kappa":
            guard let a = item.a, let b = item.b else { throw fail("needs a and b") }
            guard a.count == b.count else { throw fail("a and b differ in length") }
            return .kappa(CohenKappa.kappa(a, b))
        case "spearman":
            guard let x = item.x, let y = item.y else { throw fail("needs x and y") }
            guard x.count == y.count else { throw fail("x and y differ in length") }
            return .rho(Spearman.rho(x, y))
        case "pass_k":
            guard let successes = item.successes, let trials = item.trials, let k = item.k else {
                throw fail("needs successes, trials and k")
            }
            guard successes.count == trials.count else { throw fail("successes and trials differ in length") }
            return .passK(PassHatK.estimate(successes: successes, trials: trials, k: k))
        default:
            throw fail("unknown kind; expected bootstrap, permutation, kappa, spearman or pass_k")
        }
    }

    private struct Request: Decodable {
        var cases: [Case]
    }

    private struct Case: Decodable {
        var kind: String
        var baseline: [Double]?
        var candidate: [Double]?
        var resamples: Int?
        var seed: UInt64?
        var confidence: Double?
        var a: [Label]?
        var b: [Label]?
        var x: [Double]?
        var y: [Double]?
        var successes: [Int]?
        var trials: [Int]?
        var k: Int?
    }

    /// A categorical label as JSON spells it.
    private enum Label: Decodable, Hashable {
        case integer(Int)
        case boolean(Bool)
        case text(String)

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Int.self) {
                self = .integer(value)
            } else if let value = try? container.decode(Bool.self) {
                self = .boolean(value)
            } else {
                self = .text(try container.decode(String.self))
            }
        }
    }

    private struct Response: Encodable {
        var results: [Result]
    }

    /// Encoded with explicit nulls, so a reader can tell "undefined" from "missing".
    private enum Result: Encodable {
        case interval(low: Double?, high: Double?)
        case p(Double?)
        case kappa(Double?)
        case rho(Double?)
        case passK(Double?)

        private struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ name: String) { stringValue = name }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            let fields: [(String, Double?)] =
                switch self {
                case .interval(let low, let high): [("low", low), ("high", high)]
                case .p(let value): [("p", value)]
                case .kappa(let value): [("kappa", value)]
                case .rho(let value): [("rho", value)]
                case .passK(let value): [("pass_k", value)]
                }
            for (name, value) in fields {
                if let value {
                    try container.encode(value, forKey: Key(name))
                } else {
                    try container.encodeNil(forKey: Key(name))
                }
            }
        }
    }
}

extension StatisticsReference.Failure: LocalizedError {
    public var errorDescription: String? { "\(code): \(message)" }
}
