// PillarVectorBench: build time, single-thread QPS, recall@10 and memory of HNSWIndex.
//
// Usage (release build only; a debug build is 10-50x slower and measures nothing useful):
//   swift build -c release --product PillarVectorBench
//   .build/release/PillarVectorBench [--n 100000] [--dims 384] [--queries 1000]
//       [--distribution gaussian|clustered] [--noise 1.0] [--ef 16,32,64,128,256,512] [--m 16]
//       [--ef-construction 200] [--data /tmp/pillar-vector-bench] [--save] [--load]
//   --save writes the built index to <data>/<distribution>-<n>x<dims>.hnsw and times write and read;
//   --load reads that file instead of building (quick QPS runs while tuning search).
//
// The data set and its exact top-10 are written once as .npy files under --data (and reused after), so
// scripts/bench-vector-index.py can run hnswlib on exactly the same vectors and ground truth.

import Foundation
import PillarRetrieval

struct Options {
    var n = 100_000
    var dims = 384
    var queries = 1_000
    var distribution = "gaussian"
    var noise: Float = 1.0
    var efValues = [16, 32, 64, 128, 256, 512]
    var m = 16
    var efConstruction = 200
    var data = "/tmp/pillar-vector-bench"
    var save = false
    var load = false

    init(_ arguments: [String]) {
        var i = 1
        func value() -> String {
            i += 1
            guard i < arguments.count else { fatalError("missing value after \(arguments[i - 1])") }
            return arguments[i]
        }
        while i < arguments.count {
            switch arguments[i] {
            case "--n": n = Int(value())!
            case "--dims": dims = Int(value())!
            case "--queries": queries = Int(value())!
            case "--distribution": distribution = value()
            case "--noise": noise = Float(value())!
            case "--ef": efValues = value().split(separator: ",").map { Int($0)! }
            case "--m": m = Int(value())!
            case "--ef-construction": efConstruction = Int(value())!
            case "--data": data = value()
            case "--save": save = true
            case "--load": load = true
            default: fatalError("unknown argument \(arguments[i])")
            }
            i += 1
        }
    }

    var stem: String {
        let name = distribution == "clustered" ? "clustered\(noise)" : distribution
        return "\(data)/\(name)-\(n)x\(dims)"
    }
}

/// SplitMix64 plus Box-Muller: the benchmark's own generator (the index's is internal to the module).
struct Random {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double((next() >> 11) + 1) * 0x1.0p-53 }
    mutating func gaussian() -> Float {
        Float((-2 * log(unit())).squareRoot() * cos(2 * Double.pi * unit()))
    }
}

func normalise(_ row: inout ArraySlice<Float>) {
    let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
    for i in row.indices { row[i] /= norm }
}

/// Rows of `dims` floats. "gaussian": isotropic random unit vectors, the hardest case for any graph
/// index. "clustered": 1,000 random unit centres plus isotropic noise of norm `noise` (at 1.0 a
/// vector's cosine to its centre is about 0.7), closer to text embeddings, whose neighbourhoods have a
/// much lower intrinsic dimension.
func generate(rows: Int, dims: Int, distribution: String, noise: Float, seed: UInt64) -> [Float] {
    var random = Random(state: seed)
    var out = [Float](repeating: 0, count: rows * dims)
    var centres: [Float] = []
    if distribution == "clustered" {
        var centreRandom = Random(state: 7)  // same centres for base and queries
        centres = (0..<(1_000 * dims)).map { _ in centreRandom.gaussian() / Float(dims).squareRoot() }
    } else {
        precondition(distribution == "gaussian", "unknown distribution \(distribution)")
    }
    for r in 0..<rows {
        let centre = centres.isEmpty ? 0 : Int(random.next() % 1_000) * dims
        for d in 0..<dims {
            let jitter = random.gaussian() / Float(dims).squareRoot()
            out[r * dims + d] = centres.isEmpty ? jitter : centres[centre + d] + noise * jitter
        }
        normalise(&out[r * dims..<(r + 1) * dims])
    }
    return out
}

// MARK: - .npy files (version 1.0, little-endian float32 or int64, C order)

func writeNpy(_ path: String, descr: String, shape: (Int, Int), bytes: UnsafeRawBufferPointer) throws {
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(shape.0), \(shape.1)), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var file = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    file.append(contentsOf: [UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)])
    file.append(contentsOf: Array(header.utf8))
    file.append(contentsOf: bytes)
    try file.write(to: URL(fileURLWithPath: path))
}

func readNpy<T>(_ path: String, descr: String, as: T.Type) -> (values: [T], rows: Int, cols: Int)? {
    guard let data = FileManager.default.contents(atPath: path), data.count > 10 else { return nil }
    let headerLength = Int(data[8]) | Int(data[9]) << 8
    let header = String(decoding: data[10..<10 + headerLength], as: UTF8.self)
    guard header.contains("'\(descr)'"), let open = header.range(of: "'shape': ("),
          let close = header[open.upperBound...].firstIndex(of: ")") else { return nil }
    let shape = header[open.upperBound..<close].split(separator: ",").compactMap {
        Int($0.trimmingCharacters(in: .whitespaces))
    }
    guard shape.count == 2 else { return nil }
    let values = data[(10 + headerLength)...].withUnsafeBytes { Array($0.bindMemory(to: T.self)) }
    guard values.count == shape[0] * shape[1] else { return nil }
    return (values, shape[0], shape[1])
}

// MARK: - measurement helpers

/// Prints and flushes, so that a long run writing into a file can be watched line by line.
func emit(_ line: String) {
    print(line)
    fflush(nil)
}

