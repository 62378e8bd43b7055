/// A JSON value only as deep as the usage tap looks. Usage sits at most four objects down
/// (`{"response":{"usage":{"input_tokens_details":{…}}}}`), so only objects that shallow are
/// kept; long texts, arrays and deeper objects are validated and reduced to `.other` without
/// being stored, which keeps a large `response.completed` event cheap to read.
enum ShallowJSON: Sendable, Equatable {
    case object([String: ShallowJSON])
    case string(String)
    /// A number written as an integer (no fraction, no exponent) that fits in `Int`.
    case integer(Int)
    case null
    /// A boolean, a number with a fraction or exponent or outside `Int`, an array, a string
    /// over `ShallowJSONParser.maxKeptStringBytes`, or an object below the kept depth.
    case other

    /// The member `key` of an object; nil for a missing member or a non-object.
    subscript(key: String) -> ShallowJSON? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
