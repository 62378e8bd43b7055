/// The version `/api/status` reports.
public enum PiapiVersion {
    public static let current = "0.1.0"
}
