// `import CashewsMacros` brings the facade with it: the expansions call `Cache`, `KeyText`,
// `KeyTemplate` and `DefaultKey`.
@_exported public import Cashews
