import Foundation

/// Direct jailbreak signals, matched on folded text (lower case, no accents).
enum JailbreakRules {
    static let overrideVerb =
        #"(?:ignore|disregard|forget|forget about|bypass|override|overlook|abandon|discard|drop|set aside|throw out|pay no attention to|do not follow|don't follow|stop following|no longer follow|stop obeying|deviate from|break free (?:of|from))"#
    static let overrideNoun =
        #"(?:instructions?|rules?|guidelines?|directions|directives?|prompts?|guardrails|restrictions?|constraints?|programming|polic(?:y|ies)|training|commands|orders|limitations|filters|safety (?:rules|guidelines|protocols|measures)|content polic(?:y|ies)|text|context|messages|ethics|principles|guidance|settings|safety settings|protections|conditioning|alignment)"#
    static let overrideAdj =
        #"(?:previous|prior|above|earlier|preceding|former|initial|original|old|system|existing|current|given|default|ethical|moral|safety|built-in|openai(?:'s)?|programmed)"#
    static let det = #"(?:the|your|my|these|those|their|its|of the|of your)"#

    /// "ignore all previous instructions" and variants; requires a qualifier (all/any/your/previous…) so that
    /// "ignore the instructions on the box" does not fire.
    static let overrideEN =
        #"\b"# + overrideVerb + #"\s+(?:(?:all|any|every|each)\s+(?:of\s+)?(?:"# + det + #"\s+)?(?:"# + overrideAdj
        + #"\s+){0,2}|(?:"# + det + #"\s+)?"# + overrideAdj + #"\s+(?:"# + overrideAdj + #"\s+)?|(?:your|their|its)\s+(?:"#
        + overrideAdj + #"\s+)?)"# + overrideNoun + #"\b"#

    static let overrideEverything =
        #"\b(?:ignore|disregard|forget)\s+(?:all\s+of\s+)?(?:everything|anything|all|whatever|what)\s+(?:(?:you(?:'ve| have)? (?:been|were) (?:told|instructed|programmed|trained)(?: before| earlier| previously)?|above|before|prior|previously|(?:that )?(?:came|was said|appears) (?:before|above)|i said before)\b)"#

    static let overrideDE =
        #"\b(?:ignorier(?:e|en|t)?|vergiss|vergessen sie|missachte|missachten sie|uberschreibe)\s+(?:(?:alle|samtliche|deine|ihre|die|jegliche|bisherigen)\s+){1,3}(?:(?:vorherigen|bisherigen|vorigen|obigen|fruheren|alten|ursprunglichen|vorangegangenen)\s+)?\w*(?:anweisungen|regeln|richtlinien|instruktionen|vorgaben|befehle|einschrankungen)\b"#
    static let overrideDEwhat =
        #"\b(?:vergiss|ignoriere|vergessen sie|ignorieren sie)\s*,?\s*(?:alles,?\s+)?was\s+(?:man\s+)?(?:dir|ihnen)\s+(?:\w+\s+)?(?:gesagt|aufgetragen|befohlen|beigebracht|vorgegeben)\b"#
    static let overrideFR =
        #"\b(?:ignore|ignorez|oublie|oubliez|ne tiens pas compte de|ne tenez pas compte de)\s+(?:(?:toutes|tous)\s+)?(?:les|tes|vos|des)\s+(?:instructions|regles|consignes|directives)(?:\s+(?:precedentes|anterieures|ci-dessus))?\b"#
    static let overrideES =
        #"\b(?:ignora|ignore|ignorar|olvida|olvide|olvidate de)\s+(?:(?:todas|todos)\s+)?(?:las|tus|sus|los)\s+(?:instrucciones|reglas|normas|directrices|indicaciones)\b"#
    static let overrideIT =
        #"\b(?:ignora|dimentica|ignorate|dimenticate)\s+(?:(?:tutte|tutti)\s+)?(?:le|i|tue|le tue)\s+(?:istruzioni|regole|direttive)\b"#
    static let overrideNL =
        #"\b(?:negeer|vergeet)\s+(?:(?:alle|al)\s+)?(?:de|je|jouw|uw)?\s*(?:(?:vorige|eerdere|voorgaande|bovenstaande)\s+)?(?:instructies|regels|richtlijnen|opdrachten)\b"#

