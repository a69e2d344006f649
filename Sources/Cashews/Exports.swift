// The shared vocabulary (clocks, glob patterns, expiry, time-to-live, write conditions) is part
// of the facade's API: `import Cashews` names `ManualClock` or `GlobPattern` without a second
// import.
@_exported public import CacheVocabulary
