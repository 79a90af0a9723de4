/// A UTF-8 text decoded into one `ScalarClass` per Unicode scalar plus the
/// byte offset where each scalar starts.
///
/// The split rules need arbitrary (if short) look-ahead and, for o200k, a
/// little backtracking over scalars; having classes in an array makes every
/// rule a handful of indexed loads, and the byte offsets map pieces back to
/// the UTF-8 bytes that BPE works on.
struct ClassifiedText {
    /// `classes[k]` is the class of the k-th scalar.
    private(set) var classes: [ScalarClass] = []
    /// `byteOffsets[k]` is where scalar k starts; one extra entry holds the
    /// total byte count so that scalar k spans `byteOffsets[k]..<byteOffsets[k+1]`.
    private(set) var byteOffsets: [Int] = []

    /// Decodes `utf8`, which must be valid UTF-8 (it comes from a `String`).
    init(utf8: UnsafeBufferPointer<UInt8>) {
        let byteCount = utf8.count
        classes.reserveCapacity(byteCount)
        byteOffsets.reserveCapacity(byteCount + 1)
        ScalarClassTable.bmp.withUnsafeBufferPointer { bmp in
            var b = 0
            while b < byteCount {
                let lead = utf8[b]
                byteOffsets.append(b)
                if lead < 0x80 {
                    classes.append(bmp[Int(lead)])
                    b &+= 1
                    continue
                }
                let value: UInt32
                if lead < 0xE0 {
                    value = UInt32(lead & 0x1F) << 6 | UInt32(utf8[b + 1] & 0x3F)
                    b &+= 2
                } else if lead < 0xF0 {
                    value =
                        UInt32(lead & 0x0F) << 12 | UInt32(utf8[b + 1] & 0x3F) << 6
                        | UInt32(utf8[b + 2] & 0x3F)
                    b &+= 3
                } else {
                    value =
                        UInt32(lead & 0x07) << 18 | UInt32(utf8[b + 1] & 0x3F) << 12
                        | UInt32(utf8[b + 2] & 0x3F) << 6 | UInt32(utf8[b + 3] & 0x3F)
                    b &+= 4
                }
                classes.append(value < 0x1_0000 ? bmp[Int(value)] : ScalarClass.compute(value))
            }
        }
        byteOffsets.append(byteCount)
    }
}
