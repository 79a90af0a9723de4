import PillarCore

/// One answer handed to production monitoring: its sample and, for the judges, the words they read (the
/// question as the models saw it, the answer, the sources' text). The words live only in memory until the
/// judges have read them; only the sample is stored.
public struct QualityObservation: Sendable {
    public var sample: QualitySample
    public var question: String
    public var answer: String
    public var context: String

    public init(sample: QualitySample, question: String, answer: String, context: String) {
        self.sample = sample
        self.question = question
        self.answer = answer
        self.context = context
    }
}
