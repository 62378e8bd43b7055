import NIOConcurrencyHelpers

/// The one place the current table lives: requests take a reference at their start and
/// keep it, reloads swap in a new one whole.
public final class TableStore: Sendable {
    private let box: NIOLockedValueBox<ServingTable>

    public init(_ initial: ServingTable) {
        box = NIOLockedValueBox(initial)
    }

    public var current: ServingTable {
        box.withLockedValue { $0 }
    }

    public func replace(with table: ServingTable) {
        box.withLockedValue { $0 = table }
    }
}
