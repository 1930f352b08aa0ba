"""Results that last (SPEC §18): scores at the start, the end and each follow-up; E026, W116,
W117; the client's Results table; `coachnotes results` counts what a direct recount counts."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TODAY, client_note, run_cli, session_note, write_files

GOALS = ["Grenzen stellen", "Overzicht houden"]


def trajectory(start, end, follow, **client):
    """A closed-down trajectory: intake scored `start`, last coaching `end`, one follow-up."""
    files = {
        "clients/jan/client.md": client_note(status="follow-up", goals=GOALS,
                                             end_date="2026-06-30",
                                             follow_ups=[{"due": "2026-09-30"}], **client),
        "clients/jan/sessions/2026-01-05-intake.md": session_note(
            date="2026-01-05", kind="intake", scores=start),
        "clients/jan/sessions/2026-06-30-coaching.md": session_note(
            date="2026-06-30", number=1, scores=end),
    }
    if follow is not None:
        files["clients/jan/sessions/2026-09-30-follow-up.md"] = session_note(
            date="2026-09-30", kind="follow-up", scores=follow)
    return files


def problems(root):
    out = run_cli("--vault", str(root), "check", "--json", "--today", TODAY).stdout
    return [(p["path"].rpartition("/")[2], p["code"], p["message"]) for p in json.loads(out)]


def test_a_result_that_did_not_last_is_W117_on_the_follow_up_naming_the_goal(make_vault):
    root = make_vault(trajectory([3, 4], [8, 7], [5, 7]))
    found = [p for p in problems(root) if p[1].startswith(("W11", "E02"))]
    assert found == [("2026-09-30-follow-up.md", "W117",
                      "'Grenzen stellen' fell from 8 at the end to 5: the result did not last "
                      "— talk about it")]
    page = (root / "clients/jan/README.md")
    run_cli("--vault", str(root), "index", "--today", TODAY)
    text = page.read_text()
    assert "| Grenzen stellen | 3 | 8 | 5 | ↓ |" in text
    assert "| Overzicht houden | 4 | 7 | 7 | ↑ |" in text


def test_missing_and_impossible_scores_are_named(make_vault):
    root = make_vault(trajectory([3, 4, 5], [11, 7], None))
    codes = {(p[0], p[1]) for p in problems(root)}
    assert ("2026-01-05-intake.md", "E026") in codes  # three scores, two goals
    assert ("2026-06-30-coaching.md", "E026") in codes  # 11 is no rating
    root = make_vault(trajectory([3, 4], None, None))
    assert ("client.md", "W116") in {(p[0], p[1]) for p in problems(root)}  # no end score
    files = trajectory([3, 4], [6, 6], [6, 6])
    files["clients/jan/sessions/2026-09-30-follow-up.md"] = session_note(
        date="2026-09-30", kind="follow-up")
    root = make_vault(files)
    assert ("2026-09-30-follow-up.md", "W116") in {(p[0], p[1]) for p in problems(root)}


def test_results_counts_the_practice_and_names_the_unmeasured(make_vault):
    files = trajectory([3, 4], [8, 7], [5, 7], organization="KPN")
    write_more = {"clients/piet/client.md": client_note("piet", name="Piet", status="closed",
                                                        end_date="2026-05-01", goals=GOALS,
                                                        follow_ups=[{"due": "2026-08-01"}])}
    root = make_vault({**files, **write_more})
    groups = json.loads(run_cli("--vault", str(root), "results", "--json", "--today",
                                TODAY).stdout)
    assert groups == [{"group": "2026", "trajectories": 2, "not_measured": 1, "goals": 2,
                       "improved": 2, "held": 1, "fallen": 1, "mean_change": 4.0,
                       "mean_change_since_end": -1.5}]
    by_org = json.loads(run_cli("--vault", str(root), "results", "--by", "organization",
                                "--json", "--today", TODAY).stdout)
    assert [(g["group"], g["trajectories"]) for g in by_org] == [("?", 1), ("KPN", 1)]


score = st.one_of(st.none(), st.integers(0, 10))


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.lists(score, min_size=2, max_size=2),
                          st.lists(score, min_size=2, max_size=2),
                          st.one_of(st.none(), st.lists(score, min_size=2, max_size=2))),
                min_size=1, max_size=5))
def test_the_totals_equal_a_direct_recount(tmp_path_factory, clients):
    root = tmp_path_factory.mktemp("v")
    (root / "coachnotes.yml").write_text("language: en\nretention_years: 2\n")
    expect = {"trajectories": 0, "not_measured": 0, "goals": 0, "improved": 0, "held": 0,
              "fallen": 0}
    changes, since = [], []
    for n, (start, end, follow) in enumerate(clients):
        files = trajectory(start, end, follow)
        write_files(root, {k.replace("clients/jan/", f"clients/c{n}/"): v.replace(
            "client: jan", f"client: c{n}") for k, v in files.items()})
        expect["trajectories"] += 1
        pairs = [(s, e, f) for s, e, f in zip(start, end, follow or [None, None])
                 if s is not None and e is not None]
        expect["not_measured"] += not pairs
        for s, e, f in pairs:
            expect["goals"] += 1
            expect["improved"] += e > s
            changes.append(e - s)
            if f is not None:
                since.append(f - e)
                expect["held" if e - f < 2 else "fallen"] += 1
    (group,) = json.loads(run_cli("--vault", str(root), "results", "--json", "--today",
                                  TODAY).stdout)
    assert {k: group[k] for k in expect} == expect
    assert group["mean_change"] == (round(sum(changes) / len(changes), 2) if changes else None)
    assert group["mean_change_since_end"] == (round(sum(since) / len(since), 2) if since
                                              else None)


def test_watch_keeps_RESULTS_md_current_after_a_save(make_vault):
    import datetime as dt

    from coachnotes.watch import VaultState

    root = make_vault(trajectory([3, 4], [8, 7], [8, 7]))
    state = VaultState(root, lambda: dt.date.fromisoformat(TODAY))
    rebuild, pages = state.rebuild(state.load())
    state.write(pages, rebuild)
    assert "| 2026 | 1 | 0 | 2 | 2 | 2 | 0 | +4.00 | +0.00 |" in (root / "RESULTS.md").read_text()
    note = root / "clients/jan/sessions/2026-09-30-follow-up.md"
    note.write_text(session_note(date="2026-09-30", kind="follow-up", scores=[5, 7]))
    rebuild, pages = state.rebuild(state.apply([str(note)]))
    state.write(pages, rebuild)
    assert "RESULTS.md" in rebuild.written
    assert "| 2026 | 1 | 0 | 2 | 2 | 1 | 1 | +4.00 | -1.50 |" in (root / "RESULTS.md").read_text()


def test_close_reminds_of_the_end_score(make_vault):
    root = make_vault({
        "clients/jan/client.md": client_note(goals=GOALS),
        "clients/jan/sessions/2026-01-05-intake.md": session_note(
            date="2026-01-05", kind="intake", scores=[3, 4]),
    })
    closed = run_cli("--vault", str(root), "close", "jan", "--today", TODAY)
    assert closed.returncode == 0, closed.stderr
    assert "No end score yet for: Grenzen stellen; Overzicht houden" in closed.stderr


def test_show_prints_each_goals_scores_and_direction(make_vault):
    root = make_vault(trajectory([3, None], [8, 7], [5, None]))
    shown = run_cli("--vault", str(root), "show", "jan", "--today", TODAY).stdout
    block = shown[shown.index("Results (0–10)"):].split("\n\n")[0].splitlines()
    assert block[1:] == ["  Grenzen stellen: start 3 · end 8 · follow-up 1: 5  ↓",
                         "  Overzicht houden: start 7 · end – · follow-up 1: –  ="]  # one score
    unscored = make_vault({"clients/jan/client.md": client_note(goals=GOALS)})
    assert "Results" not in run_cli("--vault", str(unscored), "show", "jan", "--today",
                                     TODAY).stdout
