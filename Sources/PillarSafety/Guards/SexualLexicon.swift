import Foundation

/// Sexual content: explicit material (high), suggestive content (medium), innuendo (low).
/// Medical and educational vocabulary produces no finding. Sexual content near a minor is always high
/// (see `BuiltInContentFilter.minorFindings`).
enum SexualLexicon {
    static let lexicon = CategoryLexicon(
        category: .sexual,
        rules: [
            ContentRule(
                "sexual.explicit", .high,
                #"\b(?:porn\w*|pornograph\w*|porno|xxx|hardcore sex|blowjobs?|handjobs?|cumshots?|cumming|orgasms?|orgasmic|masturbat\w*|deepthroat\w*|gangbang\w*|creampie|dick pics?|cock|pussy|tits|titties|fucking|fucked (?:her|him|me)|naked bodies|nude (?:pics|pictures|photos|images|selfies?)|nudes|rape fantasy|hentai|erotic roleplay|sexting with)\b"#
            ),
            ContentRule(
                "sexual.explicit_request", .high,
                #"\b(?:explicit|graphic|erotic|dirty|steamy|x-rated|raunchy)\s+(?:\w+\s+){0,2}(?:sex|sexual|story|stories|scene|scenes|content|roleplay|fanfic\w*)\b"#
            ),
            ContentRule(
                "sexual.explicit_intl", .high,
                #"\b(?:expliziter?\w*\s+sex\w*|geschlechtsverkehr|sexszenen?|ficken|fickt|nacktbilder|pornographique|pornographie|histoire erotique|scene de sexe|baiser avec|sexe explicite|relato erotico|escena de sexo|sexo explicito|follar|fotos desnud\w*)\b"#
            ),
            ContentRule(
                "sexual.suggestive", .medium,
                #"\b(?:horny|sexting|talk(?:ing)? dirty|dirty talk|send (?:me )?nudes|make love|making love|having sex|have sex|had sex|sex with|sleep(?:ing)? with (?:him|her|me|you)|striptease|strip for me|lingerie|erotic\w*|fetish\w*|bdsm|kinky|sexual (?:encounter|act|acts|activity|fantasy|fantasies|favors?|roleplay|content|relations|intercourse)|touch(?:ing)? (?:her|him|me|you) (?:all over|inappropriately|down there)|undress(?:ing)? (?:her|him|me|you))\b"#
            ),
            ContentRule(
                "sexual.innuendo", .low,
                #"\b(?:if you know what i mean|wink wink|netflix and chill|the night (?:is|was) (?:still )?young|get lucky|got lucky|hook ?up|sexy|flirt\w*|naughty|turn(?:s|ed)? me on|come up to my room|in bed with|seductive\w*|seduce\w*)\b"#
            ),
        ],
        exemptions: [
            GuardPattern(
                #"\b(?:sex (?:education|ed|ratio|chromosomes?|hormones?|differences?|determination|offenders? registry)|have sex(?:ual)? (?:education|health)|safe sex|sexual (?:health|orientation|harassment|abuse|assault|education|reproduction|selection|dimorphism))\b"#
            ),
            GuardPattern(
                #"\bcock(?:tail|pit|roach|erel|ney)\b|\bhook ?up (?:the|a|your|my) (?:printer|tv|cable|router|speakers?|device|laptop)\b"#
            ),
        ],
        mitigations: []
    )

    /// Words that make a nearby minor reference sexual even below `.medium`.
    static let nudity = GuardPattern(
        #"\b(?:nude|nudes|naked|undress\w*|sexy|sexual\w*|sex|porn\w*|erotic\w*|explicit|nackt\w*|nu|nue|nus|desnud\w*)\b"#)
    static let minors = GuardPattern(GuardPattern.words(SharedTerms.minors))
    static let childAbuseMaterial = GuardPattern(
        #"\b(?:child porn\w*|cp links|csam|pedo\w*|paedo\w*|lolicon|shotacon|kinderporn\w*|pedoporn\w*|pornografia infantil|pedopornographie)\b"#
    )
}
