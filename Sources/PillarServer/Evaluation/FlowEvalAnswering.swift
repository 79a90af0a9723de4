import Crypto
import Foundation
import PillarCore
import PillarEval
import PillarFlows

/// Evaluation questions asked the way users' are: through the flow service (guards, retrieval under the run's
/// groups, prompts, the gateway), as the run's own identity so that its usage is metered as evaluation.
struct FlowEvalAnswering: EvalAnswering {
    let service: FlowService
    let prompts: VersionedLibrary<CompiledPrompt>
    let models: any FlowModels
    let documents: any DocumentRepository
    let prices: [String: ModelPrice]
    let redaction: StorageRedaction
    let configurationDigest: String

    func prepare(_ spec: EvalRunSpec, tenant: String) async throws -> EvalRunVersions {
        let reference = try LibraryReference(parsing: spec.flow)
        if case .label(let label) = reference.selector,
            let assigned = try await service.flows.labels(tenant: tenant, name: reference.name).first(where: { $0.label == label }
            ),
            assigned.split.count > 1
        {
            throw PillarError.invalidRequest(
                "The label '\(label)' of flow '\(reference.name)' splits traffic between versions \(assigned.split.map { "\($0.version)" }.joined(separator: ", ")); a run evaluates one: name a version (\(reference.name)@N).",
                param: "flow", code: "label_is_split")
        }
        // A label the flow lacks (a canary of its prompts alone) falls back to the flow's production version,
        // as a user's request with that label would; the prompts still follow the label.
        var flowReference = reference
        if case .label(let label) = reference.selector,
            !(try await service.flows.labels(tenant: tenant, name: reference.name).contains { $0.label == label })
        {
            flowReference = LibraryReference(name: reference.name, selector: .inherited)
        }
        let flow = try await service.flows.resolve(flowReference, tenant: tenant, runLabel: nil, stickyKey: "evaluation")
        for pin in spec.prompts {
            let pinned = try LibraryReference(parsing: pin)
            _ = try await prompts.resolve(pinned, tenant: tenant, runLabel: nil, stickyKey: "evaluation")
        }
        for model in [spec.model, spec.judgeModel].compactMap({ $0 }) where !models.serves(model) {
            throw PillarError.modelNotFound(model)
        }
        let index = try await documents.indexSummary(tenant: tenant)
        return EvalRunVersions(
            flow: flow.use, indexDocuments: index.documents, indexChunks: index.chunks,
            indexUpdatedAt: index.updatedAt, configurationDigest: configurationDigest)
    }

    func answer(_ item: EvalItem, repeatIndex: Int, run: EvalRunRecord) async throws -> EvalAnswered {
        var overrides: [String: LibraryReference] = [:]
        for pin in run.spec.prompts {
            let reference = try LibraryReference(parsing: pin)
            overrides[reference.name] = reference
        }
        // The flow as pinned when the run started; prompts follow the label the run named (falling back to
        // production, as a user's request with that label would).
        var label: String?
        if case .label(let named)? = try? LibraryReference(parsing: run.spec.flow).selector { label = named }
        let history = item.history.map { ChatMessage(role: $0.role, content: $0.content) }
        var question = FlowService.Question(
            flow: "\(run.versions.flow.name)@\(run.versions.flow.version)", label: label, text: item.question,
            history: history, principal: EvalIdentity.principal(for: run), conversationID: nil,
            stickyKey: "\(run.id)/\(item.id)/\(repeatIndex)")
        question.promptOverrides = overrides
        question.modelOverride = run.spec.model
        let started = ContinuousClock.now
        let flow = try await service.resolve(question)
        let answer = try await service.answer(question, flow: flow, streaming: nil)
        let latency = (ContinuousClock.now - started).seconds * 1000
        let cost = answer.model.flatMap { prices[$0] }?.cost(of: answer.usage)
        let result = EvalResult(
            // Stored like a conversation's answer: personal data removed by the tenant's policy first.
            runID: run.id, itemID: item.id, repeatIndex: repeatIndex, status: .answered,
            answer: redaction.clean(answer.answer, tenant: run.tenant),
            citations: answer.citations.map(Self.source),
            retrieved: answer.sources.enumerated().map { index, citation in
                var source = Self.source(citation)
                source.rank = index + 1
                return source
            },
            contextText: answer.sources.map { "[\($0.marker)] \($0.title ?? $0.sourceURI)\n\($0.text)" }.joined(
                separator: "\n\n"),
            latencyMs: latency, promptTokens: answer.usage.promptTokens, completionTokens: answer.usage.completionTokens,
            costUSD: cost, traceID: answer.traceID, createdAt: Date().timeIntervalSince1970)
        return EvalAnswered(
            result: result, prompts: answer.promptsUsed, models: answer.modelsUsed,
            deployments: answer.deploymentsUsed)
    }

    static func source(_ citation: Citation) -> EvalSource {
        EvalSource(
            rank: citation.marker, documentID: citation.documentID, sourceURI: citation.sourceURI,
            title: citation.title, score: citation.score)
    }

    /// SHA-256 of the configuration as decoded (secrets are never in it: they come from the environment).
    static func digest(of configuration: PillarConfiguration) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(configuration)) ?? Data()
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
