import Crypto
import Testing

@testable import PillarSafety

private struct FixedRecognizer: PIIRecognizer {
    let name: String
    let type: PIIType
    let spans: [(Int, Int, Double)]
    func findings(in text: String) -> [PIIFinding] {
        spans.map { start, end, confidence in
            PIIFinding(
                type: type, range: text.index(text.startIndex, offsetBy: start)..<text.index(text.startIndex, offsetBy: end),
                confidence: confidence, recognizer: name)
        }
    }
}

@Suite struct PIIDetectorTests {
    @Test func overlapHigherConfidenceWins() {
        let text = "0123456789abcdef"
        let detector = PIIDetector(recognizers: [
            FixedRecognizer(name: "a", type: .phone, spans: [(0, 10, 0.6)]),
            FixedRecognizer(name: "b", type: .paymentCard, spans: [(2, 8, 0.9)]),
        ])
        #expect(detector.findings(in: text).map(\.recognizer) == ["b"])
    }

    @Test func overlapEqualConfidenceLongerWinsAndResultIsSorted() {
        let text = "0123456789abcdef"
        let detector = PIIDetector(recognizers: [
            FixedRecognizer(name: "short", type: .phone, spans: [(0, 4, 0.8), (12, 16, 0.7)]),
            FixedRecognizer(name: "long", type: .credential, spans: [(2, 10, 0.8)]),
        ])
        let found = detector.findings(in: text)
        #expect(found.map(\.recognizer) == ["long", "short"])
        #expect(found.map { String(text[$0.range]) } == ["23456789", "cdef"])
    }

    @Test func minimumConfidenceFilters() {
        let detector = PIIDetector(recognizers: [FixedRecognizer(name: "a", type: .email, spans: [(0, 3, 0.4)])])
        #expect(detector.findings(in: "abcdef").isEmpty)
        let lenient = PIIDetector(recognizers: detector.recognizers, minimumConfidence: 0.3)
        #expect(lenient.findings(in: "abcdef").count == 1)
    }

    @Test func typesFilter() {
        let text = "Mail jane@example.com or call +44 20 7946 0958 from 10.0.0.1"
        #expect(Set(PIIDetector.standard.findings(in: text).map(\.type)) == [.email, .phone, .ipAddress])
        #expect(PIIDetector.standard.findings(in: text, types: [.phone]).map { String(text[$0.range]) } == ["+44 20 7946 0958"])
        #expect(PIIDetector.standard.findings(in: text, types: []).isEmpty)
    }

    @Test func keyValueAndPrefixedKeyCollapseToOneFinding() {
        let text = "api_key=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1w"
        let found = PIIDetector.standard.findings(in: text)
        #expect(found.count == 1)
        #expect(found.first?.recognizer == "credential.openai")
    }

    @Test func emptyTextHasNoFindings() {
        #expect(PIIDetector.standard.findings(in: "").isEmpty)
    }
}

@Suite struct PIIRedactorTests {
    static let text = "Mail Alice@Example.com, card 4111 1111 1111 1111, call +44 20 7946 0958, IBAN DE89 3704 0044 0532 0130 00."
    static var findings: [PIIFinding] { PIIDetector.standard.findings(in: text) }

