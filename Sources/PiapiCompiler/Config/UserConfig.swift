/// A gateway user: the key they present, their route for each service type and their own
/// `limits` overrides.
struct UserConfig: Sendable {
    var index: Int
    var name: Located<String>
    var apiKey: Located<String>?
    var routes: [RouteConfig]
    var limits: LimitsConfig?
}
