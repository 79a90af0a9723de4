#!/usr/bin/env python3
"""Generate the reference fixtures for the Swift tokenizer tests with tiktoken.

Run with a python that has tiktoken (pip install tiktoken) and TIKTOKEN_CACHE_DIR pointing at the rank files
`make setup` put in $PILLAR_CACHE/tokenizers (tiktoken then works offline):

    TIKTOKEN_CACHE_DIR=~/.cache/pillar/tokenizers python scripts/tokenizer/make-fixture.py

Writes into Tests/PillarTokenizationTests/Resources/:
  fixture.jsonl        {"name", "text", "cl100k", "o200k"} per case (full token ids)
  scalar-sweep.jsonl   per block of code points, a hash of the ids of a text
                       putting every scalar of the block in many contexts
                       (see sweep_text; the Swift test rebuilds the same text)
"""
import json
import os
import random
import sys

import tiktoken

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "PillarTokenizationTests", "Resources")
HOTPOT = os.path.join(HERE, "..", "..", "..", "shared", "data", "hotpotqa", "hotpot_100.json")
# Paragraphs kept in the fixture: enough prose to cover ordinary text, few enough to keep the file small.
PARAGRAPHS = 100

cl = tiktoken.get_encoding("cl100k_base")
o2 = tiktoken.get_encoding("o200k_base")


def hotpot_cases():
    with open(HOTPOT) as f:
        data = json.load(f)
    seen = set()
    for qi, item in enumerate(data):
        yield f"hotpot-question-{qi}", item["question"]
        yield f"hotpot-answer-{qi}", item["answer"]
        for title, sentences in item["context"]:
            text = "".join(sentences)
            if (title, text) in seen or len(seen) >= PARAGRAPHS:
                continue
            seen.add((title, text))
            yield f"hotpot-paragraph-{title}", text
            if len(seen) <= 40:  # a few as "title, blank line, text, newline" documents
                yield f"hotpot-titled-{title}", f"{title}\n\n{text}\n"


