import CashewsMacrosPlugin
import SwiftSyntaxMacroExpansion
import SwiftSyntaxMacros
import SwiftSyntaxMacrosGenericTestSupport
import Testing

/// Every decorator, by attribute name.
let decorators: [String: any Macro.Type] = [
    "Cached": CachedMacro.self, "Failover": FailoverMacro.self, "Early": EarlyMacro.self, "Soft": SoftMacro.self,
    "Hit": HitMacro.self, "Dynamic": DynamicMacro.self, "Locked": LockedMacro.self, "RateLimit": RateLimitMacro.self,
    "SliceRateLimit": SliceRateLimitMacro.self, "CircuitBreaker": CircuitBreakerMacro.self,
    "Invalidate": InvalidateMacro.self,
]

/// swift-syntax's `assertMacroExpansion` with its failures recorded as Swift Testing issues.
func assertExpansion(
    _ source: String, expandedSource: String, diagnostics: [DiagnosticSpec] = [], applyFixIts: [String]? = nil,
    fixedSource: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    assertMacroExpansion(
        source, expandedSource: expandedSource, diagnostics: diagnostics,
        macroSpecs: decorators.mapValues { MacroSpec(type: $0) }, applyFixIts: applyFixIts,
        fixedSource: fixedSource, testModuleName: "App",
        failureHandler: { failure in Issue.record(Comment(rawValue: failure.message), sourceLocation: sourceLocation) })
}
