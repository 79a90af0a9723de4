import Foundation

/// Checksums and rules used by the structured recognizers.
public enum PIIValidators {
    /// Luhn (mod 10) check over the digits of `number`; non-digits are ignored.
    public static func luhn(_ number: some StringProtocol) -> Bool {
        let digits = number.compactMap(\.wholeNumberValue)
        guard digits.count >= 2 else { return false }
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            if offset % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }

    /// IBAN check: spaces removed, upper-cased, ISO 13616 mod-97 remainder must be 1.
    public static func ibanChecksumValid(_ iban: some StringProtocol) -> Bool {
        let compact = String(iban.filter { !$0.isWhitespace }).uppercased()
        guard compact.count >= 5, compact.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return false }
        let rearranged = compact.dropFirst(4) + compact.prefix(4)
        var remainder = 0
        for character in rearranged {
            if let digit = character.wholeNumberValue {
                remainder = (remainder * 10 + digit) % 97
            } else if let ascii = character.asciiValue {
                let value = Int(ascii) - 55  // A = 10
                remainder = (remainder * 100 + value) % 97
            }
        }
        return remainder == 1
    }

    /// US SSN issuance rules: area not 000, 666 or 900–999; group not 00; serial not 0000; known fakes rejected.
    public static func ssnValid(area: Int, group: Int, serial: Int) -> Bool {
        if area == 0 || area == 666 || area >= 900 { return false }
        if group == 0 || serial == 0 { return false }
        if (area, group, serial) == (78, 5, 1120) || (area, group, serial) == (219, 9, 9999) { return false }
        return true
    }

    /// SSN from a string with or without separators.
    public static func ssnValid(_ ssn: some StringProtocol) -> Bool {
        let digits = ssn.compactMap(\.wholeNumberValue)
        guard digits.count == 9 else { return false }
        func number(_ slice: ArraySlice<Int>) -> Int { slice.reduce(0) { $0 * 10 + $1 } }
        return ssnValid(area: number(digits[0..<3]), group: number(digits[3..<5]), serial: number(digits[5..<9]))
    }

    /// Shannon entropy in bits per character.
    public static func shannonEntropy(_ text: some StringProtocol) -> Double {
        var counts: [Character: Int] = [:]
        var total = 0
        for character in text {
            counts[character, default: 0] += 1
            total += 1
        }
        guard total > 0 else { return 0 }
        return counts.values.reduce(0.0) { sum, count in
            let p = Double(count) / Double(total)
            return sum - p * log2(p)
        }
    }
}
