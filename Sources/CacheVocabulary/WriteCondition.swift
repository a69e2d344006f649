/// When a write applies: the one write condition of the engine, the backends and the front.
public enum WriteCondition: Sendable, Hashable {
    /// Always (replacing any value).
    case always
    /// Only when the key holds no live value (Redis `NX`).
    case ifAbsent
    /// Only when the key holds a live value (Redis `XX`).
    case ifPresent
}
