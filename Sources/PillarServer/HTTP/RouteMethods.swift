import Synchronization

/// The methods each route path answers, learnt once the router is built, so that a known path asked with
/// another method is a 405 naming the allowed ones (Hummingbird's router only says 404).
final class RouteMethods: Sendable {
    private let routes = Mutex<[(segments: [Substring], method: String)]>([])

    /// `paths`: the router's route paths, `{name}` (or `:name`) standing for one segment.
    func learn(_ routes: [(method: String, path: String)]) {
        let parsed = routes.map { (segments: $0.path.split(separator: "/"), method: $0.method) }
        self.routes.withLock { $0 = parsed }
    }

    /// The methods that some route answers on `path`, empty when no route has the path.
    func allowed(on path: String) -> [String] {
        let asked = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        let methods = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == asked.count
                    && zip(route.segments, asked).allSatisfy { pattern, segment in
                        pattern == segment || pattern.hasPrefix("{") || pattern.hasPrefix(":")
                    }
            }.map(\.method)
        }
        return Array(Set(methods)).sorted()
    }
}
