import Instrumentation
import ServiceContextModule

/// The current trace id, read in a tracer-neutral way: inject the current context as W3C `traceparent`
/// and take the id out of it. Nil when no tracer is bootstrapped.
enum TraceContext {
    static func currentTraceID() -> String? {
        guard let context = ServiceContext.current else { return nil }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryInjector())
        guard let parent = carrier["traceparent"] else { return nil }
        let parts = parent.split(separator: "-")
        return parts.count == 4 ? String(parts[1]) : nil
    }

    struct DictionaryInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
            carrier[key] = value
        }
    }
}
