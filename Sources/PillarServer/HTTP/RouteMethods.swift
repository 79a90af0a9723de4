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

    static func isParameter(_ pattern: Substring) -> Bool { pattern.hasPrefix("{") || pattern.hasPrefix(":") }

    /// The methods that some route answers on `path`, empty when no route has the path.
    func allowed(on path: String) -> [String] {
        let asked = path.split(separator: "?", maxSplits: 1).first.map { $0.split(separator: "/") } ?? []
        var matching = routes.withLock { routes in
            routes.filter { route in
                route.segments.count == asked.count
                    && zip(route.segments, asked).allSatisfy { pattern, segment in
                        pattern == segment || Self.isParameter(pattern)
                    }
            }
        }
        // As the router's trie does, a segment spelt out wins over a parameter in the same place: on
        // `/v1/documents/samples` only `documents/samples`' methods count, not `documents/{id}`'s.
        for (index, segment) in asked.enumerated() where matching.contains(where: { $0.segments[index] == segment }) {
            matching.removeAll { Self.isParameter($0.segments[index]) }
        }
        return Array(Set(matching.map(\.method))).sorted()
    }
}
