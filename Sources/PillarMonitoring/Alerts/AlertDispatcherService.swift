import ServiceLifecycle

/// Runs the dispatcher's delivery loop. On shutdown it stops taking alerts and delivers what is queued, for at
/// most `drainLimit`: a receiver that is down must not hold the process for its retries.
public struct AlertDispatcherService: Service {
    let dispatcher: AlertDispatcher
    let drainLimit: Duration

    public init(dispatcher: AlertDispatcher, drainLimit: Duration = .seconds(5)) {
        self.dispatcher = dispatcher
        self.drainLimit = drainLimit
    }

    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await dispatcher.run() }
            group.addTask {
                try? await gracefulShutdown()
                dispatcher.finish()
                try? await Task.sleep(for: drainLimit)
            }
            // Whichever ends first: the queue drained after `finish`, or the drain limit passed.
            await group.next()
            group.cancelAll()
        }
    }
}