EDGE = {
    "empty": "",
    "contractions-upper": "I'LL GO, WE'VE DONE IT, THEY'RE HERE, IT'S HIS, I'M, I'D, DON'T",
    "contractions-mixed": "we'Ve you'lL they'rE it'S i'M he'D can'T I'll we've",
    "contractions-bare": "'s 't 're 've 'm 'll 'd 'S 'LL 'x ''s '",
    "contraction-long-s": "it'\u017f Bob'\u017ftop '\u017f",
    "apostrophes": "don\u2019t it\u2018s l\u02bcanse \u02b9s `s \u00b4s quote\"s it's",
    "digits": "1 12 123 1234 12345 123456 1234567890123 3.14159 1,000,000 -42 +7 0x1F 1e10",
    "numbers-unicode": "\u00b2\u00b3 \u00bd \u2167 \u0661\u0662\u0663\u0664 \u096a\u096b \u4e00\u4e8c\u4e09 \u2460\u2461\u2462 \uff11\uff12\uff13\uff14",
    "chinese": "\u6211\u7231\u5317\u4eac\u5929\u5b89\u95e8\u3002\u4eca\u5929\u5929\u6c14\u5f88\u597d\uff0c\u6211\u4eec\u53bb\u516c\u56ed\u5427\uff01",
    "japanese": "\u3053\u3093\u306b\u3061\u306f\u4e16\u754c\u3001\u30ab\u30bf\u30ab\u30ca\u30fc\u3067\u3059\u3002",
    "korean": "\uc548\ub155\ud558\uc138\uc694 \uc138\uacc4",
    "arabic": "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645\u060c \u0647\u0630\u0627 \u0627\u062e\u062a\u0628\u0627\u0631\u064c \u0661\u0662\u0663",
    "hindi": "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e\u0964 \u0915\u094d\u0937\u0924\u094d\u0930\u093f\u092f \u0939\u093f\u0902\u0926\u0940 \u092e\u0947\u0902",
    "combining-latin": "Cafe\u0301 na\u0308ive e\u0301\u0301\u0301 \u0301start A\u0301BC a\u0300b\u0301C",
    "thai": "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "cyrillic-greek": "\u041f\u0440\u0438\u0432\u0435\u0442 \u041c\u0418\u0420 \u0391\u03b8\u03ae\u03bd\u03b1 \u03a3\u039f\u03a6\u0399\u0391",
    "titlecase": "\u01c5ungla \u01c8ubljana \u01cbJ \u01f2 \u1f88\u1f89",
    "modifier-letters": "\u02b0\u02b1 a\u02b0b A\u02b0B \u3005\u3005 \u30fc\u30fc",
    "emoji": "Hi \U0001f44b\U0001f3fd! \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 family \u2764\ufe0f \U0001f1fa\U0001f1f8\U0001f1ef\U0001f1f5 \U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
    "emoji-run": "\U0001f600\U0001f601\U0001f602\U0001f923\U0001f603 \U0001f44d\U0001f3fb\U0001f44d\U0001f3ff",
    "crlf": "line one\r\nline two\r\n\r\nline four\r\n",
    "lone-cr": "a\rb\r\rc \r d\r",
    "trailing-spaces": "hello world   ",
    "trailing-newlines": "hello world\n\n\n",
    "trailing-mixed": "end \n \n  ",
    "leading-spaces": "   leading and  double  spaced   words",
    "space-runs": "a  b   c    d     e\u00a0\u00a0f",
    "tabs": "\tindented\n\t\tmore\t\ttabs\tand\t text \t",
    "punct-newlines": "Hello!!!\n\nWhat?!\r\n...\n--\n***\r\r\n",
    "punct-slash": "a/b //c ///\n/ path/to/file.txt http://x.y/z?q=1&r=2#f ./\n/\n",
    "code-python": "def f(x):\n    return x ** 2  # square\n\nif __name__ == '__main__':\n    print(f(3))\n",
    "code-swift": "struct A: Sendable {\n\tlet x: [Int: String] = [:]\n\tfunc g() -> Int { x.count }\n}\n",
    "code-c": "int main(void){for(int i=0;i<10;++i){printf(\"%d\\n\",i);}return 0;}",
    "json": "{\"key\": \"value\", \"n\": [1, 2, 3.5e-7], \"nested\": {\"a\": null, \"b\": true}}",
    "url": "https://www.example.com/path/to/page.html?query=abc&lang=en-US#section-2",
    "email-and-markdown": "Contact: john.doe+test@example.co.uk\n# Title\n- item **bold** _it_ `code`\n> quote",
    "special-token-text": "<|endoftext|> <|fim_prefix|><|im_start|>user\nhi<|im_end|>",
    "invalid-looking": "\ufffd\ufffd \\x80\\xff \\u0000 %s %d {0} $\u20ac\u00a3 \u0000nul\u0001\u0002\u001f\u007f",
    "bom-zwsp": "\ufeffstart \u200bzero\u200bwidth \u200c\u200d \u2060",
    "nbsp": "a\u00a0b \u00a0c\u00a0 d \u00a0\u00a0",
    "em-space": "a\u2003b \u2003c\u2003\u2003d\u2003",
    "ideographic-space": "\u6f22\u3000\u5b57 a\u3000\u3000b\u3000",
    "nel": "a\u0085b \u0085\u0085c\u0085",
    "line-separator": "a\u2028b\u2029c \u2028 d\u2028\u2028",
    "unicode-spaces-misc": "\u1680\u2000\u2001\u2002\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f x\u180ey",
    "vertical-space": "a\u000bb\u000cc \u000b\u000c\n",
    "only-spaces": "     ",
    "only-newlines": "\n\n\n",
    "single-space": " ",
    "single-newline": "\n",
    "space-before-digits": "x 1 2  3   456",
    "space-before-punct": "a !b  ?c   ;d",
    "mixed-case-words": "HelloWorld camelCase XMLHttpRequest iPhone McDONALD's ABCdef",
    "all-caps-contraction": "HELLO'S WORLD'LL",
    "repeated-a-10000": "a" * 10000,
    "repeated-spaces-10000": " " * 10000,
    "repeated-spaces-10000-then-word": " " * 10000 + "word",
    "repeated-newlines-5000": "\n" * 5000,
    "repeated-dots-3000": "." * 3000,
    "repeated-digits-5000": "7" * 5000,
    "repeated-chinese-3000": "\u4e2d" * 3000,
    "repeated-ab-4000": "ab" * 4000,
    "long-word": "Pneumonoultramicroscopicsilicovolcanoconiosis" * 20,
}


