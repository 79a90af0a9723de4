import PillarCore

/// Which ACL each indexed chunk carries, interned: chunks of documents with the same groups share one
/// "group set" number, so a search decides what a caller may read once per group set, then tests each
/// visited chunk with one dictionary lookup and one array read.
struct AccessMap: Sendable {
    private var groupSetOfChunk: [Int64: Int32] = [:]
    private var groupSets: [[String]] = []
    private var groupSetNumbers: [[String]: Int32] = [:]
    private var members: [Set<Int64>] = []

    var count: Int { groupSetOfChunk.count }

    mutating func set(_ chunk: Int64, aclGroups: [String]) {
        let key = Array(Set(aclGroups)).sorted()
        let number: Int32
        if let existing = groupSetNumbers[key] {
            number = existing
        } else {
            number = Int32(groupSets.count)
            groupSets.append(key)
            groupSetNumbers[key] = number
            members.append([])
        }
        if let previous = groupSetOfChunk[chunk], previous != number { members[Int(previous)].remove(chunk) }
        groupSetOfChunk[chunk] = number
        members[Int(number)].insert(chunk)
    }

    mutating func remove(_ chunk: Int64) {
        guard let number = groupSetOfChunk.removeValue(forKey: chunk) else { return }
        members[Int(number)].remove(chunk)
    }

    /// What one caller may read, decided once per search.
    func readable(by scope: AccessScope) -> Readable {
        var allowed = [Bool](repeating: false, count: groupSets.count)
        var count = 0
        for (number, groups) in groupSets.enumerated() where scope.canRead(aclGroups: groups) {
            allowed[number] = true
            count += members[number].count
        }
        return Readable(map: self, allowed: allowed, count: count)
    }

    struct Readable: Sendable {
        let map: AccessMap
        let allowed: [Bool]
        /// How many chunks the caller may read.
        let count: Int

        /// Unknown chunks (added to the index after this view was taken) are refused: deny by default.
        func contains(_ chunk: Int64) -> Bool {
            guard let number = map.groupSetOfChunk[chunk] else { return false }
            return allowed[Int(number)]
        }

        var chunks: [Int64] {
            allowed.enumerated().flatMap { number, isAllowed in isAllowed ? Array(map.members[number]) : [] }
        }
    }
}