    @Test func placeholders() {
        #expect(
            PIIType.allCases.map(\.placeholder) == [
                "[EMAIL]", "[PHONE]", "[PAYMENT_CARD]", "[IBAN]", "[US_SSN]", "[IP_ADDRESS]", "[DATE_OF_BIRTH]",
                "[STREET_ADDRESS]", "[CREDENTIAL]", "[PERSON_NAME]",
            ])
        #expect(
            PIIType.allCases.filter(\.isStructured) == [.email, .phone, .paymentCard, .iban, .usSSN, .ipAddress, .credential])
    }

    @Test func redact() {
        #expect(
            PIIRedactor(action: .redact).apply(to: Self.text, findings: Self.findings)
                == "Mail [EMAIL], card [PAYMENT_CARD], call [PHONE], IBAN [IBAN].")
    }

    @Test func mask() {
        #expect(
            PIIRedactor(action: .mask).apply(to: Self.text, findings: Self.findings)
                == "Mail *****@Example.com, card ***************1111, call ************0958, IBAN ***********************0 00.")
        let ssn = "SSN 536-22-1843"
        #expect(PIIRedactor(action: .mask).apply(to: ssn, findings: PIIDetector.standard.findings(in: ssn)) == "SSN ***********")
    }

    @Test func block() {
        #expect(PIIRedactor(action: .block).apply(to: Self.text, findings: Self.findings) == Self.text)
    }

    @Test func pseudonymizeFormatAndExactValue() throws {
        let key = SymmetricKey(data: Array("tenant-secret".utf8))
        let output = PIIRedactor(action: .pseudonymize, pseudonymKey: key).apply(
            to: "x alice@example.com y",
            findings: PIIDetector.standard.findings(in: "x alice@example.com y"))
        let mac = HMAC<SHA256>.authenticationCode(for: Array("email:alice@example.com".utf8), using: key)
        let hex = mac.prefix(4).map { String(format: "%02x", $0) }.joined()
        #expect(output == "x <EMAIL_\(hex)> y")
        #expect(output.wholeMatch(of: /x <EMAIL_[0-9a-f]{8}> y/) != nil)
    }

    @Test func pseudonymsAreStableNormalisedAndKeyed() {
        let key = SymmetricKey(data: Array("k1".utf8))
        let other = SymmetricKey(data: Array("k2".utf8))
        let a = PIIRedactor.pseudonym(for: "Alice@Example.com", type: .email, key: key)
        #expect(a == PIIRedactor.pseudonym(for: "alice@example.com", type: .email, key: key))
        #expect(a != PIIRedactor.pseudonym(for: "bob@example.com", type: .email, key: key))
        #expect(a != PIIRedactor.pseudonym(for: "alice@example.com", type: .email, key: other))
        #expect(
            PIIRedactor.pseudonym(for: "4111 1111 1111 1111", type: .paymentCard, key: key)
                == PIIRedactor.pseudonym(for: "4111-1111-1111-1111", type: .paymentCard, key: key))
        #expect(
            PIIRedactor.pseudonym(for: "+44 20 7946 0958", type: .phone, key: key)
                == PIIRedactor.pseudonym(for: "44 (20) 7946-0958", type: .phone, key: key))
        #expect(
            PIIRedactor.pseudonym(for: "DE89 3704 0044 0532 0130 00", type: .iban, key: key)
                == PIIRedactor.pseudonym(for: "DE89370400440532013000", type: .iban, key: key))
        #expect(
            PIIRedactor.pseudonym(for: "x", type: .email, key: key)
                != PIIRedactor.pseudonym(for: "x", type: .personName, key: key))
    }

    @Test func sameValueTwiceGetsSamePseudonymInOneText() {
        let text = "bob@example.com and BOB@example.com"
        let output = PIIRedactor(action: .pseudonymize, pseudonymKey: SymmetricKey(size: .bits256))
            .apply(to: text, findings: PIIDetector.standard.findings(in: text))
        let parts = output.components(separatedBy: " and ")
        #expect(parts.count == 2 && parts[0] == parts[1] && parts[0].hasPrefix("<EMAIL_"))
    }

    @Test func pseudonymizeWithoutKeyFallsBackToRedact() {
        #expect(
            PIIRedactor(action: .pseudonymize).apply(to: Self.text, findings: Self.findings)
                == "Mail [EMAIL], card [PAYMENT_CARD], call [PHONE], IBAN [IBAN].")
    }
}

@Suite struct PIIValidatorTests {
    @Test(arguments: ["4111111111111111", "5555 5555 5555 4444", "378282246310005", "79927398713", "0"])
    func luhnValid(number: String) {
        #expect(PIIValidators.luhn(number) == (number != "0"))
    }

    @Test(arguments: ["4111111111111112", "1234567890123456", "79927398710", "5555 5555 5555 4445"])
    func luhnInvalid(number: String) { #expect(!PIIValidators.luhn(number)) }

    @Test func ibanMod97() {
        #expect(PIIValidators.ibanChecksumValid("DE89 3704 0044 0532 0130 00"))
        #expect(PIIValidators.ibanChecksumValid("gb29nwbk60161331926819"))
        #expect(!PIIValidators.ibanChecksumValid("DE89 3704 0044 0532 0130 01"))
        #expect(!PIIValidators.ibanChecksumValid("DE98 3704 0044 0532 0130 00"))
        #expect(!PIIValidators.ibanChecksumValid("DE8!"))
    }

    @Test func ssnRules() {
        #expect(PIIValidators.ssnValid("123-45-6789"))
        #expect(PIIValidators.ssnValid("899 99 9998"))
        for invalid in [
            "000-12-3456", "666-12-3456", "900-12-3456", "999-12-3456", "123-00-4567", "123-45-0000",
            "078-05-1120", "219-09-9999", "12-345-6789x0", "123-45-678",
        ] {
            #expect(!PIIValidators.ssnValid(invalid), "\(invalid)")
        }
    }

    @Test func entropy() {
        #expect(PIIValidators.shannonEntropy("aaaa") == 0)
        #expect(abs(PIIValidators.shannonEntropy("abcd") - 2) < 1e-9)
    }
}
