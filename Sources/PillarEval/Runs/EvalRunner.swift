import Foundation
import Logging
import PillarCore

/// Runs a run's remaining (item, repeat) pairs through the serving path, scores each answer and saves it.
/// Up to `concurrency` questions are in flight; this loop alone writes to the store, so a run's progress is
/// always exactly the results saved. A spent budget, too many failures in a row or cancellation end the run
/// with a status that says so; whatever was saved stays, and `resume` asks only what is missing.
public struct EvalRunner: Sendable {
    let store: any EvalRepository
    let answering: any EvalAnswering
    let scoring: EvalScoring
    let logger: Logger
    /// Failures of the models or the server in a row after which the run stops rather than spend more.
    let maxConsecutiveFailures: Int

    public init(
        store: any EvalRepository, answering: any EvalAnswering, scoring: EvalScoring, logger: Logger,
        maxConsecutiveFailures: Int = 5
    ) {
        self.store = store
        self.answering = answering
        self.scoring = scoring
        self.logger = logger
        self.maxConsecutiveFailures = maxConsecutiveFailures
    }

    /// Why a run's task was cancelled: by a person (`cancelled`) or by the server stopping (`interrupted`).
    public enum StopReason: Sendable {
        case cancelled, interrupted
    }

    private enum Outcome: Sendable {
        case scored(EvalAnswered, judged: [FlowTrace.ArtifactUse], judgeUsage: Usage, judgeCost: Double)
        case failed(EvalFailure)
    }

