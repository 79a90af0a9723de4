// The index file: the graph's arrays as they are in memory, so that loading is a copy, not a rebuild.
//
// Layout (version 2, all little-endian):
//   header  magic "PLRHNSW\0" (8) · version u32 · dimensions u32 · m u32 · efConstruction u32 ·
//           efSearch u32 · reserved u32 (0) · seed u64 · rng state u64 · watermark i64 ·
//           node count u64 · live count u64 · entry point i32 (-1 if empty) · max level i32 ·
//           upper link count u64
//   body    vectors f32[nodes·dims] · levels u8[nodes] · vacant u8[nodes] (0/1) · ids i64[nodes] ·
//           layer-0 links i32[nodes·(1+2m)] · upper links i32[upper link count]
//   trailer checksum u64 of every byte before it
//
// A vacant row is a removed node's: its vector, id and links are zeros, and no list links to it.
// Version 1 had the same layout, but its removed nodes kept their vectors and ids and still routed
// searches; such a file is refused (`unsupportedVersion`) and the caller rebuilds, so that a deleted
// document's vector does not live on in a file carried over from before.
// Upper-link offsets are not stored: they are the running sum of levels·(1+m), recomputed on load.
// The watermark is the caller's: whatever position in its change log the saved index reflects.

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

enum HNSWFile {
    static let magic: [UInt8] = Array("PLRHNSW".utf8) + [0]
    static let version: UInt32 = 2
    /// Bound on dimensions a file may claim, so a garbage header cannot make us allocate absurdly.
    static let maxDimensions = 1 << 16

    static func write(_ graph: borrowing HNSWGraph, watermark: Int64, to url: URL) throws {
        // A name of its own: another process (`pillar ingest` beside the server) may be saving the same file.
        let temporary = url.appendingPathExtension(
            "\(ProcessInfo.processInfo.processIdentifier).\(UInt64.random(in: 0...UInt64.max)).tmp")
        let path = temporary.path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw HNSWError.io("cannot create \(path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            var writer = ByteWriter(handle)
            try writeBody(graph, watermark: watermark, into: &writer)
            try writer.writeChecksum()
            // Durable before visible: the rename must never expose a file whose bytes are still in flight.
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error as? HNSWError ?? HNSWError.io("\(error)")
        }
        guard rename(path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw HNSWError.io("rename \(path) → \(url.path): \(reason)")
        }
        syncDirectory(of: url)
    }

    private static func writeBody(_ graph: borrowing HNSWGraph, watermark: Int64, into writer: inout ByteWriter) throws {
        try magic.withUnsafeBytes { try writer.write($0) }
        let parameters = graph.parameters
        try writer.write(version)
        try writer.write(UInt32(graph.dimensions))
        try writer.write(UInt32(parameters.m))
        try writer.write(UInt32(parameters.efConstruction))
        try writer.write(UInt32(parameters.efSearch))
        try writer.write(UInt32(0))
        try writer.write(parameters.seed)
        try writer.write(graph.rng.state)
        try writer.write(watermark)
        try writer.write(UInt64(graph.nodeCount))
        try writer.write(UInt64(graph.liveCount))
        try writer.write(graph.entryPoint)
        try writer.write(Int32(graph.maxLevel))
        try writer.write(UInt64(graph.upperLinks.count))
        try writer.writeArray(graph.vectors)
        try writer.writeArray(graph.levels)
        try writer.writeArray(graph.vacant)  // Bool is one byte, 0 or 1
        try writer.writeArray(graph.ids)
        try writer.writeArray(graph.links0)
        try writer.writeArray(graph.upperLinks)
    }

