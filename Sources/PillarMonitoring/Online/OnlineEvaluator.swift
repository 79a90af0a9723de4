import Foundation
import Logging
import Metrics
import PillarCore
import ServiceLifecycle

/// Scores production answers off the response path. Every observation becomes a stored sample (outcome,
/// timings, cost, coverage); those the tenant's sampling rule picks (or a canary under analysis asks for)
/// are then judged and, for drift, their query embedded, both as the tenant's evaluation subject.
public struct OnlineEvaluator: Service {
    public typealias EmbedQuery = @Sendable (_ text: String, _ tenant: String) async throws -> [Float]

    let intake: QualityIntake
    let store: any QualityRepository
    /// The tenant's rule; nil leaves the tenant's answers unjudged (their samples are still stored).
    let rule: @Sendable (String) -> SamplingRule?
    let canaries: ActiveCanaries
    let judge: (any AnswerJudge)?
    let embedQuery: EmbedQuery?
    let health: JudgeHealth
    let judgeConcurrency: Int
    let judgeBacklog: Int
    let logger: Logger

    public init(
        intake: QualityIntake, store: any QualityRepository, rule: @escaping @Sendable (String) -> SamplingRule?,
        canaries: ActiveCanaries, judge: (any AnswerJudge)?, embedQuery: EmbedQuery?, health: JudgeHealth,
        judgeConcurrency: Int, judgeBacklog: Int, logger: Logger
    ) {
        self.intake = intake
        self.store = store
        self.rule = rule
        self.canaries = canaries
        self.judge = judge
        self.embedQuery = embedQuery
        self.health = health
        self.judgeConcurrency = max(1, judgeConcurrency)
        self.judgeBacklog = max(1, judgeBacklog)
        self.logger = logger
    }

    struct JudgeJob: Sendable {
        var observation: QualityObservation
        var judges: [String]
    }

    public func run() async throws {
        let abandoned = try await store.failPendingJudgements()
        if abandoned > 0 {
            logger.notice("quality samples left unjudged by the last stop", metadata: ["samples": "\(abandoned)"])
        }
        let (jobs, queue) = AsyncStream.makeStream(of: JudgeJob.self, bufferingPolicy: .bufferingOldest(judgeBacklog))
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await writeSamples(into: queue) }
                group.addTask { await judgeAll(jobs) }
            }
        } onGracefulShutdown: {
            intake.finish()
        }
    }

    /// Stores every queued sample in one write, then hands the sampled ones to the judges.
    func writeSamples(into queue: AsyncStream<JudgeJob>.Continuation) async {
        for await _ in intake.wakeUps {
            await drain(into: queue)
        }
        await drain(into: queue)
        queue.finish()
    }

    func drain(into queue: AsyncStream<JudgeJob>.Continuation) async {
        let batch = intake.take()
        guard !batch.isEmpty else { return }
        var samples: [QualitySample] = []
        var sampled: [JudgeJob] = []
        for var observation in batch {
            let tenantRule = rule(observation.sample.tenant)
            let boost = canaries.samplingRate(for: observation.sample)
            // A label under canary analysis is sampled at its rate whatever the tenant's filters say: the analysis
            // needs judged answers from both sides.
            let selected =
                boost.map { SamplingRule.position(of: observation.sample.traceID) < max($0, tenantRule?.rate ?? 0) }
                ?? tenantRule?.selects(observation.sample) ?? false
            if judge != nil, let tenantRule, !observation.sample.failed, !observation.sample.refused, selected {
                observation.sample.judgement = .pending
                sampled.append(JudgeJob(observation: observation, judges: tenantRule.judges))
            }
            samples.append(observation.sample)
        }
        do {
            try await store.saveSamples(samples)
        } catch {
            logger.error("quality samples could not be saved", metadata: ["error": "\(error)", "samples": "\(samples.count)"])
            return
        }
        for sample in samples {
            Counter(label: "pillar_quality_samples_total", dimensions: [("tenant", sample.tenant)]).increment()
        }
        for job in sampled {
            if case .dropped = queue.yield(job) {
                // The judges are behind: the sample is kept, without scores, and says so.
                Counter(label: "pillar_quality_judge_dropped_total", dimensions: [("tenant", job.observation.sample.tenant)])
                    .increment()
                try? await store.updateJudgement(
                    traceID: job.observation.sample.traceID, tenant: job.observation.sample.tenant,
                    judgement: .failed, groundedness: nil, relevance: nil)
            }
        }
    }

    func judgeAll(_ jobs: AsyncStream<JudgeJob>) async {
        await withTaskGroup(of: Void.self) { group in
            var running = 0
            for await job in jobs {
                if running >= judgeConcurrency {
                    await group.next()
                    running -= 1
                }
                group.addTask { await score(job) }
                running += 1
            }
        }
    }

    func score(_ job: JudgeJob) async {
        guard let judge else { return }
        let sample = job.observation.sample
        var scores: [String: Double] = [:]
        var failed = false
        for metric in job.judges {
            do {
                let value = try await judge.score(
                    metric: metric, question: job.observation.question,
                    answer: job.observation.answer, context: job.observation.context,
                    tenant: sample.tenant, traceID: sample.traceID)
                health.succeeded(tenant: sample.tenant, at: Date().timeIntervalSince1970)
                if let value { scores[metric] = value } else { failed = true }
            } catch {
                health.failed(tenant: sample.tenant, at: Date().timeIntervalSince1970, error: PillarError.summary(of: error))
                Counter(label: "pillar_quality_judge_failures_total", dimensions: [("tenant", sample.tenant)]).increment()
                logger.warning(
                    "online judge failed",
                    metadata: [
                        "tenant": "\(sample.tenant)", "metric": "\(metric)",
                        "error": "\(PillarError.summary(of: error))",
                    ])
                failed = true
                break
            }
        }
        let judgement: QualitySample.Judgement = failed && scores.isEmpty ? .failed : .scored
        do {
            try await store.updateJudgement(
                traceID: sample.traceID, tenant: sample.tenant, judgement: judgement,
                groundedness: scores["groundedness"], relevance: scores["relevance"])
        } catch {
            logger.error("quality scores could not be saved", metadata: ["error": "\(error)"])
        }
        if let embedQuery, !job.observation.question.isEmpty {
            do {
                let vector = try await embedQuery(job.observation.question, sample.tenant)
                try await store.saveQueryVector(traceID: sample.traceID, tenant: sample.tenant, vector: vector)
            } catch {
                logger.warning(
                    "query embedding for drift failed",
                    metadata: [
                        "tenant": "\(sample.tenant)",
                        "error": "\(PillarError.summary(of: error))",
                    ])
            }
        }
    }
}
