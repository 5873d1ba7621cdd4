/// Remembers the last `capacity` distinct event IDs: a FIFO ring plus a set, so memory is bounded.
struct DuplicateFilter: Sendable {
    let capacity: Int
    var ring: [String] = []
    var nextSlot = 0
    var seen: Set<String> = []

    /// Creates a filter; a capacity ≤ 0 remembers nothing.
    init(capacity: Int) {
        self.capacity = max(0, capacity)
        ring.reserveCapacity(min(self.capacity, 1 << 16))
        seen.reserveCapacity(min(self.capacity, 1 << 16))
    }

    /// The number of IDs remembered now; never more than `capacity`.
    var count: Int { seen.count }

    /// Records `eventID`; returns false when it was already among the remembered IDs.
    mutating func insert(_ eventID: String) -> Bool {
        guard capacity > 0 else { return true }
        guard !seen.contains(eventID) else { return false }
        if ring.count < capacity {
            ring.append(eventID)
        } else {
            seen.remove(ring[nextSlot])
            ring[nextSlot] = eventID
            nextSlot = (nextSlot + 1) % capacity
        }
        seen.insert(eventID)
        return true
    }
}