    /// After a rename, the directory entry itself must reach the disk for the new file to survive a crash.
    private static func syncDirectory(of url: URL) {
        let descriptor = open(url.deletingLastPathComponent().path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }

    static func read(from url: URL) throws -> (graph: HNSWGraph, watermark: Int64) {
        let data: Data
        do {
            // Mapped, so a large index is not resident twice while its arrays are copied out.
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw HNSWError.io("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try data.withUnsafeBytes { bytes in try decode(bytes) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws(HNSWError) -> (graph: HNSWGraph, watermark: Int64) {
        var reader = ByteReader(bytes)
        guard bytes.count >= magic.count, try reader.readBytes(magic.count, "magic").elementsEqual(magic) else {
            throw .notAnIndexFile
        }
        let version = try reader.read(UInt32.self, "version")
        guard version == Self.version else { throw .unsupportedVersion(version) }
        guard bytes.count >= 8 + reader.offset else { throw .corruptFile("truncated: no checksum") }
        var checksum = Checksum64()
        checksum.update(UnsafeRawBufferPointer(rebasing: bytes[0..<bytes.count - 8]))
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        guard checksum.value == stored else {
            throw .corruptFile("checksum mismatch (the file is truncated or damaged)")
        }

        let dimensions = Int(try reader.read(UInt32.self, "dimensions"))
        var parameters = HNSWParameters()
        parameters.m = Int(try reader.read(UInt32.self, "m"))
        parameters.efConstruction = Int(try reader.read(UInt32.self, "efConstruction"))
        parameters.efSearch = Int(try reader.read(UInt32.self, "efSearch"))
        _ = try reader.read(UInt32.self, "reserved")
        parameters.seed = try reader.read(UInt64.self, "seed")
        guard (1...maxDimensions).contains(dimensions) else { throw .corruptFile("dimensions \(dimensions)") }
        guard parameters.normalised == parameters else { throw .corruptFile("parameters out of range: \(parameters)") }
        let rngState = try reader.read(UInt64.self, "rng state")
        let watermark = try reader.read(Int64.self, "watermark")
        let nodeCount = try reader.read(UInt64.self, "node count")
        let liveCount = try reader.read(UInt64.self, "live count")
        let entryPoint = try reader.read(Int32.self, "entry point")
        let maxLevel = try reader.read(Int32.self, "max level")
        let upperCount = try reader.read(UInt64.self, "upper link count")
        guard nodeCount <= UInt64(HNSWGraph.maxNodes), liveCount <= nodeCount, upperCount <= UInt64(Int32.max) else {
            throw .corruptFile("counts out of range (nodes \(nodeCount), live \(liveCount), upper \(upperCount))")
        }
        let nodes = Int(nodeCount)
        let (vectorCount, overflow) = nodes.multipliedReportingOverflow(by: dimensions)
        guard !overflow else { throw .corruptFile("vector count overflows") }

        var graph = HNSWGraph(dimensions: dimensions, parameters: parameters)
        graph.rng = SplitMix64(seed: rngState)
        graph.vectors = try reader.readArray(Float.self, count: vectorCount, "vectors")
        graph.levels = try reader.readArray(UInt8.self, count: nodes, "levels")
        let vacantBytes = try reader.readArray(UInt8.self, count: nodes, "vacant")
        graph.ids = try reader.readArray(Int64.self, count: nodes, "ids")
        graph.links0 = try reader.readArray(Int32.self, count: nodes * graph.stride0, "layer-0 links")
        graph.upperLinks = try reader.readArray(Int32.self, count: Int(upperCount), "upper links")
        guard reader.remaining == 8 else { throw .corruptFile("\(reader.remaining - 8) unexpected trailing bytes") }

        guard vacantBytes.allSatisfy({ $0 <= 1 }) else { throw .corruptFile("vacant byte other than 0 or 1") }
        graph.vacant = ContiguousArray(vacantBytes.lazy.map { $0 == 1 })
        graph.entryPoint = entryPoint
        graph.maxLevel = Int(maxLevel)
        try HNSWFileValidation.rebuildDerivedState(of: &graph, expectedLive: Int(liveCount))
        return (graph, watermark)
    }
}
