import Foundation

/// Every check `pillar review` runs, in the order it prints them. A check names the framework's design
/// principle (or assessment question) it answers; the ids are stable, so exceptions and CI gates can name them.
enum ReviewCatalogue {
    static let all: [ReviewCheck] = reliability + security + cost + operations + performance

    static func run(_ inputs: ReviewInputs, version: String) -> ReviewReport {
        ReviewReport(generatedAt: inputs.now, version: version, checks: all.map { $0.run(inputs) })
    }

    /// pass when `value` is within `good`, warn within `tolerable`, fail otherwise.
    static func graded(_ value: Double, good: ClosedRange<Double>, tolerable: ClosedRange<Double>) -> ReviewStatus {
        good.contains(value) ? .pass : tolerable.contains(value) ? .warn : .fail
    }

    static func format(_ number: Double) -> String {
        number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(format: "%.3g", number)
    }
}
