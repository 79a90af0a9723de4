import Foundation
import PillarCore
import PillarStore
import Testing

@testable import PillarGateway
@testable import PillarServer

/// Every fault the simulator injects × whole and streamed × one deployment and two (a healthy backup behind
/// the faulty primary), asserting what the client sees and roughly how long it took (issue 11's fault matrix).
/// Bounds on time are loose: they catch a request that waits out a retry budget, a stall or a connect timeout,
/// not jitter. The cases run one at a time: sixty servers at once on two cores would time out on their own.
@Suite(.serialized) struct FaultMatrixTests {
    enum Fault: String, CaseIterable, Sendable {
        case status503WithRetryAfter, status503, status429WithRetryAfter, requestRejected500
        case stall, stallAfterHead, reset, refused
        case cutBeforeFirstToken, cutMidStream, malformedBeforeFirstToken, malformedMidStream
        case streamErrorBeforeFirstToken, streamErrorMidStream, endWithoutFinish

        /// The primary's behaviour; nil for `refused`, whose port is held closed.
        var behaviour: SimulatorBehaviour? {
            var behaviour = SimulatorBehaviour(
                timeToFirstToken: .zero, tokensPerSecond: 2000, reply: "one two three four five six")
            switch self {
            case .status503WithRetryAfter: behaviour.fault = .status(503, retryAfterSeconds: 1)
            case .status503: behaviour.fault = .status(503, retryAfterSeconds: nil)
            case .status429WithRetryAfter: behaviour.fault = .status(429, retryAfterSeconds: 1)
            case .requestRejected500:
                // llama.cpp's answer to chat on an embedding model: a 500 whose type says the request is wrong.
                behaviour.fault = .status(500, retryAfterSeconds: nil)
                behaviour.errorType = "not_supported_error"
            case .stall: behaviour.fault = .stall(.seconds(5))
            case .stallAfterHead: behaviour.fault = .stallAfterHead(.seconds(5))
            case .reset: behaviour.fault = .reset
            case .refused: return nil
            case .cutBeforeFirstToken: behaviour.fault = .cutAfter(tokens: 0)
            case .cutMidStream: behaviour.fault = .cutAfter(tokens: 3)
            case .malformedBeforeFirstToken: behaviour.fault = .malformedAfter(tokens: 0)
            case .malformedMidStream: behaviour.fault = .malformedAfter(tokens: 3)
            case .streamErrorBeforeFirstToken: behaviour.fault = .streamErrorAfter(tokens: 0)
            case .streamErrorMidStream: behaviour.fault = .streamErrorAfter(tokens: 3)
            case .endWithoutFinish: behaviour.fault = .endWithoutFinish
            }
            return behaviour
        }

        /// Faults of the stream itself, which a whole answer from the simulator does not have.
        var onlyStreams: Bool {
            switch self {
            case .cutBeforeFirstToken, .cutMidStream, .malformedBeforeFirstToken, .malformedMidStream,
                .streamErrorBeforeFirstToken, .streamErrorMidStream, .endWithoutFinish:
                return true
            default: return false
            }
        }

        /// Faults that strike after the first tokens reached the client: the stream cannot move elsewhere.
        var afterFirstToken: Bool {
            [.cutMidStream, .malformedMidStream, .streamErrorMidStream, .endWithoutFinish].contains(self)
        }
    }

    /// What the client must see.
    enum Expected: Equatable, CustomStringConvertible {
        /// 200 with the answer of the deployment named.
        case answer(from: String)
        /// An HTTP error with this status and code; `retryAfter`: a Retry-After header must be there.
        case error(status: Int, code: String, retryAfter: Bool)
        /// A 200 stream that carried part of the answer and ended with an error event with this code, never `[DONE]`.
        case brokenStream(code: String)

        var description: String {
            switch self {
            case .answer(let from): "answer from \(from)"
            case .error(let status, let code, let retryAfter): "\(status) \(code)\(retryAfter ? " with Retry-After" : "")"
            case .brokenStream(let code): "stream ending in \(code)"
            }
        }
    }

