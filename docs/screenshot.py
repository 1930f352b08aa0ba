"""The README's picture of a client's page: vault-example's page of Farid el Amrani (a trajectory
with follow-ups and scores), drawn as a Markdown host would, by real Mermaid 11 in headless
Chromium: `.venv/bin/python docs/screenshot.py` writes docs/images/client-page.png.

Needs chromium and tests/mermaid/node_modules (see .ci/run). The Markdown is turned into
HTML by a few lines here (headings, paragraphs, lists, tables, Mermaid blocks): enough for
the pages coachnotes writes.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "vault-example/clients/farid-el-amrani/README.md"
MERMAID = REPO / "tests/mermaid/node_modules/mermaid11/dist/mermaid.min.js"
OUT = REPO / "docs/images/client-page.png"
STYLE = """body{font:15px/1.5 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1f2328;
max-width:880px;margin:24px auto;padding:0 24px}h1{border-bottom:1px solid #d1d9e0;
padding-bottom:.3em}h2{border-bottom:1px solid #d1d9e0;padding-bottom:.3em;font-size:1.4em}
table{border-collapse:collapse}td,th{border:1px solid #d1d9e0;padding:4px 12px}
a{color:#0969da;text-decoration:none}code{background:#eff1f3;padding:.1em .3em;border-radius:4px}"""


def inline(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r'<a href="\2">\1</a>', text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", text)


def to_html(markdown: str) -> str:
    out, lines, i = [], markdown.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("```mermaid"):
            end = lines.index("```", i + 1)
            out.append('<pre class="mermaid">' + html.escape("\n".join(lines[i + 1:end]))
                       + "</pre>")
            i = end + 1
            continue
        if line.startswith("|"):
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                if not re.match(r"^\|(-+\|)+$", lines[i]):
                    rows.append([inline(c.strip()) for c in lines[i].strip("|").split(" | ")])
                i += 1
            out.append("<table>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r)
                                            + "</tr>" for r in rows) + "</table>")
            continue
        heading = re.match(r"^(#+) (.*)", line)
        if heading:
            level = len(heading.group(1))
            out.append(f"<h{level}>{inline(heading.group(2))}</h{level}>")
        elif line.startswith("- "):
            out.append(f"<ul><li>{inline(line[2:])}</li></ul>")
        elif line.strip() and not line.startswith("<!--"):
            out.append(f"<p>{inline(line)}</p>")
        i += 1
    return "\n".join(out)


def main() -> None:
    body = to_html(PAGE.read_text(encoding="utf-8"))
    page = (f'<!doctype html><html><head><meta charset="utf-8"><style>{STYLE}</style>'
            f'<script src="{MERMAID.as_uri()}"></script></head><body>{body}<script>'
            "mermaid.initialize({startOnLoad: true, securityLevel: 'strict'});"
            "</script></body></html>")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "page.html"
        source.write_text(page, encoding="utf-8")
        OUT.parent.mkdir(exist_ok=True)
        subprocess.run([shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu",
                        "--allow-file-access-from-files", f"--user-data-dir={folder}/p",
                        "--hide-scrollbars", "--virtual-time-budget=20000",
                        "--window-size=960,1500", f"--screenshot={OUT}", source.as_uri()],
                       check=True, capture_output=True)
    print(OUT)


if __name__ == "__main__":
    main()
