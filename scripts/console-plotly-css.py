#!/usr/bin/env python3
"""Writes the console's plotly.css: the style rules plotly.js inserts into a <style> element of its own when it
loads (src/build/plotcss.js), which the console's Content-Security-Policy (`style-src 'self'`) refuses.

plotly.js skips that insertion when the page has an element `#plotly.js-style-global.no-inline-styles` (the
console's <link> to this file), so the same rules come from a file on the console's own origin instead.
Run it again when scripts/setup-plotly.sh pins another plotly:

    python3 scripts/console-plotly-css.py ~/.cache/pillar/vendor/plotly.min.js > Sources/PillarServer/Public/console/plotly.css
"""
import re
import sys

bundle = open(sys.argv[1], encoding="utf-8").read()
version = re.search(r"plotly\.js v([0-9][^\s*]*)", bundle)
start = bundle.index('{"X,X div"')
# The object literal of selector → declarations: keys in double quotes, values in single or double quotes.
depth, quote, end = 0, None, start
while True:
    char = bundle[end]
    if quote:
        if char == "\\":
            end += 1
        elif char == quote:
            quote = None
    elif char in "\"'":
        quote = char
    elif char == "{":
        depth += 1
    elif char == "}":
        depth -= 1
        if depth == 0:
            break
    end += 1
literal = bundle[start + 1:end]
# A key the minifier could leave bare (`Y:`) has no quotes.
pairs = re.findall(
    r'(?:^|,)(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_$][\w$]*)):(?:\'((?:[^\'\\]|\\.)*)\'|"((?:[^"\\]|\\.)*)")', literal)
if not pairs:
    sys.exit("no plotly style rules found")
# The bundle inserts each rule at index 0, so the sheet ends up in the reverse of the object's order.
rules = []
for quoted, bare, single, double in reversed(pairs):
    selector = (quoted or bare).replace("\\\"", "\"")
    selector = re.sub(r"^,", " ,", selector).replace("X", ".js-plotly-plot .plotly").replace("Y", ".plotly-notifier")
    declarations = (single or double).replace("\\\"", "\"").replace("\\'", "'")
    rules.append(f"{selector}{{{declarations}}}")
print(f"/* plotly.js {version.group(1) if version else '?'} (MIT licence, Copyright Plotly, Inc.): the rules of its src/build/plotcss.js,")
print("   served from the console's origin because the Content-Security-Policy refuses inline <style>.")
print("   Written by scripts/console-plotly-css.py; do not edit by hand. */")
print("\n".join(rules))
