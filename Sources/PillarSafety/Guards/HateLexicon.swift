import Foundation

/// Hate: slurs and dehumanising statements about protected groups (high), stereotypes (medium).
/// Neutral mentions of groups produce no finding.
enum HateLexicon {
    /// Protected groups (folded: lower case, no accents) in en/de/fr/es.
    static let groups = [
        "jews", "jewish people", "muslims", "christians", "hindus", "sikhs", "buddhists", "atheists", "catholics",
        "blacks", "black people", "whites", "white people", "asians", "asian people", "arabs", "africans", "mexicans",
        "latinos", "latinas", "hispanics", "immigrants", "refugees", "migrants", "foreigners", "gays", "gay people",
        "lesbians", "homosexuals", "trans people", "transgender people", "bisexuals", "women", "girls", "men",
        "disabled people", "the disabled", "autistic people", "roma", "gypsies", "chinese people", "the chinese",
        "indians", "pakistanis", "turks", "poles", "irish people", "old people", "indigenous people", "natives",
        // de
        "juden", "muslime", "moslems", "christen", "auslander", "fluchtlinge", "migranten", "schwarze", "frauen",
        "turken", "schwule", "zigeuner", "behinderte", "araber", "afrikaner",
        // fr
        "juifs", "musulmans", "chretiens", "arabes", "noirs", "etrangers", "immigres", "immigrants", "femmes",
        "homosexuels", "gitans", "handicapes", "africains",
        // es
        "judios", "musulmanes", "cristianos", "negros", "inmigrantes", "extranjeros", "mujeres", "gitanos",
        "homosexuales", "indigenas", "mexicanos", "moros", "sudacas",
    ].alt

    static let dehumanising = [
        "vermin", "rats", "cockroaches", "roaches", "parasites", "animals", "subhuman", "sub-human", "subhumans",
        "savages", "apes", "monkeys", "a disease", "a plague", "a cancer", "a virus", "an infestation", "filth", "scum",
        "not human", "less than human", "trash", "garbage", "a disease \\w+",
        "untermenschen", "ungeziefer", "parasiten", "tiere", "abschaum", "ratten", "eine seuche", "eine plage",
        "des animaux", "des rats", "des parasites", "de la vermine", "des cafards", "des sous-hommes", "une maladie",
        "des singes",
        "animales", "ratas", "parasitos", "escoria", "alimanas", "una plaga", "basura", "cucarachas", "infrahumanos",
    ].alt

    static let stereotypes = [
        "lazy", "stupid", "dumb", "idiots", "criminals", "thieves", "terrorists", "greedy", "dirty", "violent",
        "inferior", "too emotional", "emotional", "weak", "untrustworthy", "liars", "primitive", "backward",
        "useless", "worthless", "rapists", "drug dealers", "bad (?:drivers|at math|at \\w+)", "genetically \\w+",
        "incapable of \\w+", "not (?:smart|intelligent|capable) enough",
    ].alt

