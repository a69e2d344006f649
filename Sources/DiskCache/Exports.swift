// The shared vocabulary (clocks, glob patterns, expiry, time-to-live, write conditions) is part
// of the engine's API: a client of DiskCache names `Expiry` or `ManualClock` without a second
// import, as NIO's umbrella re-exports its parts.
@_exported public import CacheVocabulary
