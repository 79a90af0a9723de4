import Hummingbird
import PillarCore

/// Cursor paging, the one way every list route pages: `limit` (1-1000, 100 when absent) and `after` (the id of
/// the last item of the previous page), answered as `{"data": […], "has_more": …}`. A cursor stays valid
/// when items are added in front of it, which an offset would not.
struct PageRequest: Sendable {
    let limit: Int
    let after: String?

    init(_ request: Request) throws {
        limit = try QueryInteger.limit(of: request)
        let after = request.uri.queryParameters.get("after")
        if let after, after.isEmpty || after.count > 512 { throw PillarError.invalidCursor(after) }
        self.after = after
    }

    /// The page of a list already in its order, where `id` names each item: the items after the one `after`
    /// names. For lists that are small and read whole (keys, libraries, monitors…).
    func page<Item: Encodable & Sendable>(_ items: [Item], id: (Item) -> String) throws -> Page<Item> {
        var rest = items[...]
        if let after {
            guard let index = items.firstIndex(where: { id($0) == after }) else { throw PillarError.invalidCursor(after) }
            rest = items[(index + 1)...]
        }
        return Page(data: Array(rest.prefix(limit)), hasMore: rest.count > limit)
    }

    /// The page from a store that was asked for `limit + 1` items after the cursor: the extra one only says
    /// that there are more.
    func page<Item: Encodable & Sendable>(fetched items: [Item]) -> Page<Item> {
        Page(data: Array(items.prefix(limit)), hasMore: items.count > limit)
    }

    /// What to ask a store for: one more than the page, to learn whether there are more.
    var fetchLimit: Int { limit + 1 }
}

struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
    var data: [Item]
    var hasMore: Bool

    enum CodingKeys: String, CodingKey {
        case data
        case hasMore = "has_more"
    }
}
