"""A Dutch query set for search (SPEC §17, v4): a small practice's notes written as coaches
write them, and for each query the notes it must find and those it must not. Used by
tests/test_search_dutch.py and bench/search_quality.py (recall and precision)."""

from __future__ import annotations

C = "clients"


def _client(name: str, reason: str, goals: list[str], body: str = "") -> str:
    lines = "\n".join(f"  - {goal}" for goal in goals)
    return (f"---\ntype: client\nname: {name}\nstatus: active\nintake_date: 2026-08-01\n"
            f"start_date: 2026-08-15\nreason: {reason}\ngoals:\n{lines}\n"
            f"assessment:\n  decision: no\n---\n\n# {name}\n\n{body}")


def _session(client: str, day: str, text: str, kind: str = "coaching") -> str:
    return (f"---\ntype: session\nclient: {client}\ndate: {day}\nkind: {kind}\n---\n\n"
            f"# Notities\n\n{text}\n")


NOTES = {
    f"{C}/noor/client.md": _client(
        "Noor Aydın", "Zoekt werk na een burn-out; solliciteren lukt nog niet",
        ["Solliciteren met vertrouwen", "Een baan vinden die past"],
        "## Aanpak\n\nOriënteren, onderzoeken en dan aan de slag.\n\n"
        "<!-- Schrijf hier de aanpak; het woord geheimehint staat alleen in deze uitleg -->\n"),
    f"{C}/noor/sessions/2026-10-05-coaching.md": _session(
        "noor", "2026-10-05", "Noor solliciteerde vorige week op twee vacatures. We lazen "
        "samen haar sollicitatiebrieven. De brief aan de gemeente was te lang."),
    f"{C}/noor/sessions/2026-10-19-coaching.md": _session(
        "noor", "2026-10-19", "Het sollicitatiegesprek bij de bibliotheek ging goed. Zij "
        "presenteerde zich rustig."),
    f"{C}/pieter/client.md": _client(
        "Pieter Bakker", "Te veel overwerk en een hoge werkdruk",
        ["Minder overwerken", "Grenzen aangeven bij de leidinggevende"]),
    f"{C}/pieter/sessions/2026-09-14-coaching.md": _session(
        "pieter", "2026-09-14", "Pieter heeft vorige maand veel overwerkt. De overwerkuren "
        "lopen op. Het teamoverleg op maandag kost hem energie."),
    f"{C}/pieter/sessions/2026-10-12-coaching.md": _session(
        "pieter", "2026-10-12", "Hij heeft zijn leidinggevende gesproken over de werkdruk. "
        "Het werkoverleg wordt korter. Hij heeft een hekel aan lange vergaderingen."),
    f"{C}/sanne/client.md": _client(
        "Sanne de Wit", "Haar afdeling wordt gereorganiseerd",
        ["Haar rol in de nieuwe organisatie kiezen"]),
    f"{C}/sanne/sessions/2026-09-01-coaching.md": _session(
        "sanne", "2026-09-01", "Sanne maakt zich zorgen over de reorganisatie en over de "
        "nieuwe teamleider."),
    f"{C}/sanne/sessions/2026-09-29-coaching.md": _session(
        "sanne", "2026-09-29", "Sanne presenteert haar plan aan de directie. De presentatie "
        "is volgende week; ze oefent met haar collega's."),
    f"{C}/sanne/sessions/2026-10-27-evaluation.md": _session(
        "sanne", "2026-10-27", "Het hek bij de ingang van het kantoor was dicht, dus ze kwam "
        "te laat. Werkelijk een rommelige dag.", kind="evaluation"),
    f"{C}/joost/client.md": _client(
        "Joost Visser", "Re-integratie na ziekte",
        ["Terugkeer in eigen werk", "Energie bewaken"]),
    f"{C}/joost/sessions/2026-10-01-coaching.md": _session(
        "joost", "2026-10-01", "Het re-integratietraject loopt. Joost werkt nu twintig uur "
        "en hij begeleidt een stagiair."),
    f"{C}/joost/sessions/2026-11-03-coaching.md": _session(
        "joost", "2026-11-03", "De begeleiding door de bedrijfsarts is goed. Hij wil zijn "
        "loopbaan heroverwegen; een loopbaancoach is genoemd."),
    f"{C}/eva/client.md": _client(
        "Eva Jansen", "Conflict in het team",
        ["Feedback geven", "Samenwerking herstellen"]),
    f"{C}/eva/sessions/2026-10-07-coaching.md": _session(
        "eva", "2026-10-07", "Eva gaf haar collega feedback. De samenwerking met het team "
        "verbetert en ze overlegt nu vaker."),
    f"{C}/eva/sessions/2026-11-04-coaching.md": _session(
        "eva", "2026-11-04", "Het overleg met de manager over de samenwerkingsafspraken was "
        "open. Ze schreef een brief aan het team."),
}

NOOR, N1005, N1019 = (f"{C}/noor/client.md", f"{C}/noor/sessions/2026-10-05-coaching.md",
                      f"{C}/noor/sessions/2026-10-19-coaching.md")
