/// A gateway user: the key they present and their route for each service type.
struct UserConfig: Sendable {
    var index: Int
    var name: Located<String>
    var apiKey: Located<String>?
    var routes: [RouteConfig]
}
