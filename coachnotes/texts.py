"""The words coachnotes writes into a vault's language (nl or en): due texts and page labels."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "nl": {
        "follow-up": "Terugkomgesprek {n} houden",
        "plan-follow-up": "Terugkomgesprekken plannen",
        "session": "Vervolggesprek",
        "status.intake": "Intake", "status.active": "Actief", "status.follow-up": "Terugkomfase",
        "status.closed": "Afgerond", "status.declined": "Niet gestart",
        "kind.intake": "intakegesprek", "kind.coaching": "coachgesprek",
        "kind.assessment": "assessment", "kind.evaluation": "evaluatiegesprek",
        "kind.tripartite": "driegesprek", "kind.follow-up": "terugkomgesprek",
        "index.title": "Cliënten", "followups.title": "Terugkomgesprekken en wat er verder speelt",
        "col.client": "Cliënt", "col.organization": "Organisatie", "col.sessions": "Gesprekken",
        "col.start": "Start", "col.planned_end": "Gepland einde", "col.next": "Volgende",
        "col.problems": "Meldingen", "col.due": "Datum", "col.what": "Wat", "col.date": "Datum",
        "col.kind": "Soort", "col.note": "Notitie", "col.state": "Stand",
        "total": "Totaal", "clients": "cliënten",
        "overdue": "Over tijd", "due_soon": "Binnen {days} dagen", "coming": "Komende {days} dagen",
        "nothing": "Niets.",
        "profile": "Profiel", "sponsor": "Opdrachtgever", "referred_by": "Aanmelding via",
        "reason": "Aanleiding", "goals": "Coachdoelen", "development_points": "Ontwikkelpunten",
        "assessment": "Assessment", "decision": "besluit",
        "reason_confirmed": "aanleiding bevestigd",
        "goals_realistic": "doelen realistisch", "progress": "Voortgang",
        "progress.line": "{held} van {planned} gesprekken", "progress.month": "maand {m} van {of}",
        "timeline": "Tijdlijn", "follow_ups": "Terugkomgesprekken", "actions": "Open acties",
        "problems": "Meldingen van `coachnotes check`", "extension": "Verlenging",
        "alternative": "Alternatief", "fu.open": "open", "fu.done": "gehouden {date}",
        "fu.cancelled": "vervalt: {why}", "fu.by": "gehouden {date} ({note})",
        "back": "Alle cliënten", "yes": "ja", "no": "nee", "open": "open", "partly": "deels",
    },
    "en": {
        "follow-up": "Hold follow-up conversation {n}",
        "plan-follow-up": "Plan the follow-up conversations",
        "session": "Next conversation",
        "status.intake": "Intake", "status.active": "Active", "status.follow-up": "Follow-up",
        "status.closed": "Closed", "status.declined": "Declined",
        "kind.intake": "intake", "kind.coaching": "coaching", "kind.assessment": "assessment",
        "kind.evaluation": "evaluation", "kind.tripartite": "tripartite",
        "kind.follow-up": "follow-up",
        "index.title": "Clients", "followups.title": "Follow-ups and what else is due",
        "col.client": "Client", "col.organization": "Organization", "col.sessions": "Sessions",
        "col.start": "Start", "col.planned_end": "Planned end", "col.next": "Next",
        "col.problems": "Problems", "col.due": "Due", "col.what": "What", "col.date": "Date",
        "col.kind": "Kind", "col.note": "Note", "col.state": "State",
        "total": "Total", "clients": "clients",
        "overdue": "Overdue", "due_soon": "Within {days} days", "coming": "Next {days} days",
        "nothing": "Nothing.",
        "profile": "Profile", "sponsor": "Sponsor", "referred_by": "Referred by",
        "reason": "Reason", "goals": "Coaching goals", "development_points": "Development points",
        "assessment": "Assessment", "decision": "decision", "reason_confirmed": "reason confirmed",
        "goals_realistic": "goals realistic", "progress": "Progress",
        "progress.line": "{held} of {planned} sessions", "progress.month": "month {m} of {of}",
        "timeline": "Timeline", "follow_ups": "Follow-ups", "actions": "Open actions",
        "problems": "Problems found by `coachnotes check`", "extension": "Extension",
        "alternative": "Alternative", "fu.open": "open", "fu.done": "held {date}",
        "fu.cancelled": "cancelled: {why}", "fu.by": "held {date} ({note})",
        "back": "All clients", "yes": "yes", "no": "no", "open": "open", "partly": "partly",
    },
}


def text(language: str, key: str, **values: object) -> str:
    table = TEXTS.get(language, TEXTS["en"])
    return table.get(key, TEXTS["en"].get(key, key)).format(**values)