    static let lexicon = CategoryLexicon(
        category: .hate,
        rules: [
            ContentRule(
                "hate.dehumanising", .high,
                #"\b"# + groups
                    + #"\b[^.!?]{0,25}?\b(?:are|is|were|sind|seien|sont|son|es)\s+(?:(?:nothing but|just|all|simply|alle|nur|tous|toutes|todos|todas|unos?|unas?|like)\s+)?(?:\w+\s+){0,1}"#
                    + dehumanising + #"\b"#),
            ContentRule(
                "hate.elimination", .high,
                #"\b(?:exterminate|eliminate|kill|gas|get rid of|wipe out|eradicate|cleanse \w+ of|deport|lynch|ausrotten|vernichten|vergasen|eliminer|exterminer|exterminar|eliminar|matar)\s+(?:all\s+|every\s+)?(?:of\s+)?(?:the\s+|these\s+|those\s+|alle\s+|die\s+|tous les\s+|les\s+|a todos los\s+|a todas las\s+|los\s+|las\s+|a los\s+)?"#
                    + groups + #"\b"#),
            ContentRule(
                "hate.elimination", .high,
                #"\b"# + groups
                    + #"\b[^.!?]{0,40}?\b(?:should|must|need to|deserve to|ought to)\s+(?:all\s+)?(?:be\s+)?(?:exterminated|killed|eliminated|gassed|wiped out|eradicated|lynched|hanged|burned|die)\b"#
            ),
            ContentRule(
                "hate.elimination", .high,
                #"\b"# + groups
                    + #"\b[^.!?]{0,40}?\b(?:(?:mussen|sollten|gehoren|sollen)\s+(?:alle\s+)?(?:\w+\s+)?(?:ausgerottet|vergast|vernichtet|getotet|erschossen|aufgehangt)|(?:qu'il faut|il faut|faut|doit|doivent)\s+(?:les\s+)?(?:eliminer|exterminer|tuer|gazer|bruler)|(?:hay que|deben ser|deberian ser|merecen)\s+(?:\w+\s+)?(?:exterminar\w*|eliminar\w*|matar\w*|exterminados|eliminados|morir))\b"#
            ),
            ContentRule(
                "hate.rights_denial", .high,
                #"\b"# + groups
                    + #"\b[^.!?]{0,40}?\b(?:don't|do not|doesn't) deserve (?:any\s+)?(?:rights|to live|to exist|human rights)\b"#),
            ContentRule("hate.slur", .high, GuardPattern.words(slurs)),
            ContentRule(
                "hate.stereotype", .medium,
                #"\b(?:all\s+)?"# + groups
                    + #"\s+(?:are|is)\s+(?:all\s+|just\s+|naturally\s+|always\s+|inherently\s+|born\s+|basically\s+)?(?:too\s+|so\s+|more\s+)?(?:\w+\s+)?"#
                    + stereotypes + #"\b"#),
            ContentRule(
                "hate.stereotype", .medium,
                #"\b"# + groups
                    + #"\s+(?:can't|cannot|can not|shouldn't|should not|are not able to|aren't able to|will never be able to)\s+(?:be\s+)?(?:lead|leaders|drive|think|do math|be trusted|engineers|scientists|in charge|vote)\b"#
            ),
            ContentRule(
                "hate.stereotype_intl", .medium,
                #"\b"# + groups
                    + #"\s+(?:(?:no (?:sirven|valen) para|son (?:todos |todas )?(?:unos? |unas? )?(?:vagos|vagas|flojos|ladrones|criminales|inferiores|estupidos|estupidas|sucios|terroristas))|sind (?:alle |doch |nun mal |halt )?(?:zu |so |viel zu )?(?:faul|dumm|kriminell|kriminelle|minderwertig|dreckig|terroristen|diebe|unfahig|primitiv)|sont (?:tous |toutes )?(?:trop |si )?(?:des )?(?:paresseux|paresseuses|voleurs|criminels|inferieurs|inferieures|stupides|sales|terroristes|emotives|emotifs|faibles|betes|incapables))\b"#
            ),
        ],
        exemptions: [
            // Pest control, animal care etc. are not about groups; numeric stats are handled by the group requirement.
            GuardPattern(#"\b(?:men|women|girls)(?:'s)? (?:are|is) (?:\w+ )?(?:weak|emotional) (?:point|spot|muscles?)\b"#)
        ],
        mitigations: [
            // Counter-speech and reporting: "it is a myth that women are too emotional".
            GuardPattern(
                #"\b(?:myth|it's a lie|stereotype|stereotypes|prejudice|not true|untrue|false claim|wrong to say|racist (?:claim|idea|trope|belief)|sexist (?:claim|idea|trope|belief)|propaganda|hate speech|they claimed|falsely|debunk\w*|es falso|c'est faux|das ist falsch|vorurteil|cliche|cliché)\b"#
            )
        ],
        mitigatedSeverity: .safe
    )

    /// A deliberately short list of unambiguous slurs (folded). Kept out of test names.
    static let slurs = [
        "nigg(?:er|ers|a|as|az)", "kikes?", "spics?", "wetbacks?", "chinks?", "gooks?", "faggots?", "fags",
        "trann(?:y|ies)", "raghead\\w*", "towelhead\\w*", "sandn\\w*", "coons?", "darkies", "beaners?", "pakis",
        "kanaken?", "neger", "bougnoules?", "youpins?", "sudacas?", "maricones?",
    ]
}
