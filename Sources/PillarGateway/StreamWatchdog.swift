import NIOCore
import Synchronization

/// The deadlines of one upstream stream: the first token, the silence between events, the whole stream.
/// The reader tells it what it hears; a guard task asks it for the next deadline.
final class StreamWatchdog: Sendable {
    private struct State {
        var lastEvent: NIODeadline
        var heardOutput = false
    }

    private let firstTokenBy: NIODeadline
    private let idle: TimeAmount
    private let endBy: NIODeadline
    private let state: Mutex<State>

    init(firstTokenBy: NIODeadline, idle: TimeAmount, endBy: NIODeadline) {
        self.firstTokenBy = firstTokenBy
        self.idle = idle
        self.endBy = endBy
        self.state = Mutex(State(lastEvent: .now()))
    }

    /// An event arrived; `output`: it carried part of the answer (text, a tool call, a refusal…), which ends
    /// the wait for the first token.
    func heard(output: Bool) {
        state.withLock { state in
            state.lastEvent = .now()
            if output { state.heardOutput = true }
        }
    }

    /// The earliest deadline still running.
    func deadline() -> NIODeadline {
        state.withLock { state in
            var deadline = min(endBy, state.lastEvent + idle)
            if !state.heardOutput { deadline = min(deadline, firstTokenBy) }
            return deadline
        }
    }
}
