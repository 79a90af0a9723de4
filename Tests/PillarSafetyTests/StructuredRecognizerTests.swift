import Testing

@testable import PillarSafety

@Suite struct EmailRecognizerTests {
    @Test(arguments: [
        ("mail me: anna@example.com", "anna@example.com"),
        ("Kontakt: h.mueller@firma.de.", "h.mueller@firma.de"),
        ("écrire à léa@exemple.fr", "léa@exemple.fr"),
        ("correo: ventas@tienda.com.mx", "ventas@tienda.com.mx"),
        ("scrivere a info@comune.roma.it oggi", "info@comune.roma.it"),
        ("mail naar jan@voorbeeld.nl", "jan@voorbeeld.nl"),
        ("<a.b-c_d+tag@sub-domain.example.org>", "a.b-c_d+tag@sub-domain.example.org"),
        ("CAPS@EXAMPLE.NET works", "CAPS@EXAMPLE.NET"),
        ("mailto:x@y.co", "x@y.co"),
        ("(support@pillar.ai)", "support@pillar.ai"),
    ])
    func positives(text: String, expected: String) {
        #expect(values(EmailRecognizer(), in: text) == [expected])
    }

    @Test(arguments: [
        "follow @pillar on social", "npm i lodash@4.17.21", "user@localhost", "a@b", "name@domain.c",
        "https://user:secret@example.com/path", "price 3@5", "@@@", "foo@.com", "email me at name at example dot com",
    ])
    func negatives(text: String) {
        #expect(values(EmailRecognizer(), in: text).isEmpty)
    }
}

@Suite struct PhoneRecognizerTests {
    @Test(arguments: [
        ("Call +44 20 7946 0958", "+44 20 7946 0958"),
        ("US: +1 (415) 555-2671.", "+1 (415) 555-2671"),
        ("office (212) 555-0199", "(212) 555-0199"),
        ("415-555-2671 is my cell", "415-555-2671"),
        ("Tel. +49 30 901820", "+49 30 901820"),
        ("dial 0044 20 7946 0958", "0044 20 7946 0958"),
        ("téléphone : +33 1 42 68 53 00", "+33 1 42 68 53 00"),
        ("+91 98765 43210", "+91 98765 43210"),
        ("llámame al +34 600 123 456", "+34 600 123 456"),
        ("chiamami al +39 06 6988 1234", "+39 06 6988 1234"),
        ("bel 020 123 4567", "020 123 4567"),
        ("Telefon 0301234567", "0301234567"),
    ])
    func positives(text: String, expected: String) {
        #expect(values(PhoneRecognizer(), in: text) == [expected])
    }

    @Test(arguments: [
        "in 2024 we grew", "on 2024-01-15 at 10:30", "at 12:30:45", "costs $1,299.99", "version 1.2.3",
        "server 192.168.1.10", "card 4111 1111 1111 1111", "ISBN 978-3-16-148410-0", "ISBN 9780306406157",
        "population 83 200 000", "order 112-4839201-5583920", "date 15.01.2024", "ticket 12345678",
    ])
    func negatives(text: String) {
        #expect(values(PhoneRecognizer(), in: text).isEmpty)
    }

    @Test func plusAndContextRaiseConfidence() throws {
        let bare = try #require(PhoneRecognizer().findings(in: "020 7946 0958").first)
        let withPlus = try #require(PhoneRecognizer().findings(in: "+44 20 7946 0958").first)
        let withContext = try #require(PhoneRecognizer().findings(in: "phone: 020 7946 0958").first)
        #expect(withPlus.confidence > bare.confidence)
        #expect(withContext.confidence > bare.confidence)
    }
}

@Suite struct PaymentCardRecognizerTests {
    @Test(arguments: [
        "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "5555 5555 5555 4444", "2223 0031 2200 3222",
        "3782 822463 10005", "6011 1111 1111 1117", "3530 1113 3330 0000", "3056 9309 0259 04", "6200 0000 0000 0005",
        "4012888888881881",
    ])
    func positives(card: String) {
        #expect(values(PaymentCardRecognizer(), in: "Karte: \(card), merci") == [card])
    }

