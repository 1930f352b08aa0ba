"""Pictures in the pages (SPEC §19, issue #28): every diagram coachnotes writes is rendered by
real Mermaid (10.9 and 11) in headless Chromium, for vault-example/ and for a vault of hostile
names, and what Mermaid parsed is the trajectory: each conversation's date, the planned end."""

from __future__ import annotations

import html
import os
import re

import mermaid
import pytest

from conftest import TODAY, client_note, run_cli, session_note, settle

needs_mermaid = pytest.mark.skipif(
    mermaid.missing() is not None and not os.environ.get("COACHNOTES_REQUIRE_MERMAID"),
    reason=str(mermaid.missing()))


def pages(root):
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in root.rglob("*.md") if ".coachnotes" not in p.parts and
            p.name in ("README.md", "INDEX.md", "FOLLOW-UPS.md", "RESULTS.md")}


def diagrams(root) -> list[tuple[str, str]]:
    return [(rel, source) for rel, page in sorted(pages(root).items())
            for source in mermaid.blocks(page)]


def index(root, today=TODAY):
    done = run_cli("--vault", str(root), "index", "--today", today)
    assert done.returncode == 0, done.stderr


def assert_renders(found: list[tuple[str, str]]) -> dict[int, list]:
    assert mermaid.missing() is None, mermaid.missing()
    out = {}
    for version in mermaid.VERSIONS:
        rendered = mermaid.render([source for _rel, source in found], version)
        failed = [(rel, r.error, source) for (rel, source), r in zip(found, rendered)
                  if r.error or not r.svg]
        assert not failed, (version, failed)
        out[version] = rendered
    return out


@needs_mermaid
def test_every_diagram_of_the_example_vault_renders_in_mermaid_10_and_11(example_copy):
    index(example_copy)
    found = diagrams(example_copy)
    kinds = {next(line for line in source.splitlines() if not line.startswith("%%")).split()[0]
             for _rel, source in found}
    assert kinds == {"gantt", "xychart-beta"}
    assert any(rel == "FOLLOW-UPS.md" for rel, _s in found)
    assert any(rel == "RESULTS.md" for rel, _s in found)
    assert_renders(found)


HOSTILE = ["Jan: de Vries", "Piet #1; Bos", 'Zoë "Z" van \'t Hek', "[[Bram]] {x} (y)",
           "Ans %% de Wit", "<b>Kees</b> <script>x</script>", "Mr. " + "Heel-lang " * 12,
           "Ayşe Yılmaz-Çağlar", "end", "section"]


@needs_mermaid
def test_hostile_names_and_texts_render_and_are_kept_out_of_the_syntax(make_vault):
    files = {}
    for n, name in enumerate(HOSTILE):
        cid = f"c{n}"
        files[f"clients/{cid}/client.md"] = client_note(
            cid, name=name, status="follow-up", end_date="2026-10-01",
            goals=[name + " doel: %% #1", "Tweede <i>doel</i>; ja"],
            follow_ups=[{"due": "2026-12-01"}, {"due": "2027-04-01"}])
        files[f"clients/{cid}/sessions/2026-05-04-intake.md"] = session_note(
            cid, date="2026-05-04", kind="intake", scores=[3, 4])
        files[f"clients/{cid}/sessions/2026-10-01-coaching.md"] = session_note(
            cid, date="2026-10-01", number=1, scores=[8, 6],
            actions=[{"text": f"Bel {name}: 'nu' #%% <b>", "due": "2026-12-02"}])
        files[f"clients/{cid}/sessions/2026-11-20-follow-up.md"] = session_note(
            cid, date="2026-11-20", kind="follow-up", scores=[5, 6])
    root = make_vault(files, settings="language: nl\n")
    index(root)
    found = diagrams(root)
    assert len(found) >= len(HOSTILE) * 3
    for _rel, source in found:
        if source.startswith("%%{init:"):  # our own directive (the palette), first line
            source = source.split("\n", 1)[1]
        assert "<b>" not in source and "%%" not in source and "<script" not in source
        for line in source.splitlines()[1:]:
            if re.match(r"\s+(title|section) ", line):
                assert ":" not in line and "#" not in line and ";" not in line
            elif re.match(r"\s+\S.* :", line):  # a task: one colon, its metadata after it
                assert line.count(":") == 1 and "#" not in line and ";" not in line, line
    assert_renders(found)


