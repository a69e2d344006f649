import SwiftCompilerPlugin
import SwiftSyntaxMacros

/// The compiler plugin of the CashewsMacros product.
@main
struct CashewsMacrosPlugin: CompilerPlugin {
    let providingMacros: [any Macro.Type] = [
        CachedMacro.self, FailoverMacro.self, EarlyMacro.self, SoftMacro.self, HitMacro.self, DynamicMacro.self,
        LockedMacro.self, RateLimitMacro.self, SliceRateLimitMacro.self, CircuitBreakerMacro.self,
        InvalidateMacro.self,
    ]
}
