/// What `race` and `fill` report: a text for people and whether every check held.
public struct ToolReport: Sendable {
    public var text: String
    public var ok: Bool
}
