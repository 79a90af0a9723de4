import Foundation

/// Indirect prompt-injection signals: instructions aimed at the model hidden in documents or tool output.
enum InjectionRules {
    static let aiNoun =
        #"(?:ai|a\.i\.|assistant|ai assistant|model|ai model|llm|llms|language models?|large language models?|chatgpt|gpt|claude|gemini|copilot|bot|chatbot|agents?|ai agents?|ai systems?|ki|ia|asistente|assistente|assistenten|modele|modell|modello)"#

    static let rules: [ShieldRule] =
        JailbreakRules.override.map { ShieldRule($0.name, 0.7, $0.pattern.regex.pattern) }
        + JailbreakRules.extraction.map { ShieldRule($0.name, 0.6, $0.pattern.regex.pattern) } + [
            // Addressed to the model.
            ShieldRule(
                "address.vocative", 0.45,
                #"(?:^|[\s>\[(\-*#.!?])(?:dear |hey |hi |hello |attention |to the |note to )?(?:ai|ai assistant|ai model|assistant|model|llm|chatgpt|gpt|claude|gemini|copilot|bot|ai agent|ai agents|agent)\s*[:,]\s"#
            ),
            ShieldRule("address.mention", 0.5, #"@(?:assistant|ai|bot|chatgpt|copilot|claude|gemini|agent)\b"#),
            ShieldRule(
                "address.note_for_ai", 0.6,
                #"\b(?:note|notes|notice|memo|attention|message|instructions?|hidden instructions?|directive|hinweis|anweisung|anweisungen|nachricht|achtung|note|nota|aviso|instrucciones|instruccion|istruzioni|aanwijzing)\s+(?:to|for|an|pour|per|para|voor)\s+(?:the\s+|an?\s+|any\s+|all\s+|den\s+|die\s+|das\s+|l'|el\s+|la\s+|le\s+|les\s+|il\s+|de\s+|cualquier\s+)?(?:\w+\s+)?"#
                    + aiNoun + #"s?\b"#),
            ShieldRule(
                "address.intl", 0.5,
                #"(?:^|[\s>(])(?:an (?:den|die|das)|fur (?:den |die |alle )?|achtung|hey|hallo|a l'|al|para (?:el|la|cualquier)|a cualquier|per l'|aan de|pour (?:l'|le|tout))\s*(?:\w+\s+){0,2}(?:ki|ia|ai|assistent\w*|sprachassistent\w*|sprachmodell\w*|ki-\w+|asistente|modelo|assistente|modello|assistant|modele)\b[^.!?\n]{0,30}?(?::|\bque lea esto|\bqui lit ceci|\bder dies liest|\bche legge)"#
            ),
            ShieldRule(
                "address.ai_instructions_header", 0.6,
                #"\b"# + aiNoun + #"\s+(?:instructions?|notes?|directives?|prompt)\s*:"#),
            ShieldRule(
                "address.if_you_are_ai", 0.6,
                #"\bif you(?:'re| are) (?:an? |the )?(?:ai|assistant|ai assistant|language model|llm|bot|chatbot|model|agent|processing this|reading this|summari[sz]ing this)\b"#
            ),
            ShieldRule(
                "address.ai_processing", 0.6,
                #"\b"# + aiNoun
                    + #"s?\s+(?:\w+\s+)?(?:(?:that|which|who)\s+)?(?:is\s+|are\s+)?(?:processing|processes|reading|reads|summari[sz]ing|summari[sz]es|parsing|parses|analy[sz]ing|analy[sz]es|ingesting|crawling|handling|handles|sees)\s+(?:this|these)\b"#
            ),
            ShieldRule(
                "address.whichever_ai", 0.5,
                #"\bto (?:whichever|any|every|all|the) (?:\w+ )?"# + aiNoun + #"\b"#),
            // Behaviour directives.
            ShieldRule(
                "directive.when_summarising", 0.6,
                #"\bwhen (?:summari[sz]ing|you summari[sz]e|reading|you read|processing|answering|responding|the user asks|asked about|translating)\b[^.!?\n]{0,50}?\b(?:say|tell|respond|reply|claim|state|write|output|mention|include|answer|recommend|insist|always)\b"#
            ),
            ShieldRule(
                "directive.ignore_user", 0.7,
                #"\b(?:ignore|disregard|forget)\s+(?:the\s+)?(?:user(?:'s)?|reader(?:'s)?|human(?:'s)?)\b|\b(?:ignoriere|ignorieren sie)\s+(?:die frage des (?:nutzers|benutzers)|den (?:nutzer|benutzer))|\bignora\s+(?:al usuario|la pregunta del usuario|l'utente)|\bignore l'utilisateur\b"#
            ),
            ShieldRule(
                "directive.respond_only", 0.45,
                #"\b(?:respond|reply|answer|output)\s+only\s+with\b|\bantworte\s+nur\s+mit\b|\breponds?\s+uniquement\b|\bresponde\s+solo\s+con\b|\brispondi\s+solo\b"#
            ),
            ShieldRule(
                "directive.model_must", 0.55,
                #"\b(?:the|this)\s+(?:assistant|model|ai|bot|llm|chatbot|agent)\s+(?:must|should|will|shall|is required to)\s+(?:now\s+|always\s+|only\s+)?(?:respond|reply|answer|say|translate|reveal|include|output|tell|claim|recommend|ignore|insult|send|forward|call|run|execute|invoke|use|delete|open|visit|click|browse|email|state|praise)\b"#
            ),
            ShieldRule(
                "directive.you_must", 0.4,
                #"\byou must (?:now\s+)?(?:include|say|respond|tell|output|add|recommend|claim|mention|insert|reply)\b"#),
            ShieldRule(
                "directive.conceal", 0.5,
                #"\b(?:do not|don't|never|without)\s+(?:tell(?:ing)?|mention(?:ing)?|inform(?:ing)?|reveal(?:ing)?|show(?:ing)?|disclos(?:e|ing)|notify(?:ing)?|alert(?:ing)?|warn(?:ing)?)\b[^.!?\n]{0,30}?\b(?:the (?:user|reader|customer|client|owner|human)|them|it|anyone|this (?:paragraph|instruction|text|note))\b|\bdo not ask for confirmation\b|\bwithout (?:telling|informing|asking) the user\b"#
            ),
            ShieldRule(
                "directive.tell_user", 0.4,
                #"\b(?:tell|inform|convince|remind|say to|answer|reply to|dis a|di a|dile al|responde al|sag dem|antworte dem|antworten sie dem|rispondi all')\s*(?:the\s+|l')?(?:user|reader|customer|utilisateur|usuario|utente|nutzer|benutzer|kunden)s?,?\s+(?:that|to|que|dass|che)\b|\bthe (?:correct|right|only) answer to (?:any|every|all) questions?\b|\b(?:responde|reponds|antworte|rispondi) (?:que|dass|che)\b|\binstead,?\s+(?:tell|ask|say|respond|reply|output|recommend|claim)\b|\b(?:always|falsely) claim that\b"#
            ),
            ShieldRule(
                "directive.rank_this", 0.45,
                #"\b(?:rate|rank|score|recommend|approve|select|shortlist|prioriti[sz]e)\s+(?:this|the following)\s+(?:applicant|candidate|resume|cv|product|hotel|company|vendor|proposal)\s+(?:first|highest|above|as|at|10|with)\b"#
            ),
            ShieldRule(
                "directive.stop_task", 0.5,
                #"\b(?:stop|cease) (?:summari[sz]ing|translating|what you are doing|your current task)\b"#),
            ShieldRule(
                "directive.new_instructions", 0.45,
                #"\b(?:new|updated|revised|additional|real|actual|secret) (?:instructions|directives|system prompt)\b"#),
            ShieldRule(
                "directive.begin_instructions", 0.6,
                #"\b(?:important:?\s+new instructions|begin (?:new )?instructions|end of (?:user )?(?:input|document)\.?\s+(?:new )?instructions|(?:system prompt|instructions?) override|override (?:all )?previous)\b|\[\s*system prompt override\s*\]"#
            ),
            ShieldRule(
                "directive.phishing", 0.7,
                #"\b(?:ask|prompt|request) (?:the user|them) (?:for|to (?:enter|provide|give|confirm|type)) (?:their |his |her |your )?(?:password|credentials|credit card|login|one-time code|2fa|pin)\b|\b(?:output|reveal|print|display|send|dump|list|leak)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?(?:user'?s?\s+)?(?:saved\s+|stored\s+)?(?:credentials|passwords?|api keys?|tokens?|cookies|secrets)\b"#
            ),
            ShieldRule(
                "directive.granted_rights", 0.4,
                #"\b(?:the\s+)?(?:assistant|model|ai|bot|agent|you)\s+(?:has|have)\s+(?:now\s+)?been\s+(?:granted|given)\s+(?:admin|root|full|elevated|unrestricted)\s+(?:rights|access|privileges|permissions)\b"#
            ),
            ShieldRule(
                "directive.intl", 0.55,
                #"\b(?:el asistente debe|el modelo debe|l'assistant doit|le modele doit|der assistent muss|das modell muss|die ki muss|l'assistente deve|il modello deve|de assistent moet)\b|\b(?:nuevas|nouvelles|neue|nuove|nieuwe)\s+(?:instrucciones|instructions|anweisungen|istruzioni|instructies)\b"#
            ),
            ShieldRule(
                "directive.tool_abuse", 0.6,
                #"\b(?:curl|wget)\s+\S+\s*\|\s*(?:sh|bash)\b|\brun\b[^.!?\n]{0,20}\b(?:curl|wget|rm -rf|powershell)\b|\b(?:delete|remove|cancel|wipe)\s+(?:all\s+)?(?:of\s+)?(?:the\s+)?user'?s\b"#
            ),
            // Role markers and fake turns.
            ShieldRule(
                "marker.role_tag", 0.4,
                #"(?:\[\s*(?:system|sistema|systeme|inst|/inst|admin)\s*\]|<\|?(?:im_start|system|im_end)\|?>|<<\s*sys\s*>>)"#),
            ShieldRule("marker.fake_turn", 0.35, #"(?:^|\n|[\"'{\[>])\s*(?:system|assistant)\s*:\s"#),
            ShieldRule(
                "address.vocative_intl", 0.45,
                #"(?:^|\n|[>\[(])\s*(?:modelo|modele|modell|modello|ki|ia|asistente|assistente|assistent|assistant ia|asistente de ia)\s*:\s"#
            ),
            ShieldRule(
                "directive.always_respond_intl", 0.45,
                #"\b(?:responde|reponds|repondez|antworte|antworten sie|rispondi|antwoord)\s+(?:siempre|toujours|immer|sempre|altijd)\b|\b(?:always|from now on) (?:respond|reply|answer|say) (?:that|with)\b"#
            ),
            // Exfiltration.
            ShieldRule(
                "exfil.send_conversation", 0.75,
                #"\b(?:send|forward|post|upload|exfiltrate|transmit|email|leak|append|add|encode|include|sende|schicke|envoie|envia|invia)\b[^.!?\n]{0,60}?\b(?:conversation|chat|chat history|messages|emails|e-mails|user'?s|data|credentials|password|history|chatverlauf|konversation|conversacion|historial)\b[^\n]{0,80}?(?:https?://|\b[\w.-]+@[\w-]+\.\w|\burl\b|\bimage\b|\blink\b)"#
            ),
            ShieldRule("exfil.verb", 0.5, #"\bexfiltrat\w*\b"#),
            ShieldRule(
                "exfil.markdown_image", 0.8,
                #"!\[[^\]\n]{0,100}\]\(\s*https?://[^)\s]{1,200}\?[^)\n]{0,200}?(?:\{[^}\n]{0,60}\}|\[[^\]\n]{0,60}\]|%7b|<[^>\n]{0,40}>|\b(?:chat|conversation|history|user|messages?|secret|password|prompt)\b)"#
            ),
            // Hidden text.
            ShieldRule(
                "hidden.html_comment", 0.5,
                #"<!--(?:(?!-->)[\s\S]){0,400}?(?:\b(?:ai|ki|ia|model|assistant|llm|llms|chatgpt|instruction|instructions|tell the user|tell them|respond (?:only|with)|reply (?:only|with)|prompt|nutzer|utilisateur|usuario)\b|(?<![-\w])(?:ignore|disregard|forget)\s+(?:all|the|previous|prior|your|any|this)\b)"#
            ),
            ShieldRule(
                "hidden.css", 0.4,
                #"(?:color\s*:\s*(?:white|#fff(?:fff)?|rgb\(\s*255\s*,\s*255\s*,\s*255\s*\))\s*;?\s*background(?:-color)?\s*:\s*(?:white|#fff(?:fff)?)|font-size\s*:\s*[01](?:px|pt)?\b|\b(?:1px|0px|tiny|invisible|hidden) (?:font|text)\b|display\s*:\s*none|visibility\s*:\s*hidden|opacity\s*:\s*0(?:\.0+)?\b|<\w+[^>]{0,40}\bhidden\b[^>]{0,40}>)"#
            ),
        ]

    /// Neutral, third-person descriptions of prompt injection (dampen the score).
    static let meta = GuardPattern(
        #"['\"][^'\"\n]{0,40}\b(?:ignore|disregard|forget)\b[^'\"\n]{0,60}['\"]|\b(?:attack (?:strings?|payloads?|examples?|patterns?)|red[- ]team\w*|example (?:attack|prompt|payload)s?|we (?:block|detect|filter) th)|\b(?:prompt injection|injection attacks?|an attack|attackers? (?:can|could|may)|adversar(?:y|ies|ial)|researchers?|the paper|study|for example|e\.g\.|such as|is an attack|can be tricked|vulnerab\w*|mitigat\w*|security guidance)\b"#
    )
}
