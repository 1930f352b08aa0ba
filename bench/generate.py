"""A seeded generator of large, realistic vaults for benchmarks.

    python bench/generate.py OUT --clients 1000 [--seed 7]

The mix per client (documented so figures can be compared between runs):
  status   : active 30 %, intake 10 %, follow-up 25 %, closed 30 %, declined 5 %
  sessions : declined/intake 1 (the intake); otherwise an intake, 3–8 coaching sessions
             (active: 1–7), an assessment in 50 %, a tripartite in 30 %, an evaluation once
             regular sessions ended, and 0–1 follow-up sessions for follow-up/closed clients
  actions  : 0–3 per coaching session, half with a due date, a third of those done
  follow-ups: two entries for follow-up/closed clients (a tenth left unplanned: W103)
  body     : 600–2,500 characters of Dutch-looking prose per note
About 7 notes per client: 1,000 clients ≈ 7,000 notes, 10,000 clients ≈ 70,000 notes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

WORDS = ("gesprek doel werk team leidinggevende feedback energie rust overzicht plannen grenzen "
         "afspraak inzicht patroon verandering rol loopbaan presenteren samenwerking vertrouwen "
         "keuze stap week collega organisatie ontwikkeling reflectie voorbereiding").split()
FIRST = ("Anouk Bram Chantal Dennis Eva Farid Gerda Hans Ilse Joost Karin Lucas Zoë Mehmet "
         "Sanne").split()
LAST = "de Graaf Hoekstra Bakker van Leeuwen Jansen el Amrani Smit Visser Mulder de Boer".split(" ")
ORGS = ["Gemeente Utrecht", "Rabobank", "UMC Utrecht", "KPN", "ASML", "Belastingdienst"]


def prose(rng: random.Random) -> str:
    size = rng.randint(600, 2500)
    out, length = [], 0
    while length < size:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 16))).capitalize() + "."
        out.append(sentence)
        length += len(sentence) + 1
    return "## Aantekeningen\n\n" + " ".join(out) + "\n"


def generate(out: Path, clients: int, seed: int, today: dt.date) -> int:
    rng = random.Random(seed)
    (out / "clients").mkdir(parents=True, exist_ok=True)
    (out / "coachnotes.yml").write_text("coach: Bench\nlanguage: nl\n")
    notes = 0
    for n in range(clients):
        cid = f"client-{n:05d}"
        folder = out / "clients" / cid
        (folder / "sessions").mkdir(parents=True, exist_ok=True)
        status = rng.choices(["active", "intake", "follow-up", "closed", "declined"],
                             [30, 10, 25, 30, 5])[0]
        intake = today - dt.timedelta(days=rng.randint(10, 900))
        lines = ["type: client", f"name: {rng.choice(FIRST)} {rng.choice(LAST)} {n}",
                 f"status: {status}", f"organization: {rng.choice(ORGS)}",
                 f"intake_date: {intake.isoformat()}"]
        sessions = [(intake, "intake", None)]
        if status not in ("intake", "declined"):
            start = intake + dt.timedelta(days=14)
            lines += [f"start_date: {start.isoformat()}", "reason: Feedback over plannen",
                      "goals:", "  - Beter prioriteren", "  - Grenzen aangeven",
                      f"assessment:\n  decision: {rng.choice(['yes', 'no', 'open'])}"]
            count = rng.randint(1, 7) if status == "active" else rng.randint(3, 8)
            day = start
            for k in range(1, count + 1):
                sessions.append((day, "coaching", k))
                day += dt.timedelta(days=rng.randint(14, 28))
            if rng.random() < 0.5:
                sessions.append((start + dt.timedelta(days=20), "assessment", None))
            if rng.random() < 0.3:
                sessions.append((start + dt.timedelta(days=45), "tripartite", None))
            if status in ("follow-up", "closed"):
                end = day
                sessions.append((end, "evaluation", None))
                lines.append(f"end_date: {end.isoformat()}")
                if rng.random() < 0.9:
                    lines += ["follow_ups:",
                              f"  - due: {(end + dt.timedelta(days=91)).isoformat()}",
                              f"  - due: {(end + dt.timedelta(days=182)).isoformat()}"]
                    for k in range(rng.randint(0, 1)):
                        sessions.append((end + dt.timedelta(days=95 + 91 * k), "follow-up", None))
        (folder / "client.md").write_text("---\n" + "\n".join(lines) + "\n---\n\n" + prose(rng))
        notes += 1
        for index, (date, kind, number) in enumerate(sorted(sessions, key=lambda s: s[0])):
            fm = ["type: session", f"client: {cid}", f"date: {date.isoformat()}", f"kind: {kind}",
                  "duration: 60"]
            if number:
                fm.append(f"number: {number}")
            if index == len(sessions) - 1 and status in ("active", "intake"):
                fm.append(f"next: {(date + dt.timedelta(days=21)).isoformat()}")
            if kind == "coaching" and rng.random() < 0.7:
                fm.append("actions:")
                for a in range(rng.randint(1, 3)):
                    if rng.random() < 0.5:
                        fm.append(f"  - Actie {a} uitvoeren")
                    else:
                        due = date + dt.timedelta(days=rng.randint(3, 30))
                        fm += [f"  - text: Actie {a} met datum", f"    due: {due.isoformat()}",
                               f"    done: {'true' if rng.random() < 0.33 else 'false'}"]
            name = f"{date.isoformat()}-{kind}{'' if number is None else f'-{number}'}.md"
            (folder / "sessions" / name).write_text("---\n" + "\n".join(fm) + "\n---\n\n" +
                                                    prose(rng))
            notes += 1
    return notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--today", default="2026-11-27")
    args = parser.parse_args()
    notes = generate(args.out, args.clients, args.seed, dt.date.fromisoformat(args.today))
    print(f"{args.out}: {args.clients} clients, {notes} notes")


if __name__ == "__main__":
    main()
