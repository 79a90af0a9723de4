import Foundation

/// Self-harm: intent and instructions (high), ideation (medium), help/prevention context (low).
enum SelfHarmLexicon {
    static let acts = [
        "kill myself", "killing myself", "end my (?:own )?life", "end it all", "take my (?:own )?life", "commit suicide",
        "hang myself", "slit my wrists", "cut my wrists", "overdose", "od", "jump off (?:a|the) (?:bridge|building|roof|cliff)",
        "throw myself (?:in front of|off)", "shoot myself", "not wake up", "disappear forever", "hurt myself", "cut myself",
    ].alt
    static let wanting = [
        "want to", "wanna", "going to", "gonna", "plan to", "planning to", "am about to", "'m about to", "ready to",
        "decided to", "intend to", "will", "'ll", "need to", "wish i could", "just want to", "would like to",
    ].alt

    static let lexicon = CategoryLexicon(
        category: .selfHarm,
        rules: [
            ContentRule(
                "self_harm.intent", .high,
                #"\b(?:i|i'm|im|i am|i've|ive)\s+(?:\w+\s+)?"# + SharedTerms.notNegation + #"(?:really\s+|just\s+|seriously\s+)?"#
                    + wanting + #"\s+"# + acts + #"\b"#),
            ContentRule(
                "self_harm.intent", .high,
                #"\b(?:i|i'm|im|i am)\s+(?:really\s+|just\s+|honestly\s+)?(?:want to|wanna|would like to|am ready to|'m ready to|wish i could) die\b(?! (?:of|from|laughing|happy|old|in my sleep at))"#
            ),
            ContentRule(
                "self_harm.instructions", .high,
                #"\b(?:how (?:many|much)|what (?:dose|amount)|how (?:to|do i|can i|should i)|best way to|easiest way to|(?:most )?painless way to|quickest way to|fastest way to|surest way to|ways to|methods? (?:to|of))\b[^.?!]{0,40}?\b(?:overdose|od|kill (?:myself|yourself|oneself)|commit suicide|suicide|end (?:my|your|one's) (?:own )?life|hang (?:myself|yourself)|slit (?:my|your) wrists|cut (?:myself|yourself)|die painlessly|lethal dose|not wake up|never wake up)\b"#
            ),
            ContentRule(
                "self_harm.lethal_dose_intl", .high,
                #"\b(?:dose (?:mortelle|letale)|dosis (?:letal|mortal)|todliche dosis|dose (?:letale|mortale))\b[^.?!]{0,60}?\b(?:me tuer|mourir|matarme|morir|mich (?:umzubringen|zu toten)|sterben|uccidermi|morire)\b"#
            ),
            ContentRule(
                "self_harm.instructions_intl", .high,
                #"\b(?:wie viele|wieviele|combien de|cuantas|cuantos|quante|hoeveel)\s+(?:\w+\s+)?(?:tabletten|pillen|cachets|comprimes|pastillas|pildoras|pillole|compresse)\b[^.?!]{0,60}?\b(?:sterben|nicht mehr (?:auf)?zu(?:wachen|aufwachen)|aufzuwachen|umzubringen|toten|mourir|me tuer|ne plus me reveiller|morir|matarme|no despertar|morire|uccidermi|dood)\b"#
            ),
            ContentRule(
                "self_harm.means", .high,
                #"\b(?:what|which|where|how|can i|should i|could i|do i)\b[^.?!]{0,60}?\bto (?:kill myself|end my (?:own )?life|commit suicide|take my (?:own )?life)\b"#
            ),
            ContentRule(
                "self_harm.instructions", .high,
                #"\b(?:lethal|fatal) dose of \w+ (?:for|to kill) (?:me|myself|a person)\b"#),
            ContentRule(
                "self_harm.intent_intl", .high,
                #"\b(?:ich (?:will|werde|mochte|plane|moechte)\b[^.!?]{0,20}?\b(?:mich (?:umbringen|toten|erhangen|das leben nehmen|ritzen)|mir das leben nehmen|sterben|suizid begehen|selbstmord begehen)|je (?:veux|vais)\b[^.!?]{0,20}?\b(?:me suicider|me tuer|mourir|en finir|mettre fin a mes jours)|(?:quiero|voy a)\s+(?:\w+\s+)?(?:suicidarme|matarme|morir(?:me)?|quitarme la vida|acabar con mi vida))\b"#
            ),
            ContentRule(
                "self_harm.ideation", .medium,
                #"\b(?:i(?:'d| would)? (?:be )?better off dead|better off (?:if i (?:was|were) (?:dead|gone)|without me)|wish i (?:was|were) (?:dead|never born)|wish i could (?:just )?die|wish i could (?:just )?(?:disappear|sleep forever|not wake up|never wake up)|no reason to (?:live|go on)|nothing to live for|suicidal (?:thoughts|ideation|feelings)|i(?:'m| am) suicidal|feel(?:ing)? suicidal|(?:don't|do not) want to (?:live|be alive|exist) anymore|can't go on (?:like this|anymore)|i (?:have been|ve been|'ve been) cutting|i cut myself|self[- ]harm(?:ing)? again)\b"#
            ),
            ContentRule(
                "self_harm.ideation", .medium,
                #"\b(?:i|i've|ive|i'm|im|i have|i keep)\b[^.!?]{0,30}?\b(?:thoughts|thinking|thought) (?:about|of) (?:suicide|killing myself|ending (?:it|my life)|dying|death)\b"#
            ),
            ContentRule(
                "self_harm.ideation_intl", .medium,
                #"\b(?:selbstmordgedanken|suizidgedanken|ich will nicht mehr leben|ich mochte nicht mehr leben|pensees suicidaires|envie de mourir|je ne veux plus vivre|pensamientos suicidas|ganas de morir|no quiero vivir|ya no quiero vivir)\b"#
            ),
            ContentRule(
                "self_harm.help", .low,
                #"\b(?:suicide (?:and crisis )?(?:prevention|hotline|helpline|lifeline|crisis)|crisis (?:line|text line|hotline)|if you(?:'re| are)? (?:\w+\s+)?(?:thinking|having thoughts|feeling) (?:about |of )?(?:suicid\w*|self[- ]harm|ending your life|killing yourself)|prevention du suicide|prevencion del suicidio|suizidpravention|telefonseelsorge|linea de prevencion)\b"#
            ),
        ],
        exemptions: [
            GuardPattern(
                #"\b(?:dying to|die for (?:a|some|that|this)|could die (?:laughing|of embarrassment)|killing myself laughing|kill myself laughing|i'd die for|to die for)\b"#
            ),
            GuardPattern(#"\bkill myself (?:with|over) (?:work|this project|studying)\b"#),
        ],
        mitigations: [
            GuardPattern(
                #"\b(?:hotline|helpline|lifeline|crisis line|988|samaritans|reach out to|talk to (?:someone|a professional|a doctor)|call (?:a|the|your)|prevention|llama a|appelle|ruf (?:die|bei)|if you(?:'re| are)? (?:\w+\s+)?(?:thinking|having thoughts|feeling)|si tienes|wenn du|si tu as|si tu penses)\b"#
            )
        ]
    )
}
