/// 64-bit FNV-1a over UTF-8 parts joined by NUL; derives output IDs from the input, never at random.
enum FNV1a {
    /// Hashes `parts` joined by a NUL byte.
    static func hash(_ parts: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (index, part) in parts.enumerated() {
            if index > 0 {
                hash ^= 0
                hash &*= 0x0000_0100_0000_01b3
            }
            for byte in part.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01b3
            }
        }
        return hash
    }

    /// `prefix` followed by the 16 lowercase hex digits of the hash of `parts`.
    static func identifier(prefix: String, _ parts: [String]) -> String {
        let hex = String(hash(parts), radix: 16, uppercase: false)
        return prefix + String(repeating: "0", count: 16 - hex.count) + hex
    }
}