@needs_mermaid
def test_the_gantt_holds_each_conversation_and_the_planned_end(make_vault):
    dates = ["2026-05-04", "2026-06-01", "2026-07-06", "2026-09-14"]
    files = {"clients/jan/client.md": client_note(start_date="2026-05-04",
                                                  intake_date="2026-04-20")}
    for n, day in enumerate(dates, 1):
        files[f"clients/jan/sessions/{day}-coaching.md"] = session_note(date=day, number=n)
    files["clients/jan/sessions/2026-12-14-coaching.md"] = session_note(date="2026-12-14",
                                                                        number=5)
    root = make_vault(files, settings="language: nl\n")
    index(root)
    (source,) = [s for rel, s in diagrams(root) if rel == "clients/jan/README.md"]
    for version, (rendered,) in assert_renders([("jan", source)]).items():
        starts = {start for _task, start, _end in rendered.tasks}
        assert set(dates) | {"2026-12-14", "2026-04-20"} <= starts, (version, rendered.tasks)
        planned = [t for t in rendered.tasks if t[0].strip() == "Geplande looptijd"]
        assert planned and planned[0][1:] == ("2026-05-04", "2026-11-04"), rendered.tasks
        assert "coachgesprek 4" in rendered.svg


@needs_mermaid
def test_the_results_chart_shows_each_goal_and_its_moments(make_vault):
    root = make_vault({
        "clients/jan/client.md": client_note(status="follow-up", end_date="2026-09-01",
                                             goals=["Grenzen stellen"],
                                             follow_ups=[{"due": "2026-11-01"}]),
        "clients/jan/sessions/2026-01-12-intake.md": session_note(
            date="2026-01-12", kind="intake", scores=[3]),
        "clients/jan/sessions/2026-09-01-coaching.md": session_note(
            date="2026-09-01", number=1, scores=[8]),
        "clients/jan/sessions/2026-11-02-follow-up.md": session_note(
            date="2026-11-02", kind="follow-up", scores=[7])}, settings="language: nl\n")
    index(root)
    (chart,) = [s for rel, s in diagrams(root) if rel == "clients/jan/README.md"
                and "xychart-beta" in s]
    assert "line [3, 8, 7]" in chart
    for rendered in assert_renders([("jan", chart)]).values():
        svg = rendered[0].svg
        for word in ("Grenzen stellen", "Start", "Einde", "Terugkom 1"):
            assert word in svg, word


def test_no_diagram_without_dates_none_with_charts_off_and_the_same_text_every_day(
        make_vault):
    root = make_vault({"clients/jan/client.md": "---\ntype: client\nname: Jan\nstatus: intake\n"
                       "---\n",
                       "clients/piet/client.md": client_note("piet", name="Piet"),
                       "clients/piet/sessions/2026-11-02-coaching.md": session_note(
                           "piet", date="2026-11-02", number=1,
                           actions=[{"text": "Bellen", "due": "2026-12-01"}])})
    index(root)
    assert "```mermaid" not in pages(root)["clients/jan/README.md"]
    first = {rel: mermaid.blocks(page) for rel, page in pages(root).items()
             if rel.startswith("clients/")}
    assert first["clients/piet/README.md"]
    index(root, "2026-11-28")
    assert {rel: mermaid.blocks(page) for rel, page in pages(root).items()
            if rel.startswith("clients/")} == first  # no today in a client's diagram
    (root / "coachnotes.yml").write_text("language: en\nretention_years: 2\ncharts: no\n")
    settle()
    index(root)
    assert not [rel for rel, page in pages(root).items() if "```mermaid" in page]


