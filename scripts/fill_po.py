"""Fill empty English msgstr entries of a .po catalogue from a JSON dictionary.

    python scripts/fill_po.py path/to/django.po translations.json

Only entries whose msgstr is empty are touched; multi-line msgids are joined first.
A development helper for maintainers; the app never runs it.
"""

import json
import re
import sys


def unquote(line: str) -> str:
    return json.loads(line)


def main(po_path: str, dict_path: str) -> None:
    with open(dict_path, encoding="utf-8") as handle:
        table = json.load(handle)
    with open(po_path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    out, i, missing = [], 0, []
    while i < len(lines):
        line = lines[i]
        if line.startswith("msgid "):
            msgid_lines = [line]
            i += 1
            while i < len(lines) and lines[i].startswith('"'):
                msgid_lines.append(lines[i])
                i += 1
            msgid = "".join(unquote(x.removeprefix("msgid ")) for x in msgid_lines)
            out.extend(msgid_lines)
            if i < len(lines) and lines[i].startswith("msgstr "):
                msgstr_lines = [lines[i]]
                i += 1
                while i < len(lines) and lines[i].startswith('"'):
                    msgstr_lines.append(lines[i])
                    i += 1
                current = "".join(unquote(x.removeprefix("msgstr ")) for x in msgstr_lines)
                if msgid and not current:
                    if msgid in table:
                        out.append("msgstr " + json.dumps(table[msgid], ensure_ascii=False))
                        continue
                    missing.append(msgid)
                out.extend(msgstr_lines)
            continue
        out.append(line)
        i += 1
    text = "\n".join(out)
    text = re.sub(r'^"Language: \\n"$', '"Language: en\\\\n"', text, flags=re.M)
    with open(po_path, "w", encoding="utf-8") as handle:
        handle.write(text)
    for m in missing:
        print("MISSING:", m)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
