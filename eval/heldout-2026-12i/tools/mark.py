#!/usr/bin/env python3
"""mark.py FILE SURFACE KEY [TYPE IDTYPE]: wrap every free (unmarked) occurrence of SURFACE
(word-bounded for Latin/Cyrillic) in markup of entity KEY."""
import re, sys
PAT = re.compile(r"(\[\[[^\]]+\]\])")
f, surf, key = sys.argv[1:4]
typ = "|".join(sys.argv[4:6]) + "|" if len(sys.argv) > 5 else ""
src = open(f, encoding="utf-8").read()
parts = PAT.split(src); n = 0
b = r"(?<![\w])" if surf[0].isascii() or re.match(r"[А-Яа-яЁё]", surf[0]) else ""
e = r"(?![\w])" if b else ""
for i in range(0, len(parts), 2):
    def rep(m):
        global n, typ
        n += 1; s = f"[[{key}|{typ}{m.group(0)}]]"; typ = ""; return s
    parts[i] = re.sub(b + re.escape(surf) + e, rep, parts[i])
open(f, "w", encoding="utf-8").write("".join(parts))
print(n, "marked", surf)
