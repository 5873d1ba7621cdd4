import Synchronization

/// Set once by a graceful-shutdown handler, read by a processing loop between batches.
final class ShutdownFlag: Sendable {
    private let value = Atomic<Bool>(false)

    var isSet: Bool { value.load(ordering: .acquiring) }

    func set() { value.store(true, ordering: .releasing) }
}
