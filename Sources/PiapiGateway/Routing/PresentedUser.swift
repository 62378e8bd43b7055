import RouteTable

/// Which user a request is charged to, from the two places a client may carry its gateway
/// key (`Authorization: Bearer` and `x-api-key`).
///
/// Claude Code and the Anthropic SDK can send a personal provider key in `x-api-key` beside
/// the gateway key in `Authorization`, so an unknown key in one place is not an error when
/// the other place holds a known one. Two different *known* keys are: which user is charged
/// must never depend on header order. The same key in both places is fine.
enum PresentedUser<User> {
    case known(User)
    case unknown
    case conflicting

    /// Decides from the digests of the presented keys; `lookup` asks the route table.
    static func resolve(bearer: KeyDigest?, apiKey: KeyDigest?, lookup: (KeyDigest) -> User?) -> PresentedUser {
        let bearerUser = bearer.flatMap(lookup)
        let apiKeyUser = apiKey.flatMap(lookup)
        if bearerUser != nil, apiKeyUser != nil, bearer != apiKey { return .conflicting }
        guard let user = bearerUser ?? apiKeyUser else { return .unknown }
        return .known(user)
    }
}
