// Little-endian byte coding for the index file: a bounds-checked reader, a streaming writer and the
// checksum both share.
//
// The reader checks every length against what is left before touching a byte, with overflow-checked
// arithmetic, so a truncated or hostile file ends in a thrown error, never in a trap or a huge allocation.

import Foundation

/// Streaming 64-bit checksum over 8-byte words (a multiply-rotate mix in the style of xxHash's round).
/// It only has to catch accidental corruption (torn writes, bit rot), and word-at-a-time mixing checks a
/// 150 MB file in a few tens of milliseconds, where a byte-at-a-time hash would take about a second.
struct Checksum64 {
    private var state: UInt64 = 0x27D4_EB2F_1656_67C5
    private var pending: UInt64 = 0
    private var pendingBytes = 0
    private var total: UInt64 = 0

    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F

    @inline(__always)
    private mutating func mix(_ word: UInt64) {
        state = ((state ^ (word &* Self.prime2)).rotatedLeft(by: 31)) &* Self.prime1
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        total &+= UInt64(bytes.count)
        var i = 0
        // Finish a word left incomplete by the previous chunk.
        while pendingBytes != 0 && i < bytes.count {
            pending |= UInt64(bytes[i]) << (8 * pendingBytes)
            pendingBytes += 1
            i += 1
            if pendingBytes == 8 {
                mix(pending)
                pending = 0
                pendingBytes = 0
            }
        }
        if let base = bytes.baseAddress {
            while i + 8 <= bytes.count {
                mix(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
        }
        while i < bytes.count {
            pending |= UInt64(bytes[i]) << (8 * pendingBytes)
            pendingBytes += 1
            i += 1
        }
    }

    var value: UInt64 {
        var copy = self
        if copy.pendingBytes != 0 { copy.mix(copy.pending) }
        copy.mix(total)
        return copy.state ^ (copy.state >> 29)
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(by bits: UInt64) -> UInt64 { (self << bits) | (self >> (64 - bits)) }
}

/// Reads little-endian values from a byte buffer, throwing `HNSWError.corruptFile` past its end.
struct ByteReader {
    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    private mutating func take(_ count: Int, for what: String) throws(HNSWError) -> UnsafeRawBufferPointer {
        guard count >= 0, count <= remaining else {
            throw .corruptFile("truncated: \(what) needs \(count) bytes, \(remaining) left at offset \(offset)")
        }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
        offset += count
        return slice
    }

    mutating func read<T: FixedWidthInteger>(_ type: T.Type, _ what: String) throws(HNSWError) -> T {
        let slice = try take(MemoryLayout<T>.size, for: what)
        return T(littleEndian: slice.loadUnaligned(as: T.self))
    }

    mutating func readBytes(_ count: Int, _ what: String) throws(HNSWError) -> UnsafeRawBufferPointer {
        try take(count, for: what)
    }

    /// `count` elements of a fixed-width type (integers, or Float via its bit pattern).
    mutating func readArray<T: BitwiseCopyable>(
        _ type: T.Type, count: Int, _ what: String
    ) throws(HNSWError) -> ContiguousArray<T> {
        let (byteCount, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<T>.stride)
        guard count >= 0, !overflow else { throw .corruptFile("\(what): impossible element count \(count)") }
        let slice = try take(byteCount, for: what)
        var array = ContiguousArray<T>(unsafeUninitializedCapacity: count) { buffer, initialized in
            if byteCount > 0 {
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: slice)
            }
            initialized = count
        }
        array.fromLittleEndian()
        return array
    }
}

/// Writes little-endian values to a file, feeding the checksum with exactly the bytes written.
/// Arrays are written straight from their storage (no copy) on little-endian hosts.
struct ByteWriter {
    private let handle: FileHandle
    private(set) var checksum = Checksum64()

    init(_ handle: FileHandle) { self.handle = handle }

    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        checksum.update(bytes)
        try handle.write(
            contentsOf: Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: bytes.count, deallocator: .none))
    }

    mutating func write<T: FixedWidthInteger>(_ value: T) throws {
        try withUnsafeBytes(of: value.littleEndian) { try write($0) }
    }

    mutating func writeArray<T: BitwiseCopyable>(_ array: ContiguousArray<T>) throws {
        #if _endian(big)
            var swapped = array
            swapped.toLittleEndian()
            try swapped.withUnsafeBytes { try write($0) }
        #else
            try array.withUnsafeBytes { try write($0) }
        #endif
    }

    /// The trailer: the checksum of everything before it (not itself checksummed).
    func writeChecksum() throws {
        try withUnsafeBytes(of: checksum.value.littleEndian) { bytes in
            try handle.write(contentsOf: Data(bytes))
        }
    }
}

extension ContiguousArray where Element: BitwiseCopyable {
    /// Byte-swaps every element on big-endian hosts; nothing to do on little-endian ones (all the hosts
    /// Pillar runs on). Only 1-, 4- and 8-byte elements occur in the file.
    mutating func fromLittleEndian() {
        #if _endian(big)
            toLittleEndian()  // a byte swap is its own inverse
        #endif
    }

    mutating func toLittleEndian() {
        #if _endian(big)
            withUnsafeMutableBytes { raw in
                switch MemoryLayout<Element>.stride {
                case 4:
                    for i in stride(from: 0, to: raw.count, by: 4) {
                        raw.storeBytes(
                            of: raw.load(fromByteOffset: i, as: UInt32.self).byteSwapped,
                            toByteOffset: i, as: UInt32.self)
                    }
                case 8:
                    for i in stride(from: 0, to: raw.count, by: 8) {
                        raw.storeBytes(
                            of: raw.load(fromByteOffset: i, as: UInt64.self).byteSwapped,
                            toByteOffset: i, as: UInt64.self)
                    }
                default:
                    break
                }
            }
        #endif
    }
}
