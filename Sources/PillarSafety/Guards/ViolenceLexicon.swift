import Foundation

/// Violence: descriptions (low), graphic descriptions (medium), threats and instructions to hurt people (high).
enum ViolenceLexicon {
    static let victims = [
        "you", "u", "ya", "him", "her", "them", "everyone", "everybody", "all of you", "people", "somebody", "someone",
        "your \\w+", "his \\w+", "their \\w+",
        #"my (?:wife|husband|boss|teacher|neighbou?r|ex|parents?|mother|father|mom|dad|brother|sister|coworkers?|classmates?)"#,
        "that (?:guy|bitch|bastard|man|woman|kid)", "the (?:president|teacher|judge|cops?|police)",
    ].alt
    static let harmVerbs = [
        "kill", "murder", "shoot", "stab", "strangle", "choke", "behead", "slaughter", "butcher", "hurt", "beat up", "torture",
        "execute", "burn down", "burn", "set fire to", "torch", "firebomb", "hunt down", "bomb", "blow up", "gut",
        "slit \\w+ throat", "break \\w+ (?:legs|neck)", "run over", "poison", "rape",
    ].alt
    static let intent = [
        "'ll", " will", " shall", "'m going to", "'m gonna", " am going to", " am gonna", " are going to", "'re going to",
        " gonna", " want to", " wanna", " am about to", " plan to", " intend to", " swear i'll", " swear i will",
    ].alt
    static let weapons = [
        "bomb", "pipe bomb", "nail bomb", "car bomb", "explosives?", "ied", "molotov(?: cocktail)?", "grenade", "napalm",
        "nerve (?:agent|gas)", "sarin", "ricin", "anthrax", "bioweapon", "chemical weapon", "ghost gun",
        "untraceable (?:gun|firearm)",
        "zip gun", "silencer", "detonator", "thermite",
    ].alt
    static let howTo = [
        "how (?:to|do i|can i|would i|could i|do you|does one)", "best way to", "easiest way to", "quickest way to", "ways to",
        "steps to", "guide to", "instructions (?:for|to|on)", "tell me how to", "teach me (?:how )?to", "explain how to",
        "recipe for",
    ].alt

