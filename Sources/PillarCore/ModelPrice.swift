/// What a model's tokens cost, in US dollars per million.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
    }

    public func cost(of usage: Usage) -> Double {
        (Double(usage.promptTokens) * inputPerMillion + Double(usage.completionTokens) * outputPerMillion) / 1_000_000
    }
}
