import Dispatch

/// Works on independent tasks on several threads at once: the live loop's tasks and the backtest's.
enum TaskParallelism {
    /// Calls `body` on every element of `elements` in place, up to `threads` elements at once, each
    /// element on one thread; returns when every call has returned. With `threads` ≤ 1 the calls run
    /// one after another on the calling thread, in order.
    static func forEach<Element: Sendable>(_ elements: inout [Element], threads: Int, _ body: @Sendable (inout Element) -> Void) {
        let threads = max(1, min(threads, elements.count))
        guard threads > 1 else {
            for index in elements.indices { body(&elements[index]) }
            return
        }
        elements.withUnsafeMutableBufferPointer { buffer in
            let shared = SharedElements(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: threads) { thread in
                for index in stride(from: thread, to: shared.buffer.count, by: threads) { body(&shared.buffer[index]) }
            }
        }
    }

    /// The elements as the threads of ``forEach(_:threads:_:)`` see them. Unchecked `Sendable`
    /// because a pointer is not: thread t touches only elements t, t + threads, …, so no element is
    /// shared, and `concurrentPerform` returns only after every thread has finished, so the
    /// elements outlive them.
    private struct SharedElements<Element>: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<Element>
    }
}
