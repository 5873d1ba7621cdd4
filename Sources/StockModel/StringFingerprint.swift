/// A fixed 64-bit hash of a string's UTF-8 bytes, eight bytes at a time: no per-process seed (so
/// tables built on it lay out the same in every run) and a few multiplies where `Hasher` runs SipHash.
/// For in-memory tables of trusted keys (event IDs, SKUs), not for anything an attacker could flood.
enum StringFingerprint {
    static func of(_ string: String) -> UInt64 {
        var string = string
        return string.withUTF8 { bytes in
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            var offset = 0
            while offset + 8 <= bytes.count {
                let word = UInt64(littleEndian: UnsafeRawBufferPointer(bytes).loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                hash = mix(hash ^ word)
                offset += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < bytes.count {
                tail |= UInt64(bytes[offset]) << shift
                shift += 8
                offset += 1
            }
            return mix(mix(hash ^ tail))
        }
    }

    /// One round of a multiply–xorshift mixer (the finalizer of SplitMix64).
    private static func mix(_ value: UInt64) -> UInt64 {
        var value = value
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
