import PillarCore
import PillarEval
import PillarFlows

/// Scores a production answer on one judge metric, 0 (worst) to 1 (best).
public protocol AnswerJudge: Sendable {
    /// Nil when the judge answered off its rubric; throws when it could not be reached.
    func score(
        metric: String, question: String, answer: String, context: String, tenant: String,
        traceID: String
    ) async throws -> Double?
}

/// Production monitoring's judges: the evaluation issue's judge prompts from the tenant's library, asked as
/// the tenant's `eval:online` subject so that every call is metered against the tenant's evaluation budget.
public struct LibraryAnswerJudge: AnswerJudge {
    public static let subject = EvalIdentity.subjectPrefix + "online"
    let judge: LibraryJudge
    let model: String?

    public init(judge: LibraryJudge, model: String?) {
        self.judge = judge
        self.model = model
    }

    public func score(
        metric: String, question: String, answer: String, context: String, tenant: String,
        traceID: String
    ) async throws -> Double? {
        guard let prompt = JudgeRubric.promptNames[metric] else { return nil }
        let principal = Principal(tenant: tenant, subject: Self.subject, roles: [.user], method: .evaluation)
        let flowContext = FlowContext(
            principal: principal, scope: AccessScope(tenant: tenant, groups: []),
            stickyKey: traceID, label: nil)
        let reply = try await judge.ask(
            prompt: prompt,
            variables: [
                "question": .string(question), "answer": .string(answer), "context": .string(context), "expected": .string(""),
            ], model: model, context: flowContext)
        // The rubric's 1-5 onto 0-1, so a signal reads as a share and "a 20-point drop" means 0.2.
        return JudgeRubric.evalScore(from: reply.text).value.map { ($0 - 1) / 4 }
    }
}
