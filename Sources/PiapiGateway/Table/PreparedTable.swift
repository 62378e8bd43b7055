/// A serving table's targets prepared for the wire, built once per table per event loop
/// and replaced when a reload swaps the table.
final class PreparedTable {
    let serving: ServingTable
    let targets: [PreparedTarget]

    init(_ serving: ServingTable) {
        self.serving = serving
        targets = zip(serving.table.targets, serving.credentials).map { PreparedTarget(target: $0, credential: $1) }
    }
}
