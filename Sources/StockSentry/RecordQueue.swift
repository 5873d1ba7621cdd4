/// A FIFO of buffered records that reuses its storage; the head index moves instead of shifting elements.
struct RecordQueue<Element>: Sendable where Element: Sendable {
    /// Slots before `head` are nil: an element is moved out when removed, not copied and released later.
    private var storage: [Element?] = []
    private var head = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }

    /// `body` applied to the first element in place, nil when empty: the merge reads the head's
    /// time and offset this way without copying the record and retaining its buffers.
    func peek<T>(_ body: (Element) -> T) -> T? {
        isEmpty ? nil : storage[head].map(body)
    }

    mutating func append(_ element: Element) {
        storage.append(element)
    }

    mutating func removeFirst() -> Element? {
        guard !isEmpty else { return nil }
        let element = storage[head].take()
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1_024 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return element
    }
}
