import Testing

@testable import CashewsCommands

/// A terminal that records what is drawn on it.
final class FakeTerminal: TerminalStream {
    var isInteractive: Bool
    var columns: Int
    var written = ""

    init(interactive: Bool, columns: Int = 80) {
        self.isInteractive = interactive
        self.columns = columns
    }

    func write(_ text: String) { written += text }
}

/// A clock the test moves by hand.
final class FakeClock {
    var seconds = 100.0
}

@Suite struct ProgressBarTests {
    @Test func rendersBarCountRateAndETA() {
        let line = ProgressBar.render(label: "export", done: 250_000, total: 1_000_000, elapsed: 0.5, columns: 100)
        #expect(line.hasPrefix("export ██████████░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░"))
        #expect(line.hasSuffix("  250,000/1,000,000  25%  500.0k/s  ETA 2s"))
        #expect(line.count < 100)
    }

    @Test func fitsANarrowTerminalAndUnknownTotals() {
        let narrow = ProgressBar.render(label: "import", done: 10, total: 100, elapsed: 1, columns: 30)
        #expect(!narrow.contains("█"))
        #expect(narrow.count <= 29)
        let unknown = ProgressBar.render(label: "keys", done: 1234, total: nil, elapsed: 2, columns: 80)
        #expect(unknown == "keys 1,234  617/s")
    }

    @Test func formatting() {
        #expect(ProgressBar.grouped(0) == "0")
        #expect(ProgressBar.grouped(1_234_567) == "1,234,567")
        #expect(ProgressBar.rateText(1_250_000) == "1.3M")
        #expect(ProgressBar.durationText(5.2) == "6s")
        #expect(ProgressBar.durationText(185) == "3m05s")
        #expect(ProgressBar.durationText(7800) == "2h10m")
    }

    @Test func drawsAtMostTenTimesASecondAndErasesItself() {
        let terminal = FakeTerminal(interactive: true)
        let clock = FakeClock()
        let bar = ProgressBar("sweep", total: 1000, stream: terminal) { clock.seconds }
        clock.seconds += 1
        bar.update(100)
        bar.update(200)  // the same instant: not drawn
        #expect(terminal.written.components(separatedBy: "\r").count == 2)
        #expect(terminal.written.contains("100/1,000  10%  100/s  ETA 9s"))
        clock.seconds += 0.5
        bar.update(500)
        #expect(terminal.written.contains("500/1,000  50%  333/s  ETA 2s"))
        #expect(terminal.written.hasSuffix("\u{1B}[K"))
        bar.finish()
        #expect(terminal.written.hasSuffix("\r\u{1B}[K"))
    }

    @Test func isSilentWhenNotATerminal() {
        let terminal = FakeTerminal(interactive: false)
        let clock = FakeClock()
        let bar = ProgressBar("export", total: 10, stream: terminal) { clock.seconds }
        for done in 0...10 {
            clock.seconds += 1
            bar.update(done)
        }
        bar.finish()
        #expect(terminal.written.isEmpty)
    }
}