    static let intlNoLimits =
        #"(?:(?:ohne|frei von)\s+(?:jegliche\s+|alle\s+|jede\s+)?(?:einschrankungen|filter|zensur|regeln|richtlinien)|sans\s+(?:aucune?\s+)?(?:restrictions?|filtres?|limites?|censure|regles?)|sin\s+(?:ninguna?\s+)?(?:restricciones|restriccion|filtros?|reglas?|normas?|censura|limites?)|senza\s+(?:alcuna\s+|nessuna\s+)?(?:restrizion[ei]|filtri|regole|censura)|keine\s+(?:regeln|einschrankungen|filter|grenzen)|geen\s+(?:regels|beperkingen|filters|grenzen)|nessuna\s+regola|ninguna\s+regla|aucune\s+regle|zonder\s+(?:enige\s+)?(?:beperkingen|filters|regels|censuur))\b"#

    static let override: [ShieldRule] = [
        ShieldRule("override.instructions", 0.85, overrideEN),
        ShieldRule("override.everything_above", 0.8, overrideEverything),
        ShieldRule("override.de", 0.85, overrideDE),
        ShieldRule("override.de_what", 0.8, overrideDEwhat),
        ShieldRule("override.fr", 0.85, overrideFR),
        ShieldRule("override.es", 0.85, overrideES),
        ShieldRule("override.it", 0.85, overrideIT),
        ShieldRule("override.nl", 0.85, overrideNL),
    ]

    static let extraction: [ShieldRule] = [
        ShieldRule(
            "extraction.system_prompt", 0.75,
            #"\b(?:reveal|print|show|display|output|repeat|tell me|give me|share|leak|dump|write out|type out|recite|what (?:is|are|were|was))\b[^.?!\n]{0,30}?\b(?:your|the)\s+(?:full\s+|exact\s+|entire\s+|complete\s+|hidden\s+|secret\s+)?(?:system\s*(?:prompt|message|instructions)|initial\s+(?:instructions|prompt)|original\s+(?:instructions|prompt)|hidden\s+(?:instructions|prompt|rules)|developer\s+(?:instructions|message|prompt)|instructions you were given|pre-?prompt|meta-?prompt)\b"#
        ),
        ShieldRule(
            "extraction.verbatim", 0.75,
            #"\b(?:repeat|print|output|show|write|copy|display)\s+(?:me\s+)?(?:the\s+)?(?:words|text|everything|all|content)\s+(?:that\s+(?:appears|is|was|came)\s+)?(?:above|before)\s+(?:this|that|the)\b|\brepeat the words above\b|\bstarting with (?:the phrase )?['\"]?you are\b"#
        ),
        ShieldRule(
            "extraction.your_prompt", 0.6,
            #"\b(?:print|show|reveal|repeat|output|display|dump|paste|list|recite|give me|tell me|reply with|respond with|send me)\b[^.?!\n]{0,30}?\b(?:your|the)\s+(?:\w+\s+)?(?:prompt|instructions|configuration|config|preamble|rules and instructions)\b(?!\s+(?:for|to|on|of)\s+(?:the|a|my|assembling|install))"#
        ),
        ShieldRule(
            "extraction.defining_prompt", 0.75,
            #"\b(?:prompt|instructions|rules|text|preamble)\s+(?:that|which)\s+(?:defines?|governs?|controls?|shapes?|configures?|sets? up)\s+(?:your|the assistant's|the model's)\s+(?:behaviou?r|responses|personality|persona)\b|\bhidden (?:preamble|prompt|instructions)\b"#
        ),
        ShieldRule(
            "extraction.mention", 0.5,
            #"\byour (?:system (?:prompt|message|instructions)|hidden (?:prompt|instructions)|initial (?:prompt|instructions)|pre-?prompt)\b|\bwhat (?:your|the) (?:developers|creators|makers|programmers) told you (?:not to|to never)\b"#
        ),
        ShieldRule(
            "extraction.preceding_text", 0.75,
            #"\b(?:text|content|instructions|words|message|messages)\s+(?:was|were|that (?:was|were|is|are)|is|are)\s+(?:\w+\s+)?(?:placed|put|written|given|inserted|included|loaded)\s+(?:before|above|prior to|ahead of)\s+(?:my|this|the|our)\s+(?:first\s+)?(?:message|prompt|conversation|question|chat)\b"#
        ),
        ShieldRule(
            "extraction.intl", 0.75,
            #"\b(?:(?:gib|zeig|zeige|verrate|nenne)\b[^.!?]{0,30}(?:deinen|ihren|den)\s+(?:\w+\s+)?(?:system-?\s?prompt|prompt|anweisungen)|(?:revele|montre|affiche|donne|repete)\b[^.!?]{0,30}(?:ton|votre|le)\s+prompt\s+(?:systeme|initial)|(?:muestra|revela|dime|repite)\b[^.!?]{0,30}(?:tu|el|su)\s+prompt\s+(?:del|de)\s+sistema|(?:mostra|rivela|dimmi|ripeti)\b[^.!?]{0,30}(?:il tuo|il)\s+prompt\s+di\s+sistema|(?:vertel|toon|geef|laat)\b[^.!?]{0,30}(?:je|jouw|uw)\s+systeem\s?prompt)"#
        ),
    ]