func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kib = Int(line.split(separator: " ")[1]) else { return 0 }
    return kib * 1024
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// CPU time of the calling thread: unlike the wall clock, it does not run while the thread is preempted.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }

// MARK: - the run

let options = Options(CommandLine.arguments)
try FileManager.default.createDirectory(atPath: options.data, withIntermediateDirectories: true)
let clock = ContinuousClock()

// Data: reuse the files if present, so that every run (and the hnswlib script) sees the same vectors.
var base: [Float]
var queries: [Float]
if let b = readNpy(options.stem + "-base.npy", descr: "<f4", as: Float.self), b.cols == options.dims,
   let q = readNpy(options.stem + "-queries.npy", descr: "<f4", as: Float.self), q.rows == options.queries {
    (base, queries) = (b.values, q.values)
    emit("data: read \(options.stem)-{base,queries}.npy")
} else {
    base = generate(rows: options.n, dims: options.dims, distribution: options.distribution, noise: options.noise, seed: 1)
    queries = generate(rows: options.queries, dims: options.dims, distribution: options.distribution, noise: options.noise, seed: 2)
    try base.withUnsafeBytes { try writeNpy(options.stem + "-base.npy", descr: "<f4", shape: (options.n, options.dims), bytes: $0) }
    try queries.withUnsafeBytes { try writeNpy(options.stem + "-queries.npy", descr: "<f4", shape: (options.queries, options.dims), bytes: $0) }
    emit("data: generated \(options.distribution) vectors into \(options.stem)-{base,queries}.npy")
}
let dims = options.dims
let queryRows = (0..<options.queries).map { Array(queries[$0 * dims..<($0 + 1) * dims]) }
let rssWithData = residentBytes()

let parameters = HNSWParameters(m: options.m, efConstruction: options.efConstruction)
let index: HNSWIndex
if options.load {
    let start = clock.now
    index = try HNSWIndex.read(from: URL(fileURLWithPath: options.stem + ".hnsw")).index
    emit(String(format: "index: read %@.hnsw in %.2f s", options.stem, seconds(clock.now - start)))
} else {
    index = HNSWIndex(dimensions: dims, parameters: parameters)
    index.reserveCapacity(options.n)
    let buildStart = clock.now
    let buildCPUStart = threadCPUSeconds()
    for row in 0..<options.n {
        try index.insert(id: Int64(row), vector: Array(base[row * dims..<(row + 1) * dims]))
    }
    let buildTime = seconds(clock.now - buildStart)
    let buildCPU = threadCPUSeconds() - buildCPUStart
    emit(String(format: "build: %d x %d, M=%d, efConstruction=%d, 1 thread: %.1f s wall, %.1f s CPU (%.0f inserts/s of CPU)",
                 options.n, dims, options.m, options.efConstruction, buildTime, buildCPU, Double(options.n) / buildCPU))
}
let rssAfterBuild = residentBytes()
emit("memory: approximateMemoryBytes \(mib(index.approximateMemoryBytes)), RSS growth \(mib(rssAfterBuild - rssWithData)) (vectors alone \(mib(options.n * dims * 4)))")

// Ground truth: exact top-10 by brute force, cached as int64 ids.
let truthPath = options.stem + "-gt.npy"
var truth: [Int64]
if let t = readNpy(truthPath, descr: "<i8", as: Int64.self), t.rows == options.queries, t.cols == 10 {
    truth = t.values
} else {
    let start = clock.now
    truth = queryRows.flatMap { query in index.exactSearch(query, k: 10).map(\.id) }
    emit(String(format: "exact search: %.1f QPS (brute force, single thread)", Double(options.queries) / seconds(clock.now - start)))
    try truth.withUnsafeBytes { try writeNpy(truthPath, descr: "<i8", shape: (options.queries, 10), bytes: $0) }
}

// QPS is timed on this thread's CPU clock, best of at least 3 passes over the query set (and 2 s): on a
// shared 2-core machine other processes take the core now and then, which the wall clock would count.
emit("\n| efSearch | recall@10 | QPS (1 thread, CPU time, best pass) | mean latency |")
emit("| ---: | ---: | ---: | ---: |")
for ef in options.efValues {
    _ = queryRows.prefix(100).map { index.search($0, k: 10, efSearch: ef) }  // warm-up
    var found = 0
    var elapsed = 0.0
    var best = Double.infinity
    var passes = 0
    repeat {
        let start = threadCPUSeconds()
        let results = queryRows.map { index.search($0, k: 10, efSearch: ef) }
        let pass = threadCPUSeconds() - start
        elapsed += pass
        best = min(best, pass)
        passes += 1
        if passes == 1 {
            for (q, hits) in results.enumerated() {
                let expected = Set(truth[q * 10..<(q + 1) * 10])
                found += hits.filter { expected.contains($0.id) }.count
            }
        }
    } while passes < 3 || elapsed < 2
    let qps = Double(options.queries) / best
    emit(String(format: "| %d | %.4f | %.0f | %.3f ms |", ef, Double(found) / Double(options.queries * 10), qps, 1000 / qps))
}

if options.save && !options.load {
    let url = URL(fileURLWithPath: options.stem + ".hnsw")
    var start = clock.now
    try index.write(to: url, watermark: 1)
    let writeTime = seconds(clock.now - start)
    start = clock.now
    let (loaded, _) = try HNSWIndex.read(from: url)
    let readTime = seconds(clock.now - start)
    let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    emit(String(format: "\nfile: %@, write %.2f s, read %.2f s, %d vectors loaded", mib(size), writeTime, readTime, loaded.count))
}
