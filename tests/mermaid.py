"""Real Mermaid in headless Chromium, for the tests of the diagrams coachnotes writes.

`render(sources, version)` renders each diagram with Mermaid `version` (10 or 11: the oldest and
newest the hosts and Obsidian draw with; both at once, in two frames of one page), and returns
for each its SVG and, for a `gantt`, Mermaid's own parsed tasks (name, start, end as
YYYY-MM-DD), or the error Mermaid threw. `.ci/run` installs Debian's `chromium` and the pinned
npm packages of `tests/mermaid/package.json` (into `tests/mermaid/node_modules`, which git
ignores).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

HERE = Path(__file__).resolve().parent / "mermaid"
BLOCK = re.compile(r"^```mermaid[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
VERSIONS = (10, 11)
INSTALL = ("install them with `bash .ci/run`, or: apt-get install chromium; "
           "npm ci --prefix tests/mermaid")


class Rendered(NamedTuple):
    svg: str | None
    error: str | None
    tasks: list[tuple[str, str, str]]  # a gantt's: (task, start, end)


def script(version: int) -> Path:
    return HERE / "node_modules" / f"mermaid{version}" / "dist" / "mermaid.min.js"


def browser() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def missing() -> str | None:
    """Why the real thing cannot run here, or None."""
    if browser() is None:
        return "no chromium: " + INSTALL
    for version in VERSIONS:
        if not script(version).is_file():
            return f"no Mermaid {version}: " + INSTALL
    return None


def blocks(text: str) -> list[str]:
    return [m.group(1) for m in BLOCK.finditer(text)]


_PAGE = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<pre id="out">pending</pre>
<script src="{script}"></script>
<script>
const sources = {sources};
function day(d) {{
  const p = n => String(n).padStart(2, '0');
  return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate());
}}
mermaid.initialize({{startOnLoad: false, securityLevel: 'strict'}});
(async () => {{
  const results = [];
  for (let i = 0; i < sources.length; i++) {{
    try {{
      const r = await mermaid.render('d' + i, sources[i]);
      let tasks = [];
      if (sources[i].trim().startsWith('gantt')) {{
        const diagram = await mermaid.mermaidAPI.getDiagramFromText(sources[i]);
        tasks = diagram.db.getTasks().map(t => [t.task, day(t.startTime), day(t.endTime)]);
      }}
      results.push({{svg: r.svg, tasks: tasks}});
    }} catch (e) {{
      results.push({{error: String(e && e.message || e).split('\\n').slice(0, 4).join(' ')}});
    }}
  }}
  document.getElementById('out').textContent = 'RESULTS' + JSON.stringify(results);
}})();
</script></body></html>"""


_BOTH = """<!doctype html><html><head><meta charset="utf-8"></head><body>
<pre id="out">pending</pre>
{frames}
<script>
const names = {names};
const timer = setInterval(() => {{
  const texts = names.map(name => {{
    try {{
      return document.getElementById(name).contentDocument.getElementById('out').textContent;
    }} catch (e) {{
      return '';
    }}
  }});
  if (texts.every(text => text.startsWith('RESULTS'))) {{
    clearInterval(timer);
    document.getElementById('out').textContent =
      'RESULTS' + JSON.stringify(texts.map(text => JSON.parse(text.slice(7))));
  }}
}}, 50);
</script></body></html>"""

_rendered: dict[tuple[str, ...], dict[int, list[Rendered]]] = {}


def render(sources: list[str], version: int) -> list[Rendered]:
    """Each diagram of `sources` as Mermaid `version` draws it. Every version renders them at
    the first call, each in a frame of one page of one browser (a launch costs a second)."""
    if not sources:
        return []
    key = tuple(sources)
    if key not in _rendered:
        _rendered[key] = dict(zip(VERSIONS, _render_all(sources)))
    return _rendered[key][version]


def _render_all(sources: list[str]) -> list[list[Rendered]]:
    with tempfile.TemporaryDirectory() as folder:
        names = [f"mermaid{version}" for version in VERSIONS]
        for name, version in zip(names, VERSIONS):
            (Path(folder) / f"{name}.html").write_text(_PAGE.format(
                script=script(version).as_uri(), sources=json.dumps(sources)),
                encoding="utf-8")
        page = Path(folder) / "page.html"
        page.write_text(_BOTH.format(names=json.dumps(names), frames="".join(
            f'<iframe id="{name}" src="{name}.html" width="800" height="600"></iframe>'
            for name in names)), encoding="utf-8")
        done = subprocess.run(
            [browser(), "--headless", "--no-sandbox", "--disable-gpu",
             "--allow-file-access-from-files", f"--user-data-dir={folder}/profile",
             "--virtual-time-budget=60000", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=300,
            env={**os.environ, "TZ": os.environ.get("TZ", "Europe/Amsterdam")})
    found = re.search(r'<pre id="out">RESULTS(\[.*?\])</pre>', done.stdout, re.S)
    if not found:
        raise AssertionError(f"Mermaid never finished: {done.stderr[-2000:]}")
    return [[_rendered_item(item) for item in results]
            for results in json.loads(html.unescape(found.group(1)))]


def _rendered_item(item: dict) -> Rendered:
    error = item.get("error")
    svg = item.get("svg")
    if svg and "Syntax error" in svg:
        error, svg = "syntax error", None
    return Rendered(svg, error, [tuple(t) for t in item.get("tasks", [])])