@needs_mermaid
def test_a_long_trajectory_and_a_busy_fortnight_stay_under_5000_characters(make_vault):
    import datetime as dt

    files = {"clients/jan/client.md": client_note(planned_sessions=300,
                                                  start_date="2020-01-06")}
    for n in range(1, 201):
        day = dt.date(2020, 1, 6) + dt.timedelta(days=7 * n)
        files[f"clients/jan/sessions/{day}-coaching.md"] = session_note(
            date=day.isoformat(), number=n)
    for n in range(60):
        files[f"clients/c{n}/client.md"] = client_note(f"c{n}", name=f"Cliënt nummer {n}")
        files[f"clients/c{n}/sessions/2026-11-02-coaching.md"] = session_note(
            f"c{n}", date="2026-11-02", number=1,
            actions=[{"text": f"Actie {k} met een wat langere omschrijving", "due":
                      (dt.date(2026, 11, 27) + dt.timedelta(days=k % 14)).isoformat()}
                     for k in range(5)])
    root = make_vault(files, settings="language: nl\n")
    index(root)
    found = diagrams(root)
    assert max(len(source) for _rel, source in found) <= 5000
    (jan,) = [s for rel, s in found if rel == "clients/jan/README.md"]
    assert "(200)" in jan  # the conversations summarised as one bar
    assert_renders([(rel, s) for rel, s in found if rel in ("clients/jan/README.md",
                                                           "FOLLOW-UPS.md")])


@needs_mermaid
def test_score_lines_are_dark_enough_overdue_and_planned_differ_and_signs_stay(make_vault):
    """SPEC §19 (v4): the lines in a palette with ≥ 3:1 contrast on light and dark pages
    (Mermaid's default is a pale lavender), an overdue follow-up red and a planned one not,
    `%` and `×` kept in labels, no empty brackets."""
    root = make_vault({
        "clients/jan/client.md": client_note(status="follow-up", end_date="2026-09-01",
                                             goals=["Werkdruk × 2 omlaag, 50% minder"],
                                             follow_ups=[{"due": "2026-11-01"},
                                                         {"due": "2027-03-01"}]),
        "clients/jan/sessions/2026-01-12-intake.md": session_note(
            date="2026-01-12", kind="intake", scores=[3]),
        "clients/jan/sessions/2026-09-01-coaching.md": session_note(
            date="2026-09-01", number=1, scores=[8]),
        "clients/piet/client.md": client_note("piet", name="Piet", status="follow-up",
                                              end_date="2026-06-01", goals=["Rust"],
                                              follow_ups=[{"due": "2026-09-01"}]),
        "clients/piet/sessions/2026-01-12-intake.md": session_note(
            "piet", date="2026-01-12", kind="intake", scores=[4]),
        "clients/piet/sessions/2026-06-01-coaching.md": session_note(
            "piet", date="2026-06-01", number=1, scores=[8]),
        "clients/piet/sessions/2026-09-02-follow-up.md": session_note(
            "piet", date="2026-09-02", kind="follow-up", scores=[7])},
        settings="language: nl\n")
    index(root)
    found = dict(diagrams(root))
    gantt = [s for rel, s in diagrams(root) if rel == "clients/jan/README.md"
             and "gantt" in s][0]
    assert ":crit, milestone, 2026-11-01" in gantt and ":active, milestone, 2027-03-01" in gantt
    chart = [s for rel, s in diagrams(root) if rel == "clients/jan/README.md"
             and "xychart-beta" in s][0]
    assert "× 2" in chart and "50%" in chart
    results = found["RESULTS.md"]
    assert "(%)" in results and "( )" not in results
    for version, rendered in assert_renders([("jan", chart), ("results", results),
                                             ("gantt", gantt)]).items():
        line, bars, tasks = rendered
        assert "#1f77b4" in line.svg.lower(), version  # not Mermaid's pale default
        assert "(%)" in html.unescape(bars.svg), version
        assert "crit" in tasks.svg and "active" in tasks.svg, version
