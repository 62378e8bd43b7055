/// Why a `baseUrl` was refused.
struct BaseURLError: Error {
    let message: String

    init(_ message: String) {
        self.message = message
    }
}