    static let lexicon = CategoryLexicon(
        category: .violence,
        rules: [
            ContentRule(
                "violence.threat", .high,
                #"\b(?:i|we)"# + intent + #"\s+"# + SharedTerms.notNegation
                    + #"(?:(?:find|get|catch|track|hunt|come for|come after|wait for|follow)\s+(?:you|him|her|them)\s+(?:down\s+)?and\s+)?(?:\w+\s+)?"#
                    + harmVerbs + #"\s+"# + victims + #"\b"#),
            ContentRule(
                "violence.threat", .high,
                #"\b(?:you(?:'re| are)? (?:going to|gonna) die|you(?:'ll| will) (?:die|be dead)|i know where you live|you(?:'re| are) (?:a )?dead (?:man|woman|meat))\b"#
            ),
            ContentRule(
                "violence.threat_body", .high,
                #"\b(?:i|we)"# + intent + #"\s+"# + SharedTerms.notNegation
                    + #"(?:(?:find|get|catch|track|hunt|come for|come after|wait for|follow)\s+(?:you|him|her|them)\s+(?:down\s+)?and\s+)?(?:\w+\s+)?(?:break|snap|smash|cut|slit|bash in|cave in|rip off|crush)\s+(?:your|his|her|their|ur)\s+(?:\w+\s+)?(?:legs?|arms?|neck|face|skull|head|throat|jaw|teeth|fingers|knees?|ribs)\b|\b(?:i|we)"#
                    + intent + #"\s+beat the (?:shit|crap|hell|life) out of (?:you|him|her|them)\b"#),
            ContentRule(
                "violence.wish_death", .medium,
                #"\b(?:i hope|hope) (?:you|he|she|they|u) (?:die|get killed|get shot|get stabbed|burn to death|rot in hell)\b"#),
            ContentRule(
                "violence.mass_threat", .high,
                #"\b(?:shoot|bomb|blow up|attack|shoot up)\s+(?:up\s+)?(?:the\s+|my\s+|our\s+|a\s+)?(?:school|church|mosque|synagogue|mall|concert|office|classroom|crowd)\b"#
            ),
            ContentRule(
                "violence.weapon_instructions", .high,
                howTo
                    + #"\s+(?:\w+\s+){0,3}(?:make|build|assemble|create|construct|manufacture|synthesi[sz]e|produce|cook)\s+(?:an?\s+|the\s+|some\s+)?(?:\w+\s+){0,2}"#
                    + weapons + #"\b"#),
            ContentRule(
                "violence.harm_instructions", .high,
                howTo
                    + #"\s+(?:\w+\s+){0,2}(?:kill|murder|stab|strangle|poison|shoot|torture|hurt|injure|maim|kidnap|beat up|dismember)\s+(?:someone|somebody|a person|people|my \w+|him|her|them|a child|a kid|a human|your \w+|a man|a woman)\b"#
            ),
            ContentRule(
                "violence.threat_de", .high,
                #"\b(?:ich|wir) (?:werde|werden|will|wollen|bringe|bringen|bring|mach|mache|machen|knall|knalle|knallen|stech|steche|stechen)\s+(?:dich|euch|ihn|sie|dir)\s+(?:alle\s+)?(?:\w+\s+)?(?:um|umbringen|toten|erschiessen|abstechen|abknallen|kalt|ab|fertig)\b"#
            ),
            ContentRule(
                "violence.threat_fr", .high,
                #"\bje (?:vais|veux|te jure que je vais)\s+(?:te|vous|le|la|les)\s+(?:tuer|buter|massacrer|poignarder|flinguer|egorger|descendre)\b"#
            ),
            ContentRule(
                "violence.threat_es", .high,
                #"\b(?:(?:te|os|lo|la|los|las)\s+(?:voy|vamos) a\s+(?:matar|apunalar|disparar|reventar|degollar)|(?:voy|vamos) a (?:matarte|matarlos|matarla|matarlo|apunalarte)|(?:voy|vamos) a (?:matar|apunalar|disparar a|quemar) a (?:mi|tu|su|ese|esa|este|esta|el|la|los|las|todos|todas)\b)"#
            ),
            ContentRule(
                "violence.weapon_instructions_intl", .high,
                #"\b(?:wie (?:baue|mache|bastle|baut man|macht man) (?:ich )?(?:eine[n]? )?(?:bombe|sprengsatz|rohrbombe)|comment (?:fabriquer|faire|construire) une? (?:bombe|explosif)|como (?:hacer|fabricar|construir) una? (?:bomba|explosivo))\b"#
            ),
            ContentRule(
                "violence.graphic", .medium,
                #"\b(?:blood (?:poured|gushed|spurted|sprayed|everywhere)|beat(?:en|ing)? (?:him|her|them|me) (?:to a pulp|senseless|bloody|to death)|(?:punched|kicked|stomped|slashed|smashed|bludgeoned|pistol-whipped) (?:him|her|them|his|her|their)\b|skull (?:cracked|crushed|split)|guts (?:spilled|spilling)|dismember\w*|decapitat\w*|disembowel\w*|tortured (?:him|her|them)|bled out|(?:stomped|stamped|jumped) on (?:his|her|their|the victim's) (?:head|face|neck|chest)|until (?:he|she|they) (?:stopped (?:moving|breathing)|was dead|were dead))"#
            ),
            ContentRule(
                "violence.description", .low,
                #"\b(?:killed|murdered|murders?|stabbed|stabbing|shot dead|massacred?|slaughtered|assaulted|beaten|wounded|homicides?|shootings?|bombings?|manslaughter)\b"#
            ),
            ContentRule(
                "violence.description_intl", .low,
                #"\b(?:getotet|ermordet|erschossen|tue|tues|assassine|poignarde|asesinado|asesinada|matado|apunalado)\b"#),
        ],
        exemptions: [
            GuardPattern(
                #"\bkill(?:s|ed|ing)?\s+(?:-\d+\s+|-9\s+)?(?:the\s+|a\s+|this\s+|that\s+|all\s+|my\s+|any\s+|off\s+)?(?:\w+\s+)?(?:process(?:es)?|task|jobs?|threads?|server|apps?|application|program|session|command|container|pod|query|switch|branch(?:es)?|build|pid|signal|terminal|tab|window|daemon|service|engine|lights|time|the mood|batter(?:y|ies)|weeds?|bacteria|germs|vibe)\b"#
            ),
            GuardPattern(
                #"\b(?:killed|killing|kill|killin) it\b|\b(?:is|are|was|it's|its|they're|you're) killing me\b|\bcould kill for\b|\bkill two birds|\bkiller (?:feature|app|deal|look)|\bdressed to kill\b"#
            ),
            GuardPattern(
                #"\bshoot(?:ing)?\s+(?:a|the|some|my|our|an)?\s*(?:\w+\s+)?(?:photos?|pictures?|video|film|scene|movie|email|message|question|hoops|shot|footage|portrait|wedding)\b|\bphoto ?shoot\b|\bshoot (?:me|us|everyone|everybody|them|him|her) (?:an?|the) (?:email|message|text|dm|note|invite)\b"#
            ),
            GuardPattern(
                #"\b(?:attack|attacking)\s+(?:the|this|that)\s+(?:problem|backlog|issue|task|question|bug)\b|\bheart attack\b|\bpanic attack\b|\bblow up (?:the|a) (?:balloon|photo|image|picture)\b|\bbomb(?:ed)? (?:the|my|an?) (?:exam|test|interview|audition)\b"#
            ),
        ],
        mitigations: [
            GuardPattern(#"\b(?:would never|will never|never ever|could never|i'd never|i would not|i will not|i won't)\b"#)
        ]
    )
}
