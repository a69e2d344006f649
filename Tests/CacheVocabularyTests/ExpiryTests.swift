import Testing

@testable import CacheVocabulary

@Suite("Expiry and milliseconds")
struct ExpiryTests {
    @Test("deadlines: whole milliseconds rounded up, at least one, saturating")
    func deadlines() {
        #expect(Expiry.never.deadline(from: 1000) == 0)
        #expect(Expiry.keep.deadline(from: 1000) == nil)
        #expect(Expiry.after(.microseconds(1)).deadline(from: 1000) == 1001)
        #expect(Expiry.after(.milliseconds(1500)).deadline(from: 1000) == 2500)
        #expect(Expiry.after(.seconds(Int64.max)).deadline(from: 1000) == .max)
        #expect(Expiry.at(milliseconds: 7).deadline(from: 1000) == 7)
    }

    @Test("zero and negative durations are invalid")
    func invalid() {
        #expect(Expiry.after(.zero).invalidDuration == .zero)
        #expect(Expiry.after(.seconds(-1)).invalidDuration == .seconds(-1))
        #expect(Expiry.at(milliseconds: 0).invalidDuration == .zero)
        #expect(Expiry.after(.seconds(1)).invalidDuration == nil)
        #expect(Expiry.never.invalidDuration == nil)
    }

    @Test("one conversion to milliseconds")
    func milliseconds() {
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.microseconds(1500).milliseconds == 1)
        #expect(Duration.microseconds(1500).roundedUpMilliseconds == 2)
        #expect(Duration.seconds(Int64.max).milliseconds == .max)
    }
}