PIETER, P0914, P1012 = (f"{C}/pieter/client.md", f"{C}/pieter/sessions/2026-09-14-coaching.md",
                        f"{C}/pieter/sessions/2026-10-12-coaching.md")
SANNE, S0901, S0929, S1027 = (f"{C}/sanne/client.md",
                              f"{C}/sanne/sessions/2026-09-01-coaching.md",
                              f"{C}/sanne/sessions/2026-09-29-coaching.md",
                              f"{C}/sanne/sessions/2026-10-27-evaluation.md")
JOOST, J1001, J1103 = (f"{C}/joost/client.md", f"{C}/joost/sessions/2026-10-01-coaching.md",
                       f"{C}/joost/sessions/2026-11-03-coaching.md")
EVA, E1007, E1104 = (f"{C}/eva/client.md", f"{C}/eva/sessions/2026-10-07-coaching.md",
                     f"{C}/eva/sessions/2026-11-04-coaching.md")

# query -> (must find, must not find)
QUERIES: dict[str, tuple[set[str], set[str]]] = {
    # a verb's forms and its derivations
    "solliciteren": ({NOOR, N1005, N1019}, {PIETER, SANNE, S0929}),
    "solliciteerde": ({NOOR, N1005, N1019}, {PIETER, E1104}),
    "sollicitatie": ({NOOR, N1005, N1019}, {SANNE, JOOST}),
    "presenteren": ({N1019, S0929}, {SANNE, S0901}),
    "presentatie": ({S0929, N1019}, {S0901, EVA}),
    "reorganiseren": ({SANNE, S0901}, {JOOST, EVA}),
    "reorganisatie": ({SANNE, S0901}, {J1001}),
    "begeleiden": ({J1001, J1103}, {NOOR}),
    "begeleiding": ({J1001, J1103}, {E1007}),
    "overwerken": ({PIETER, P0914}, {P1012, E1104}),
    "overwerkt": ({PIETER, P0914}, {P1012}),
    "overwerk": ({PIETER, P0914}, {P1012, EVA}),
    "overleggen": ({E1007, E1104, P0914, P1012}, {NOOR, SANNE}),
    # nouns: plurals, and the compounds they are part of
    "brief": ({N1005, E1104}, {N1019, NOOR}),
    "brieven": ({N1005, E1104}, {N1019}),
    "sollicitatiebrief": ({N1005}, {N1019, E1104}),
    "sollicitatiegesprek": ({N1019}, {N1005}),
    "gesprek": ({N1019}, {S0929, P0914}),
    "overleg": ({P0914, P1012, E1007, E1104}, {NOOR, N1005}),
    "teamoverleg": ({P0914}, {E1104, P1012}),
    "werkoverleg": ({P1012}, {P0914}),
    "overwerkuren": ({P0914}, {P1012, SANNE}),
    "uren": ({P0914}, {S0929}),
    "werkdruk": ({PIETER, P1012}, {P0914, JOOST}),
    "druk": ({PIETER, P1012}, {N1005}),
    "teamleider": ({S0901}, {S0929}),
    "leider": ({S0901}, {EVA}),
    "team": ({P0914, S0901, EVA, E1007, E1104}, {NOOR, J1103}),
    "integratie": ({JOOST, J1001}, {NOOR}),
    "traject": ({J1001}, {NOOR, N1005}),
    "loopbaan": ({J1103}, {J1001}),
    "loopbaancoach": ({J1103}, {J1001, N1019}),
    "samenwerking": ({EVA, E1007, E1104}, {NOOR, PIETER}),
    "afspraak": ({E1104}, {E1007}),
    "afspraken": ({E1104}, {E1007}),
    "vergadering": ({P1012}, {P0914}),
    "vacature": ({N1005}, {N1019}),
    "leidinggevende": ({PIETER, P1012}, {P0914}),
    "collega": ({S0929, E1007}, {S0901}),
    "lang": ({N1005, P1012}, {S0901}),
    # not merely the same beginning: a word, not its neighbours
    "hek": ({S1027}, {P1012}),
    "hekel": ({P1012}, {S1027}),
    "werk": ({JOOST, J1001, PIETER, P0914, P1012, NOOR}, {S1027}),
    "werkelijk": ({S1027}, {JOOST, J1001, P1012}),
    # names with accents, the reason and the goals
    "aydin": ({NOOR}, {PIETER}),
    "Aydın": ({NOOR}, {EVA}),
    "ziekte": ({JOOST}, {NOOR}),
    "energie": ({JOOST, P0914}, {NOOR}),
    "feedback": ({EVA, E1007}, {E1104}),
    "vertrouwen": ({NOOR}, {PIETER}),
    # what a template explains is no text of the coach's
    "geheimehint": (set(), {NOOR}),
}

# query -> the note that must come first: the exact word above a form of it, the name,
# reason or goals above body text
FIRST = {
    "overleg": E1104,  # the exact word, above `overlegt`, `teamoverleg`, `werkoverleg`
    "samenwerking": EVA,  # in the goals, above the same word in a conversation
    "werkdruk": PIETER,  # in the reason, above the conversation
}