    static func expected(_ fault: Fault, streamed: Bool, backup: Bool) -> Expected {
        if fault.onlyStreams, !streamed { return .answer(from: "primary") }
        if fault == .requestRejected500 { return .error(status: 400, code: "unsupported_operation", retryAfter: false) }
        if fault.afterFirstToken, streamed {
            switch fault {
            case .malformedMidStream: return .brokenStream(code: "upstream_malformed")
            case .streamErrorMidStream: return .brokenStream(code: "upstream_stream_error")
            default: return .brokenStream(code: "upstream_truncated")
            }
        }
        if backup { return .answer(from: "backup") }
        switch fault {
        case .status503WithRetryAfter, .status503, .refused:
            return .error(status: 503, code: "service_unavailable", retryAfter: true)
        case .status429WithRetryAfter: return .error(status: 429, code: "upstream_rate_limited", retryAfter: true)
        case .stall, .stallAfterHead: return .error(status: 504, code: "upstream_timeout", retryAfter: false)
        case .reset, .cutBeforeFirstToken: return .error(status: 502, code: "upstream_truncated", retryAfter: false)
        case .malformedBeforeFirstToken: return .error(status: 502, code: "upstream_malformed", retryAfter: false)
        case .streamErrorBeforeFirstToken: return .error(status: 502, code: "upstream_stream_error", retryAfter: false)
        default: return .answer(from: "primary")
        }
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var fault: Fault
        var streamed: Bool
        var backup: Bool
        var testDescription: String {
            "\(fault.rawValue), \(streamed ? "streamed" : "whole"), \(backup ? "with backup" : "alone")"
        }
    }

    static let cases: [Case] = Fault.allCases.flatMap { fault in
        [false, true].flatMap { streamed in [false, true].map { Case(fault: fault, streamed: streamed, backup: $0) } }
    }

    @Test(arguments: cases)
    func theClientSeesOneClearOutcomeSoon(_ matrixCase: Case) async throws {
        let held = try HeldLoopbackPort()
        let healthy = SimulatorBehaviour(timeToFirstToken: .zero, tokensPerSecond: 2000, reply: "from the backup")
        try await withOptionalSimulator(matrixCase.fault.behaviour) { primaryPort in
            try await withSimulator(healthy) { backupPort in
                var deployments = [simulatorDeployment("primary", port: primaryPort ?? held.port, models: ["gpt"], priority: 0)]
                if matrixCase.backup {
                    deployments.append(simulatorDeployment("backup", port: backupPort, models: ["gpt"], priority: 1))
                }
                try await withPillar(
                    deployments: deployments,
                    configure: { configuration in
                        // A refused connection that waited for the connect timeout would take 10 s.
                        configuration.timeouts.connectSeconds = 10
                        configuration.timeouts.firstTokenSeconds = 1.5
                        configuration.timeouts.firstByteSeconds = 1.5
                        configuration.timeouts.totalSeconds = 2.5
                        configuration.gateway.maxAttempts = 2
                        configuration.gateway.retryTotalSeconds = 3
                    }
                ) { pillar in
                    let started = ContinuousClock.now
                    let response = try await pillar.chat("hello", model: "gpt", stream: matrixCase.streamed)
                    let took = ContinuousClock.now - started
                    let expected = Self.expected(matrixCase.fault, streamed: matrixCase.streamed, backup: matrixCase.backup)
                    try check(response, expected, matrixCase)
                    // A request never waits out the retry budget on a deployment known to fail, nor a stall.
                    let stalls = matrixCase.fault == .stall || matrixCase.fault == .stallAfterHead
                    #expect(took < .seconds(stalls ? 9 : 6), "\(matrixCase.testDescription) took \(took)")
                }
            }
        }
    }

    func check(_ response: TestResponse, _ expected: Expected, _ matrixCase: Case) throws {
        let label = "\(matrixCase.testDescription): expected \(expected), got \(response.status) \(response.body.prefix(300))"
        switch expected {
        case .answer(let from):
            #expect(response.status == 200, "\(label)")
            #expect(response.headers["x-pillar-deployment"] == from || !matrixCase.streamed, "\(label)")
            let text = matrixCase.streamed ? response.streamedText : response.body
            #expect(text.contains(from == "backup" ? "from the backup" : "one two three"), "\(label)")
            if matrixCase.streamed { #expect(response.events.last == "[DONE]", "\(label)") }
        case .error(let status, let code, let retryAfter):
            #expect(response.status == status, "\(label)")
            #expect(response.errorCode == code, "\(label)")
            if retryAfter {
                let seconds = response.headers["retry-after"].flatMap(Int.init)
                #expect(seconds.map { $0 >= 1 } ?? false, "\(label): Retry-After \(response.headers["retry-after"] ?? "missing")")
            }
        case .brokenStream(let code):
            #expect(response.status == 200, "\(label)")
            #expect(!response.streamedText.isEmpty, "\(label)")
            #expect(!response.events.contains("[DONE]"), "\(label)")
            let last = response.events.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
            #expect((last?["error"] as? [String: Any])?["code"] as? String == code, "\(label)")
        }
    }

    func withOptionalSimulator(_ behaviour: SimulatorBehaviour?, _ body: @Sendable (Int?) async throws -> Void) async throws {
        guard let behaviour else { return try await body(nil) }
        try await withSimulator(behaviour) { try await body($0) }
    }
}
