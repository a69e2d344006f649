// The `cashews` executable: everything lives in CashewsCommands.
import CashewsCommands

CashewsTool.main(CommandLine.arguments.dropFirst().map { $0 })