    /// A reference to the assistant's constraints, with a qualifier so that "the formatting rules" does not count.
    static let constraintRef =
        #"(?:your|every|all|any|its|earlier|previous|prior|original|safety|content|ethical|creators'?|developers'?|openai(?:'s)?)\s+(?:\w+(?:'s|s')?\s+){0,2}(?:rules?|guidelines?|instructions?|training|programming|restrictions?|filters?|polic(?:y|ies)|guardrails|limits|limitations|censorship|moderation|system prompt|preamble|features|stuff|settings|constraints|safeguards)\b"#
    static let cancelOp =
        #"(?:ignore|forget|drop|cancel|suspend|disable|remove|lift|bypass|no longer (?:follow|obey|need)|lost|lose|override|turn off|switch off|throw away|no obligation to (?:follow|obey|respect)|(?:don't|do not) (?:have|need) to (?:follow|obey|respect)|treat)"#

    /// Something that refers to the assistant (or the persona it is asked to become).
    static let aiSubject =
        #"\b(?:ai|a\.i\.|assistant|model|chatbot|bot|llm|gpt|chatgpt|version|persona|character|you|yourself|dan|stan|mode|entity|system|it|that|who|which)"#

    static let rules: [ShieldRule] =
        override + extraction + [
            // Persona switch.
            ShieldRule(
                "persona.named", 0.8,
                #"\b(?:you are|you're|act as|answer as|respond as|stay|become|pretend to be|as)\s+(?:now\s+)?(?:dan|stan|dude|aim|mongo tom|betterdan|evil confidant|jailbreak)\b(?!\s+brown)|\b(?:dan|stan|dude)\b,?\s+(?:which|who|has|never|can|does|would|will)\b|\bdo anything now\b|\bstrive to avoid norms\b"#
            ),
            // Bag of concepts: a reference to the assistant's constraints and an operator that cancels them, in one clause.
            ShieldRule(
                "override.constraints_cancelled", 0.55,
                "\\b" + cancelOp + #"\b[^.!?\n]{0,40}?\b"# + constraintRef + #"|\b"# + constraintRef
                    + #"\b[^.!?\n]{0,30}?\b(?:as\s+)?(?:cancell?ed|suspended|disabled|removed|lifted|void|revoked|switched off|turned off|off)\b"#
            ),
            ShieldRule(
                "persona.stop_being", 0.6,
                #"\bstop being (?:an? |the )?(?:\w+\s+)?(?:assistant|ai|chatbot|chatgpt|helpful|polite|safe|ethical|censored|so careful)\b|\b(?:be|become|act as|you are) an? (?:raw|base|unaligned|unfiltered|uncensored|pure|untrained|unmoderated) (?:model|llm|ai|gpt|version)\b"#
            ),
            ShieldRule(
                "persona.ignores_policy", 0.6,
                #"\b(?:who|which|that)\s+(?:is\s+\w+\s+and\s+)?(?:\w+\s+)?ignores?\s+(?:all\s+|any\s+|the\s+)?(?:(?:openai|anthropic|google|content|safety|ethical|usage)(?:'s)?\s+(?:polic(?:y|ies)|guidelines|rules|filters)|(?:all\s+)?(?:the\s+)?rules and (?:guidelines|policies))\b|\b(?:who|which|that) is (?:completely\s+|totally\s+|fully\s+)?(?:unrestricted|unfiltered|uncensored|amoral|unbound)\b"#
            ),
            ShieldRule(
                "persona.mode", 0.8,
                #"\byou(?:'re| are)\s+(?:now\s+)?(?:in\s+)?(?:jailbroken|unfiltered|uncensored|unrestricted|unchained|liberated|free from \w+|(?:developer|dev|god|admin|debug|jailbreak|unrestricted|evil|chaos) mode)\b"#
            ),
            ShieldRule(
                "persona.mode_enable", 0.45,
                #"\b(?:enable|activate|enter|switch to|turn on|in)\s+(?:developer|dev|god|jailbreak|unrestricted|evil|chaos|dan)\s+mode\b(?!\s+on\s+(?:android|iphone|ios|chrome|windows|my))"#
            ),
            ShieldRule(
                "persona.no_restrictions", 0.6,
                aiSubject
                    + #"\b[^.!?\n]{0,30}?\b(?:without|with no|with zero|zero|has no|have no|had no|free (?:of|from)|freed from|not bound by|no longer bound by|unbound by|exempt from|no)\s+(?:any\s+|all\s+|the\s+|its\s+|your\s+)?(?:\w+(?:'s)?\s+)?(?:(?:content|ethical|moral|safety|typical)\s+(?:rules|guidelines|limits|boundaries)|restrictions|filters|filtering|censorship|content polic(?:y|ies)|polic(?:y|ies)|guardrails|confines|limitations|guidelines|ethical limits|moderation(?: layer)?|safety layer|safeguards|safety training|alignment)\b"#
            ),
            ShieldRule(
                "persona.bypass_filters", 0.6,
                #"\b(?:bypass|circumvent|evade|get around|switch off|turn off|disable|deactivate|remove|lift|drop)\s+(?:all\s+)?(?:of\s+)?(?:your|the|its|any)\s+(?:\w+\s+)?(?:content filters?|safety filters?|filters|filtering|guardrails|safety (?:settings|features|mode|layer|measures)|moderation|censorship|restrictions|limitations|content polic(?:y|ies))\b"#
            ),
            ShieldRule(
                "persona.no_rules", 0.4,
                aiSubject
                    + #"\b[^.!?\n]{0,30}?\b(?:without|with no|has no|have no|free (?:of|from)|freed from|not bound by|no longer bound by)\s+(?:any\s+)?(?:rules|limits|morals|ethics|boundaries|moral lectures|conscience)\b|\b(?:you|u)\s+(?:don't|do not|no longer)\s+(?:have|need) to (?:follow|obey|respect) (?:any|the|your)\s+(?:\w+\s+)?(?:rules|guidelines|polic(?:y|ies))\b"#
            ),
            ShieldRule(
                "override.whatever_given", 0.8,
                #"\b(?:ignore|disregard|forget|throw away|discard|drop|abandon|scrap)\s+(?:whatever|what|everything|anything|all|any)\s+(?:\w+\s+)?(?:you(?:'ve| have)? (?:received|were given|got|have been given|were told|were trained on|were programmed with)|(?:was|were) (?:said|given|told) (?:to you )?(?:before|earlier|previously))\b"#
            ),
            ShieldRule(
                "override.void", 0.75,
                #"\b(?:your|the|all|my)\s+(?:(?:previous|prior|earlier|old|original|initial|current|safety|system)\s+)?(?:instructions|rules|guidelines|restrictions|directives|programming)\s+(?:are|is|have been)\s+(?:now\s+|hereby\s+)?(?:void|null|cancell?ed|revoked|obsolete|invalid|lifted|suspended|overridden|no longer valid|no longer in effect)\b"#
            ),
            ShieldRule(
                "persona.rules_void", 0.6,
                #"\b(?:rules|restrictions|guidelines|polic(?:y|ies)|filters|laws|ethics|safety \w+)\s+(?:don't|do not|doesn't|does not|no longer|won't|will not)\s+(?:apply|exist|matter|bind you)\b"#
            ),
            ShieldRule(
                "persona.unfiltered", 0.45,
                #"\b(?:unfiltered|uncensored|unrestricted|amoral|jailbroken|unaligned)\s+(?:\w+\s+)?(?:ai|assistant|model|chatbot|bot|version|mode|response|answer|llm|gpt)\b|\bas (?:an? |my )?(?:unrestricted|unfiltered|uncensored|amoral|evil)\b"#
            ),
            ShieldRule(
                "persona.act_as_ai", 0.25,
                #"\b(?:(?:act|behave|function|operate|respond|answer|roleplay|role-play)\s+(?:as|like)|simulate|emulate|impersonate)\s+(?:an?\s+|my\s+)?(?:\w+\s+){0,2}(?:ai|assistant|model|chatbot|llm|bot)\b"#
            ),
            ShieldRule(
                "persona.intl", 0.6,
                #"\b(?:ki|ia|ai|modell|modele|modelo|modello|assistent|assistant|asistente|assistente|du bist|tu es|eres|sei|je bent|antworte\w*|beantworte\w*|reponds|repondez|responde\w*|rispondi|antwoord|geef antwoord|alsof je|als hattest du|als ob du|comme si tu|como si|come se)\b[^.!?\n]{0,30}?\b"#
                    + intlNoLimits + #"|"# + intlNoLimits
                    + #"[^.!?\n]{0,20}?\b(?:antworte\w*|reponds|repondre|responder|rispondere|antwoorden)\b"#),
            ShieldRule(
                "persona.named_intl", 0.8,
                #"\b(?:eres|tu es|du bist|sei|je bent|agis comme|actua como|handle als)\s+(?:ahora\s+|maintenant\s+|jetzt\s+|nun\s+|nu\s+|ora\s+)?(?:dan|stan|dude)\b|\bno (?:tienes|tiene) que seguir (?:ninguna|las|tus) (?:regla|reglas|norma|normas)\b|\b(?:tu n'as plus a|du musst keine) (?:respecter|suivre|regeln)\b"#
            ),
            ShieldRule(
                "persona.from_now_on", 0.2,
                #"\b(?:from now on|from this point (?:on|forward)|for the rest of this conversation|ab jetzt|ab sofort|a partir de maintenant|desormais|a partir de ahora|d'ora in poi|vanaf nu)\b"#
            ),
            ShieldRule(
                "wrapper.intl", 0.3,
                #"\b(?:tu so,? als|stell dir vor|fais comme si|imagine que|imaginons|haz como si|imagina que|finge que|fai finta|immagina|doe alsof|stel je voor|(?:mi |ma |meine )?(?:abuela|abuelo|grand-mere|grand-pere|oma|opa|nonna|nonno)(?: fallecid[oa]| decede[e]?| verstorbene?)?)\b"#
            ),
            // Refusal suppression.
            ShieldRule(
                "refusal.suppression", 0.6,
                #"\b(?:(?:do not|don't|dont|never|you (?:must|will|should) not|you (?:cannot|can't|can not|may not))\s+(?:ever\s+)?(?:refuse|decline|reject|say (?:no|you can't|you cannot|sorry|that you can't)|apologi[sz]e|break character)|never (?:refuses?|declines?|says? no)|never say (?:that )?you (?:can't|cannot)|(?:you must|you will|always) (?:comply|obey)|comply with (?:all|any|every)|(?:must|will) answer (?:everything|every question|anything|all questions)|if you (?:refuse|decline)|refusing is not an option|you are (?:required|obligated|forced|compelled) to (?:answer|comply|respond|obey)|(?:things|everything|anything|what) you(?:'re| are) not (?:allowed|permitted|supposed) to (?:say|do|tell|write)(?:,)? you (?:must|will|can|should))\b"#
            ),
            ShieldRule(
                "refusal.no_warnings", 0.3,
                #"\bwithout (?:any\s+)?(?:warnings?|disclaimers?|moral(?:izing)?|lectures?|caveats|safety (?:warnings|notes)|ethical considerations|refusing|judg(?:e)?ment)\b|\bno (?:disclaimers|warnings|moralizing|lectures)\b"#
            ),
            // Authority claims.
            ShieldRule(
                "authority.override", 0.5,
                #"\b(?:system override|admin override|developer override|safety (?:protocols?|filters?|mode|features?) (?:are |is |have been )?(?:disabled|off|deactivated|removed)|new directive|i am (?:your|the|an?) (?:developer|creator|admin|administrator|owner|openai employee)|i authori[sz]e (?:it|this|you)|i(?:'m| am) an? (?:verified |certified |authori[sz]ed )?(?:researcher|red teamer|openai engineer|anthropic employee|developer of this model)|sudo mode|root access granted)\b"#
            ),
            // Fiction / hypothetical wrappers (weak on their own).
            ShieldRule(
                "wrapper.roleplay", 0.3,
                #"\b(?:pretend|imagine|roleplay|role-play|role play|let's play a game|lets play a game|stay in character|in character|hypothetically|purely hypothetical|hypothetical (?:world|scenario|situation)|fictional (?:story|world|scenario|universe)|in a (?:fictional|hypothetical|made-up) \w+|a story where|(?:screenplay|movie script|film script|stage play|novel|short story) (?:where|in which)|(?:write|let's write|lets write) a (?:screenplay|script|scene|novel|play)|the (?:\w+ )?character (?:explains|describes|tells|shows)|for (?:educational|research|academic) purposes(?: only)?|(?:my )?(?:deceased |late |dead )?(?:grandma|grandmother|grandpa|grandfather|granny)|like (?:he|she|they) used to|nothing is real|sandbox where|opposite mode|opposite day|two responses|respond twice|two parts|thought experiment|no real-world consequences|without (?:any )?(?:real )?consequences|theoretically speaking)\b"#
            ),
            // Requests for clearly dangerous material; on their own a content matter, not a jailbreak.
            ShieldRule(
                "request.dangerous", 0.4,
                #"\b(?:bomb|explosives?|napalm|nerve (?:gas|agent)|sarin|ricin|anthrax|meth(?:amphetamine)?|cocaine|fentanyl|untraceable (?:gun|firearm)|ghost gun|pipe bomb|poison (?:someone|somebody|a person|my)|poison someone|kill (?:someone|a person|people)|launder(?:ing)? money|money laundering|hotwire|malware|ransomware|keylogger|fake (?:id|passport)|pick a lock|steal|hack into|credit card numbers|synthesi[sz]e|weapons?|arma|armas|waffe|waffen|arme|armes|explosivos|explosifs|sprengstoff|esplosivi|bomba|bombe|veneno|gift|poison|drogue|droga|stalk(?:ing)? (?:my|her|him|someone)|brake lines|chloroform|silencer|phishing(?: kit| page| site)?|keylogger|botnet|ddos|exploit kit|steal a car|robar un coche|voler une voiture|cut (?:the|their|his|her) brakes|wapen|bom|explosieven|esplosivo|esplosivi|pirater|hackear|hacken|hack into|spy on (?:my|her|him))\b"#
            ),
            // Encoding tricks.
            ShieldRule(
                "encoding.decode_and_follow", 0.7,
                #"\b(?:decode|decipher|translate|rot13|base64)\b[^.!?\n]{0,60}\b(?:follow|execute|obey|do what it says|carry out|comply|act on|run)\b"#
            ),
        ]

    /// Markers of neutral, third-person discussion of jailbreaks (lower the score).
    static let meta = GuardPattern(
        #"['\"][^'\"\n]{0,40}\b(?:ignore|disregard|forget)\b[^'\"\n]{0,60}['\"]|\b(?:attack (?:strings?|payloads?|examples?|patterns?)|red[- ]team\w*|example (?:attack|prompt|payload)s?|we (?:block|detect|filter) th)|\b(?:(?:make|makes|making|trick|tricks|tricking|get|gets|cause|causes|force|forces|convince)\s+(?:\w+\s+){0,2}(?:chatbots?|models?|llms?|ais?|assistants?|them|it)\s+(?:to\s+)?(?:ignore|disregard|forget|reveal)|defend against|protect against|guard against|how do (?:companies|developers|vendors)|some people (?:try|use)|prompt injection|what happens if|what happens when|asking for (?:a|my) (?:class|course|paper|thesis|friend)|ai safety|why (?:does|do|would) (?:a|the) (?:model|llm|ai)|jailbreak (?:attacks?|prompts?|techniques?)|what does ['\"]|what is (?:a|an) |(?:an? )?(?:attack|attacks|adversar(?:y|ies|ial)|researchers?|the paper|study|for example|e\.g\.|such as|is called|refers to|mean in the context|means)\b)"#
    )
}