def fuzz_cases(count=400, seed=1234):
    pool = (
        list("aAzZ019 '\t\r\n/!?.,-_\"")
        + ["'s", "'S", "'ll", "'LL", "'ve", "'re", "'d", "'m", "'t", "\r\n", "  ", "\u00a0", "\u3000",
           "\u2003", "\u0085", "\u2028", "\u0301", "\u093e", "\u0915", "\u4e2d", "\u01c5", "\u02b0",
           "\u00b2", "\u2167", "\u0663", "\U0001f44b", "\U0001f3fd", "\u200d", "\u00e9", "\u00c9",
           "\u03a3", "\u03c3", "\u0410", "\u0430", "\uffff", "\ufffd", "\u017f", "\u212a", "/\n", "1234",
           "ABC", "abc", "Abc", "aBC", "\u3005", "\u30fc", "\U0001d400", "\U0001d41a", "\U00020000"]
    )
    rng = random.Random(seed)
    for k in range(count):
        n = rng.randint(1, 40)
        yield f"fuzz-{k}", "".join(rng.choice(pool) for _ in range(n))


def sweep_blocks():
    """Code point blocks to sweep: planes 0-3 up to the last assigned CJK
    block (Extension J, Unicode 17) and the plane-14 tags/variation
    selectors; surrogates excluded because a Swift String cannot hold them."""
    ranges = [(0, 0xD800), (0xE000, 0x33500), (0xE0000, 0xE0200)]
    block = 4096
    for lo, hi in ranges:
        for start in range(lo, hi, block):
            yield start, min(start + block, hi)


def sweep_text(start, end):
    # Each scalar c in several contexts, so that its letter/number/mark/
    # whitespace class and o200k upper/lower class change the split.
    # Must match SweepText.swift exactly.
    parts = []
    for v in range(start, end):
        c = chr(v)
        parts.append(f"{c}a{c}A{c}1{c} {c}'S{c}\r\n{c}  z{c}!{c}{c}\u01c5{c}\u02b0{c}\u0301b{c}/\n")
    return "".join(parts)


def fnv1a(ids):
    h = 0xCBF29CE484222325
    for t in ids:
        for byte in t.to_bytes(4, "little"):
            h ^= byte
            h = (h * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = list(hotpot_cases()) + list(EDGE.items()) + list(fuzz_cases())
    with open(os.path.join(OUT, "fixture.jsonl"), "w") as f:
        for name, text in cases:
            row = {"name": name, "text": text,
                   "cl100k": cl.encode_ordinary(text), "o200k": o2.encode_ordinary(text)}
            f.write(json.dumps(row) + "\n")
    print(f"fixture.jsonl: {len(cases)} cases", file=sys.stderr)

    blocks = 0
    with open(os.path.join(OUT, "scalar-sweep.jsonl"), "w") as f:
        for start, end in sweep_blocks():
            text = sweep_text(start, end)
            a, b = cl.encode_ordinary(text), o2.encode_ordinary(text)
            f.write(json.dumps({"start": start, "end": end,
                                "cl100kCount": len(a), "cl100kHash": str(fnv1a(a)),
                                "o200kCount": len(b), "o200kHash": str(fnv1a(b))}) + "\n")
            blocks += 1
    print(f"scalar-sweep.jsonl: {blocks} blocks", file=sys.stderr)


if __name__ == "__main__":
    main()
