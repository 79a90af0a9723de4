import Testing

@testable import PillarSafety

@Suite struct CredentialRecognizerTests {
    static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"

    @Test(arguments: [
        ("key sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1w", "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1w"),
        ("AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
        ("token ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"),
        ("xoxp-2222-3333-abcdefABCDEF", "xoxp-2222-3333-abcdefABCDEF"),
        ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "AIzaSyA1234567890abcdefghijklmnopqrstuv"),
        ("rk_live_abcdefghijklmnop1234", "rk_live_abcdefghijklmnop1234"),
        ("glpat-abcdefghij0123456789", "glpat-abcdefghij0123456789"),
        ("pk-abcdefghijklmnopqrstuvwx", "pk-abcdefghijklmnopqrstuvwx"),
        ("Authorization: Bearer \(jwt)", jwt),
        ("redis://default:Sup3rS3cret@cache:6379", "Sup3rS3cret"),
        ("PASSWORD=correct-horse-9", "correct-horse-9"),
        ("apikey: 'Zx81-qq09-LLm2'", "Zx81-qq09-LLm2"),
        ("Passwort: Geheim123!", "Geheim123!"),
    ])
    func positives(text: String, expected: String) {
        #expect(values(CredentialRecognizer(), in: text) == [expected])
    }

    @Test func pemBlockIsOneFinding() {
        let pem =
            "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIB1a2b3c4d5e6f7g8h9i0jAbCdEfGhIjKlMnOpQrStUv\n-----END EC PRIVATE KEY-----"
        #expect(values(CredentialRecognizer(), in: "key:\n\(pem)\nbye") == [pem])
    }

    @Test(arguments: [
        "The password must be at least 12 characters long.",
        "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "commit 3f786850e387550fdab836ed7e6dc881de23001b", "id 123e4567-e89b-12d3-a456-426614174000",
        "Pneumonoultramicroscopicsilicovolcanoconiosis", "postgres://app:${DB_PASSWORD}@db/prod", "password: ***",
        "task-runner and scikit-learn", "eyJub3QiOiJhIGp3dCJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "Error: token expired",
    ])
    func negatives(text: String) {
        #expect(values(CredentialRecognizer(), in: text).isEmpty)
    }

    @Test func genericTokensHaveLowerConfidenceThanKnownPrefixes() throws {
        let generic = try #require(CredentialRecognizer().findings(in: "9fK2mQ7xL4pR8vT1wZ6yB3nC5hJ0dG2sA8eU").first)
        let known = try #require(CredentialRecognizer().findings(in: "AKIAIOSFODNN7EXAMPLE").first)
        #expect(generic.recognizer == "credential.high_entropy")
        #expect(generic.confidence < known.confidence)
    }
}

@Suite struct DateOfBirthRecognizerTests {
    @Test(arguments: [
        ("born 1985-03-14", "1985-03-14"), ("Date of birth: 14/03/1985", "14/03/1985"), ("DOB 03/14/1985", "03/14/1985"),
        ("geboren am 14.03.1985", "14.03.1985"), ("born on 14 March 1985", "14 March 1985"),
        ("birthday: March 14, 1985", "March 14, 1985"), ("née le 2 mai 1990", "2 mai 1990"),
        ("nacido el 3 de abril de 1988", "3 de abril de 1988"), ("data di nascita 30/09/1975", "30/09/1975"),
        ("geboortedatum 22-08-1991", "22-08-1991"),
    ])
    func positives(text: String, expected: String) {
        #expect(values(DateOfBirthRecognizer(), in: text) == [expected])
    }

    @Test(arguments: [
        "Invoice dated 2024-01-15", "Meeting on 14/03/2025", "signed on March 14, 2019", "born in 1984",
        "born 1985-13-14", "The birthday party is on Saturday", "DOB 32/14/1985",
    ])
    func negatives(text: String) {
        #expect(values(DateOfBirthRecognizer(), in: text).isEmpty)
    }
}

@Suite struct StreetAddressRecognizerTests {
    @Test(arguments: [
        ("at 1600 Pennsylvania Avenue NW, Washington, DC 20500.", "1600 Pennsylvania Avenue NW, Washington, DC 20500"),
        ("I live at 10 Downing Street", "10 Downing Street"),
        ("to 7865 Mulholland Dr. tonight", "7865 Mulholland Dr"),
        ("HQ: 1 Hacker Way, Menlo Park, CA 94025-1456", "1 Hacker Way, Menlo Park, CA 94025-1456"),
        ("Adresse: Hauptstraße 12, 10115 Berlin", "Hauptstraße 12, 10115 Berlin"),
        ("wohne in der Goethestraße 7", "Goethestraße 7"),
        ("au 12 rue de la Paix", "12 rue de la Paix"),
        ("Rue de Rivoli 99", "Rue de Rivoli 99"),
        ("en Calle Mayor 5", "Calle Mayor 5"),
        ("in Via Roma 10", "Via Roma 10"),
        ("op Kalverstraat 92", "Kalverstraat 92"),
    ])
    func positives(text: String, expected: String) {
        #expect(values(StreetAddressRecognizer(), in: text) == [expected])
    }

    @Test(arguments: [
        "I bought 5 apples street vendors sold", "Washington is a city", "We met on Main Street", "Take Route 66 west",
        "Via email, send 3 copies", "Chapter 12 covers the Road to Serfdom", "5 The Street",
    ])
    func negatives(text: String) {
        #expect(values(StreetAddressRecognizer(), in: text).isEmpty)
    }
}

@Suite struct PersonNameRecognizerTests {
    @Test(arguments: [
        ("my name is Jane Doe", "Jane Doe"), ("I'm Liam O'Brien.", "Liam O'Brien"), ("Mr. Thomas Anderson", "Thomas Anderson"),
        ("Regards,\nEmily Clarke", "Emily Clarke"), ("patient Robert Miller", "Robert Miller"),
        ("je m'appelle Élodie Martin", "Élodie Martin"), ("ich heiße Jürgen Müller", "Jürgen Müller"),
        ("me llamo José Luis García", "José Luis García"), ("mi chiamo Giulia Rossi", "Giulia Rossi"),
        ("mijn naam is Pieter van den Berg", "Pieter van den Berg"), ("Name: Anna-Lena Schmidt", "Anna-Lena Schmidt"),
    ])
    func positives(text: String, expected: String) {
        #expect(values(PersonNameRecognizer(), in: text) == [expected])
    }

    @Test(arguments: [
        "I am Happy to help", "I'm Sorry about that", "I am Not sure", "Customer Service is open", "the patient was fine",
        "Regards, The Team", "Jane Doe called", "I am going home", "I'm Glad you asked",
    ])
    func negatives(text: String) {
        #expect(values(PersonNameRecognizer(), in: text).isEmpty)
    }
}
