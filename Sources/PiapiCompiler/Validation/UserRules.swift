/// Rules across users: gateway keys must be unique (the error names list positions, never
/// the key); repeated names are only a warning, since logs could not tell them apart.
enum UserRules {
    static func check(_ users: [UserConfig], log: inout DiagnosticLog) {
        var keyOwner: [String: Int] = [:]
        var nameOwner: [String: Int] = [:]
        for user in users {
            if let key = user.apiKey {
                if let first = keyOwner[key.value] {
                    log.error(key.location, "duplicate user apiKey (users[\(first)] and users[\(user.index)])")
                } else {
                    keyOwner[key.value] = user.index
                }
            }
            if let first = nameOwner[user.name.value] {
                log.warning(
                    user.name.location,
                    "duplicate user name '\(user.name.value)' (users[\(first)] and users[\(user.index)])",
                    note: "logs and inspect show users by name")
            } else {
                nameOwner[user.name.value] = user.index
            }
        }
    }
}
