import ServiceLifecycle

/// Runs the dispatcher's delivery loop; on shutdown it stops taking alerts and delivers what is queued.
public struct AlertDispatcherService: Service {
    let dispatcher: AlertDispatcher

    public init(dispatcher: AlertDispatcher) { self.dispatcher = dispatcher }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await dispatcher.run()
        } onGracefulShutdown: {
            dispatcher.finish()
        }
    }
}
