import RouteTable

/// The six limits a user can have, named as in the config (and in metrics and messages):
/// the table's own list.
public typealias LimitKind = UserLimits.Field