    /// Runs what is left of `run` over `items` and returns the run as it ended (also saved).
    public func execute(
        _ run: EvalRunRecord, items: [EvalItem], plan: ScoringPlan,
        stopReason: @escaping @Sendable () -> StopReason
    ) async -> EvalRunRecord {
        var run = run
        let existing: Set<String>
        do {
            existing = Set(
                try await store.results(runID: run.id, tenant: run.tenant).map { "\($0.itemID)\u{0}\($0.repeatIndex)" })
        } catch {
            return await finish(run, status: .failed, error: "The run's results could not be read: \(error)")
        }
        var work: [(EvalItem, Int)] = []
        for repeatIndex in 0..<run.spec.repeats {
            for item in items where !existing.contains("\(item.id)\u{0}\(repeatIndex)") { work.append((item, repeatIndex)) }
        }
        run.done = existing.count
        run.status = .running
        run.error = nil
        var consecutiveFailures = 0
        var failures: [String: Int] = [:]
        var budgetMessage: String?
        var stopped = false
        let snapshot = run
        await withTaskGroup(of: Outcome.self) { group in
            var next = work.makeIterator()
            var inFlight = 0
            func addNext() -> Bool {
                guard let (item, repeatIndex) = next.next() else { return false }
                group.addTask { await self.ask(item, repeatIndex: repeatIndex, run: snapshot, plan: plan) }
                inFlight += 1
                return true
            }
            while inFlight < max(1, run.spec.concurrency), addNext() {}
            while let outcome = await group.next() {
                inFlight -= 1
                switch outcome {
                case .scored(let answered, let judged, let judgeUsage, let judgeCost):
                    consecutiveFailures = 0
                    run.done += 1
                    run.promptTokens += answered.result.promptTokens + judgeUsage.promptTokens
                    run.completionTokens += answered.result.completionTokens + judgeUsage.completionTokens
                    run.costUSD += (answered.result.costUSD ?? 0) + judgeCost
                    run.versions.merge(
                        prompts: answered.prompts + judged, models: answered.models,
                        deployments: answered.deployments)
                    do {
                        try await store.saveResult(answered.result, run: run)
                    } catch {
                        logger.error("evaluation result could not be saved", metadata: ["run": "\(run.id)", "error": "\(error)"])
                        run.done -= 1
                        failures["storage_error", default: 0] += 1
                        stopped = true
                    }
                case .failed(.budget(let message)):
                    budgetMessage = message
                    stopped = true
                case .failed(.infrastructure(let code, _)), .failed(.item(let code, _)), .failed(.refusal(let code, _)):
                    consecutiveFailures += 1
                    failures[code, default: 0] += 1
                    if consecutiveFailures >= maxConsecutiveFailures { stopped = true }
                }
                if Task.isCancelled { stopped = true }
                if !stopped { _ = addNext() }
                if stopped, inFlight == 0 { break }
            }
            group.cancelAll()
        }
        if Task.isCancelled {
            let reason = stopReason()
            return await finish(
                run, status: reason == .cancelled ? .cancelled : .interrupted,
                error: reason == .cancelled
                    ? "Cancelled; resume it to finish the remaining items."
                    : "The server stopped while the run was going; resume it to finish the remaining items.")
        }
        if let budgetMessage {
            return await finish(
                run, status: .budgetExhausted,
                error: "The tenant's evaluation budget is spent (\(budgetMessage)); resume once there is budget again.")
        }
        if !failures.isEmpty {
            let summary = failures.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", ")
            let stoppedEarly =
                consecutiveFailures >= maxConsecutiveFailures
                ? " It stopped after \(maxConsecutiveFailures) failures in a row." : ""
            return await finish(
                run, status: .failed,
                error:
                    "\(run.total - run.done) of \(run.total) answers are missing; the models or the server failed (\(summary)).\(stoppedEarly) Resume it to ask them again."
            )
        }
        return await finish(
            run, status: run.done >= run.total ? .completed : .failed,
            error: run.done >= run.total ? nil : "Only \(run.done) of \(run.total) answers were saved.")
    }

    private func finish(_ run: EvalRunRecord, status: EvalRunRecord.Status, error: String?) async -> EvalRunRecord {
        var run = run
        run.status = status
        run.error = error
        run.finishedAt = Date().timeIntervalSince1970
        // A cancelled run still saves how it ended: the write must not inherit the cancellation, or the run
        // would read `running` with nothing running it.
        let store = store
        let ended = run
        do {
            try await Task.detached { try await store.updateRun(ended) }.value
        } catch {
            logger.error("evaluation run could not be saved", metadata: ["run": "\(run.id)", "error": "\(error)"])
        }
        return run
    }

    /// Asks one question and scores the answer; a failure that is the item's own becomes its result.
    private func ask(_ item: EvalItem, repeatIndex: Int, run: EvalRunRecord, plan: ScoringPlan) async -> Outcome {
        var answered: EvalAnswered
        do {
            answered = try await answering.answer(item, repeatIndex: repeatIndex, run: run)
        } catch {
            switch EvalFailure(error) {
            case .item(let code, let message):
                answered = EvalAnswered(
                    result: EvalResult(
                        runID: run.id, itemID: item.id, repeatIndex: repeatIndex, status: .failed,
                        errorCode: code, errorMessage: message, answer: "", latencyMs: 0,
                        createdAt: Date().timeIntervalSince1970),
                    prompts: [], models: [], deployments: [])
            case .refusal(let code, let message):
                answered = EvalAnswered(
                    result: EvalResult(
                        runID: run.id, itemID: item.id, repeatIndex: repeatIndex, status: .refused,
                        errorCode: code, errorMessage: message, answer: "", latencyMs: 0,
                        createdAt: Date().timeIntervalSince1970),
                    prompts: [], models: [], deployments: [])
            case let failure:
                return .failed(failure)
            }
        }
        do {
            let scored = try await scoring.score(item, answered.result, plan: plan, run: run)
            answered.result.scores = scored.scores
            return .scored(answered, judged: scored.judgePrompts, judgeUsage: scored.usage, judgeCost: scored.costUSD)
        } catch {
            return .failed(EvalFailure(error))
        }
    }
}

extension EvalRunVersions {
    /// Adds what an answer used to what the run records, each once, in order of first use.
    mutating func merge(prompts used: [FlowTrace.ArtifactUse], models newModels: [String], deployments newDeployments: [String]) {
        for use in used where !prompts.contains(where: { $0.name == use.name && $0.version == use.version }) {
            prompts.append(FlowTrace.ArtifactUse(name: use.name, version: use.version, label: use.label))
        }
        for model in newModels where !models.contains(model) { models.append(model) }
        for deployment in newDeployments where !deployments.contains(deployment) { deployments.append(deployment) }
    }
}
