/// The rule for service type names: they are the `<service_type>` path segment of
/// `/piapi/<service_type>/…`, so a name a client cannot send is refused at compile time.
enum ServiceTypeName {
    static func isValid(_ name: String) -> Bool {
        name != "." && name != ".." && !name.isEmpty
            && name.unicodeScalars.allSatisfy { c in
                c.isASCII && (c.properties.isAlphabetic || ("0"..."9").contains(c) || "-._~".unicodeScalars.contains(c))
            }
    }

    static let rule = "a service type is one URL path segment of letters, digits, '-', '_', '.' and '~'"
}