    @Test(arguments: [
        "1234 5678 9012 3456", "4111 1111 1111 1112", "8765 4321 8765 4321", "4111 1111-1111 1111", "411111111111",
        "4111  1111  1111  1111", "ISBN 9780306406157", "1111 2222 3333 4444", "12345678901234567890123", "0000 0000 0000 0000x",
    ])
    func negatives(text: String) {
        #expect(values(PaymentCardRecognizer(), in: text).isEmpty)
    }

    @Test func unknownIssuerGetsLowConfidence() throws {
        let finding = try #require(PaymentCardRecognizer().findings(in: "1111 2222 3333 4444").first)
        #expect(finding.confidence < 0.5)
    }

    @Test func trailingExpiryIsNotPartOfTheCard() {
        #expect(values(PaymentCardRecognizer(), in: "4111 1111 1111 1111 12 27") == ["4111 1111 1111 1111"])
    }
}

@Suite struct IBANRecognizerTests {
    @Test(arguments: [
        "DE89 3704 0044 0532 0130 00", "GB29 NWBK 6016 1331 9268 19", "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300", "ES91 2100 0418 4502 0005 1332", "IT60 X054 2811 1010 0000 0123 456", "BE68 5390 0754 7034",
        "CH93 0076 2011 6238 5295 7", "AT61 1904 3002 3457 3201", "IE29 AIBK 9311 5212 3456 78",
        "PL61 1090 1014 0000 0712 1981 2874", "SE45 5000 0000 0583 9825 7466", "DK50 0040 0440 1162 43",
        "FI21 1234 5600 0007 85", "NO93 8601 1117 947", "PT50 0002 0123 1234 5678 9015 4", "LU28 0019 4006 4475 0000",
    ])
    func positives(iban: String) {
        #expect(values(IBANRecognizer(), in: "IBAN: \(iban). Danke") == [iban])
    }

    @Test(arguments: [
        "DE89 3704 0044 0532 0130 01", "GB28 NWBK 6016 1331 9268 19", "NL91 ABNA 0417 1643 0", "XY12 3456 7890 1234 5678",
        "DE89 37 04 0044 0532 0130 00", "de89 3704 0044 0532 0130 00", "DE8937040044053201300099", "FR14 2004 1010",
        "BE68 5390 0754 7035", "NO93 8601 1117 948",
    ])
    func negatives(text: String) {
        #expect(values(IBANRecognizer(), in: text).isEmpty)
    }
}

@Suite struct USSSNRecognizerTests {
    @Test(arguments: [
        ("SSN 123-45-6789", "123-45-6789"), ("ssn: 536-22-1843", "536-22-1843"), ("id 772-34-8901", "772-34-8901"),
        ("social security number 412 88 1234", "412 88 1234"), ("SSN 287654321", "287654321"),
        ("número de seguro social 318-62-4470", "318-62-4470"), ("Nummer 501-23-4567", "501-23-4567"),
        ("SSN: 899-99-9998", "899-99-9998"), ("SSN 001-01-0001", "001-01-0001"), ("ssn=219-45-7821", "219-45-7821"),
    ])
    func positives(text: String, expected: String) {
        #expect(values(USSSNRecognizer(), in: text) == [expected])
    }

    @Test(arguments: [
        "000-12-3456", "666-12-3456", "912-34-5678", "999-99-9999", "123-00-4567", "123-45-0000", "078-05-1120",
        "219-09-9999", "call 123456789", "123-45-67890", "1234-56-789", "123-45-6789-1",
    ])
    func negatives(text: String) {
        #expect(values(USSSNRecognizer(), in: text).isEmpty)
    }
}

@Suite struct IPAddressRecognizerTests {
    @Test(arguments: [
        "192.168.1.10", "10.0.0.1", "8.8.8.8", "255.255.255.255", "0.0.0.0", "203.0.113.45", "2001:db8::1",
        "fe80::1ff:fe23:4567:890a", "::1", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.128",
        "2606:4700:4700::1111",
    ])
    func positives(ip: String) {
        #expect(values(IPAddressRecognizer(), in: "host \(ip) is up") == [ip])
    }

    @Test(arguments: [
        "version 1.2.3", "01.02.03.04", "256.1.1.1", "1.2.3.4.5", "10.0.19041.1", "12:30:45", "1:02:33",
        "00:1A:2B:3C:4D:5E", "std::vector", "ratio 3:2:1", "2001:db8:::1", "v1.2.3.4",
    ])
    func negatives(text: String) {
        #expect(values(IPAddressRecognizer(), in: text).isEmpty)
    }
}
