"""The words coachnotes writes into a vault's pages, reports and due texts, by key: each is
an English message for the catalogs (`i18n`), in the vault's language when used."""

from __future__ import annotations

from coachnotes.i18n import N_, NP_, gettext, pgettext

TEXTS: dict[str, str] = {
    "follow-up": N_("Hold follow-up conversation {n}"),
    "plan-follow-up": N_("Plan the follow-up conversations"),
    "evaluation.due": N_("Second-track evaluation (week {week})"),
    "session": N_("Next conversation"),
    "session.planned": N_("Planned conversation ({kind})"),
    "action.ended": N_("Open at the end of the trajectory: {text}"),
    "status.intake": N_("Intake"),
    "status.active": N_("Active"),
    "status.paused": N_("Paused"),
    "status.follow-up": N_("Follow-up"),
    "status.closed": N_("Closed"),
    "status.declined": N_("Declined"),
    "kind.intake": N_("intake"),
    "kind.coaching": N_("coaching"),
    "kind.assessment": N_("assessment"),
    "kind.evaluation": N_("evaluation"),
    "kind.tripartite": N_("tripartite"),
    "kind.follow-up": N_("follow-up"),
    "index.title": N_("Clients"),
    "followups.title": N_("Follow-ups and what else is due"),
    "col.client": N_("Client"),
    "col.organization": N_("Organization"),
    "col.sessions": N_("Sessions"),
    "col.start": N_("Start"),
    "col.planned_end": N_("Planned end"),
    "col.next": N_("Next"),
    "col.problems": N_("Problems"),
    "col.due": N_("Due"),
    "col.what": N_("What"),
    "col.date": N_("Date"),
    "col.kind": N_("Kind"),
    "col.note": N_("Note"),
    "col.state": N_("State"),
    "total": N_("Total"),
    "clients": N_("clients"),
    "clients.one": N_("client"),
    "overdue": N_("Overdue"),
    "due_soon": N_("Within {days} days"),
    "coming": N_("Next {days} days"),
    "nothing": N_("Nothing."),
    "profile": N_("Profile"),
    "sponsor": N_("Sponsor"),
    "referred_by": N_("Referred by"),
    "referred.hr": N_("HR"),
    "referred.manager": N_("the manager"),
    "referred.self": N_("the {person} self"),
    "referred.other": N_("other"),
    "reason": N_("Reason"),
    "goals": N_("Coaching goals"),
    "development_points": N_("Development points"),
    "assessment": N_("Assessment"),
    "decision": N_("decision"),
    "reason_confirmed": N_("reason confirmed"),
    "goals_realistic": N_("goals realistic"),
    "progress": N_("Progress"),
    "progress.line": N_("{held} of {planned} sessions"),
    "progress.month": N_("month {m} of {of}"),
    "timeline": N_("Timeline"),
    "follow_ups": N_("Follow-ups"),
    "actions": N_("Open actions"),
    "problems": N_("Problems found by `coachnotes check`"),
    "extension": N_("Extension"),
    "alternative": N_("Alternative"),
    "fu.open": N_("open"),
    "fu.done": N_("held {date}"),
    "fu.cancelled": N_("cancelled: {why}"),
    "fu.by": N_("held {date} ({note})"),
    "back": N_("All clients"),
    "yes": N_("yes"),
    "no": N_("no"),
    "open": N_("open"),
    "partly": N_("partly"),
    "fix": N_("To fix"),
    "fix.intro": N_("These notes have an error; what they hold is missing below until they "
                    "are fixed (`coachnotes check`)."),
    "col.problem": N_("Problem"),
    "planned": N_("Planned conversations"),
    "cancelled": N_("cancelled"),
    "planned.one": N_("planned"),
    "no_date": N_("no date"),
    "extension.sessions": N_("{n} extra sessions"),
    "extension.until": N_("until {date}"),
    "report.title": N_("Progress report"),
    "confidential": N_("Confidential"),
    "report.coachee": N_("Coachee"),
    "person.coaching": N_("Coachee"),
    "person.uwv": N_("Candidate"),
    "person.gemeente": N_("Participant"),
    "person.second-track": N_("Employee"),
    "report.coach": N_("Coach"),
    "report.date": N_("Date"),
    "report.consent": N_("Consent of the {person}"),
    "attendance": N_("Attendance"),
    "attendance.line": N_("{held} of {planned} planned coaching sessions held"),
    "held": N_("held"),
    "cancelled.one": N_("cancelled"),
    "sponsor_notes": N_("Notes"),
    "status": N_("Status"),
    "end": N_("End"),
    "start": N_("Start"),
    "documents": N_("Documents written"),
    "results": N_("Results"),
    "results.title": N_("Results that last"),
    "results.intro": N_("Per year the trajectories ended: the goals whose score at the end was "
                        "above the start (improved), and at the last follow-up held or fallen "
                        "(by `lasting_drop` or more). Trajectories without a start and an end "
                        "score are counted as not measured."),
    "col.year": N_("Year"),
    "col.trajectories": N_("Trajectories"),
    "col.not_measured": N_("Not measured"),
    "col.goals": N_("Goals"),
    "col.improved": N_("Improved"),
    "col.held": N_("Held"),
    "col.fallen": N_("Fallen"),
    "col.change": N_("Start → end"),
    "col.change_since": N_("End → follow-up"),
    "col.goal": N_("Goal"),
    "col.follow_up": N_("Follow-up {n}"),
    "col.trend": N_("Trend"),
    "share.attendance": N_("attendance"),
    "share.goals": N_("goals"),
    "share.development_points": N_("development points"),
    "share.assessment": N_("assessment"),
    "share.progress": N_("progress"),
    "share.sponsor_notes": N_("text for the sponsor"),
    "share.results": N_("results"),
    "plan.title": N_("Plan of approach"),
    "final.title": N_("Final report"),
    "doc.page": N_("page {n} of {m}"),
    "doc.kvk": N_("Chamber of Commerce {number}"),
    "doc.vat": N_("VAT {number}"),
    "doc.course": N_("How the trajectory runs"),
    "doc.course.sessions": N_("{n} coaching conversations in about {months} months"),
    "doc.course.evaluations": N_("An evaluation with employer and employee every 6 weeks "
                                 "from the start"),
    "doc.planned": N_("Conversations planned"),
    "doc.follow_ups": N_("Follow-up conversations"),
    "doc.follow_up": N_("Follow-up conversation {n}"),
    "doc.goal": N_("Goal {n}"),
    "results.chart": N_("Goals that held at the follow-up (%)"),
    "followups.chart": N_("The coming days"),
    "chart.planned": N_("Planned period"),
    "chart.actual": N_("Actual period"),
    "dates.line": N_("intake {intake} · start {start} · planned end {planned}"),
    "dates.end": N_("end {end}"),
    "doc.follow_ups.foreseen": N_("about {months} months after the end"),
    "doc.cost": N_("Cost"),
    "doc.cost.line": N_("{n} conversations × 60 minutes × € {rate} = € {total} (excl. VAT)"),
    "doc.cost.intake": N_("Intake: € {amount}"),
    "doc.cost.net": N_("Total excluding VAT: € {amount}"),
    "doc.cost.vat": N_("VAT {rate}%: € {amount}"),
    "doc.cost.gross": N_("Total including VAT: € {amount}"),
    "doc.cost.no_vat": N_("No VAT is charged"),
    "doc.approach": N_("Approach"),
    "doc.activities": N_("Activities and hours"),
    "doc.activity.coaching": N_("{n} coaching conversations"),
    "doc.activity.hours": N_("{what}: {hours} hour(s)"),
    "doc.activity.total": N_("In all: {hours} hour(s) of guidance"),
    "doc.result": N_("Result"),
    "doc.outcome": N_("Outcome"),
    "doc.early_end": N_("Ended before the plan"),
    "doc.agrees.yes": N_("The {person} agrees with this report."),
    "doc.agrees.no": N_("The {person} does not agree with this report."),
    "outcome.work": N_("work"),
    "outcome.work-fit": N_("fit for work"),
    "outcome.not-work-fit": N_("not (yet) fit for work"),
    "consent.title": N_("Consent form"),
    "consent.the_sponsor": N_("the sponsor"),
    "consent.intro": N_("I, {name}, agree that my coach {coach} shares with {sponsor} what "
                        "is marked below about my coaching trajectory, and nothing else."),
    "consent.what": N_("What the sponsor may see"),
    "consent.share.attendance": N_("which conversations took place (dates and kinds)"),
    "consent.share.goals": N_("my coaching goals and the reason for the trajectory"),
    "consent.share.development_points": N_("my development points"),
    "consent.share.assessment": N_("the outcome of the assessment"),
    "consent.share.progress": N_("how the trajectory progresses, and how it ended"),
    "consent.share.sponsor_notes": N_("the texts my coach writes for the sponsor, under "
                                      "'For the sponsor'"),
    "consent.share.results": N_("my own ratings of my goals (0 to 10)"),
    "consent.since": N_("From: {date}"),
    "consent.never": N_("What is never shared"),
    "consent.never.health": N_("Anything about my health."),
    "consent.never.notes": N_("The notes of the conversations themselves."),
    "consent.withdraw": N_("Withdrawing this consent"),
    "consent.withdraw.how": N_("I may withdraw this consent, wholly or in part, at any time, by "
                               "telling {coach} or writing it; from then on nothing more is "
                               "shared. What was shared before stays with the sponsor."),
    "dossier.title": N_("Dossier of {name}"),
    "dossier.client_note": N_("Client note"),
    "dossier.unreadable": N_("This note cannot be read; it is in the export as it is."),
    "field.duration": N_("Duration"),
    "field.next": N_("Next conversation agreed"),
    "field.score": N_("Score for “{goal}”"),
    "field.action": N_("Agreement"),
    "field.done": N_("done"),
    "doc.signatures": N_("Agreed"),
    "doc.signature.coachee": N_("Coachee"),
    "doc.signature.sponsor": N_("Sponsor"),
    "doc.signature.coach": N_("Coach"),
    "doc.signature.line": N_("Date and signature"),
    "doc.results.intro": N_("The {person}'s own rating of each goal, from 0 to 10."),
    "invoice.title": N_("Invoice"),
    "invoice.credit_title": N_("Credit note"),
    "invoice.number": N_("Invoice number"),
    "invoice.date": N_("Invoice date"),
    "invoice.due": N_("Due date"),
    "invoice.period": N_("Period"),
    "invoice.order": N_("Order number"),
    "invoice.reference": N_("Your reference"),
    "invoice.credits": N_("Credits invoice"),
    "invoice.col.date": N_("Date"),
    "invoice.col.what": N_("Description"),
    "invoice.col.quantity": N_("Quantity"),
    "invoice.col.rate": N_("Rate"),
    "invoice.col.amount": N_("Amount"),
    "invoice.minutes": N_("{n} min"),
    "invoice.per_hour": N_("€ {rate} / hour"),
    "invoice.net": N_("Total excluding VAT"),
    "invoice.vat": N_("VAT {rate}%"),
    "invoice.total": N_("Total"),
    "invoice.pay": N_("Please pay € {total} within {days} days to {iban} in the name of "
                      "{name}, quoting {number}."),
    "invoice.cancels": N_("This credit note cancels invoice {original} in full."),
    "invoice.terms": N_("Within {days} days, quoting {number}"),
    "invoice.kvk": N_("Chamber of Commerce (KvK)"),
    "invoice.vat_id": N_("VAT id"),
    "invoice.due_text": N_("invoice: {sponsor}, {month}"),
}

MONTH_NAMES = (N_("January"), N_("February"), N_("March"), N_("April"), N_("May"),
               N_("June"), N_("July"), N_("August"), N_("September"), N_("October"),
               N_("November"), N_("December"))


def decimal(value, language: str, places: int = 2, sign: bool = False,
            grouping: bool = False) -> str:
    """A number as a person reads it in the language (SPEC §14, v4): `1.234,50` and `+3,33`
    in `nl`, `1,234.50` and `+3.33` in `en` — on the terminal as in documents."""
    written = f"{value:{'+' if sign else ''}{',' if grouping else ''}.{places}f}"
    return written.translate(str.maketrans(",.", ".,")) if language == "nl" else written


def written_out(day, language: str) -> str:
    """A date as a person reads it in a document: `4 december 2026`, `4 December 2026`
    (a text that is no date stays as written)."""
    import datetime as dt

    if not isinstance(day, dt.date):
        try:
            day = dt.date.fromisoformat(str(day).strip()[:10])
        except ValueError:
            return str(day)
    return f"{day.day} {gettext(MONTH_NAMES[day.month - 1], language)} {day.year}"


def referred(value: str, language: str, programme: str | None = None) -> str:
    """Where the reason came from, in the vault's words (`hr`, `manager`, `self`, `other`);
    `self` names the person coached as the programme does (the candidate, the employee)."""
    key = f"referred.{value}"
    if key not in TEXTS:
        return value
    person = text(language, f"person.{programme or 'coaching'}").lower() \
        if f"person.{programme or 'coaching'}" in TEXTS else text(language, "person.coaching")
    return text(language, key, person=person)


def text(language: str, key: str, **values: object) -> str:
    return gettext(TEXTS[key], language).format(**values)


DUE_KINDS = {kind for _context, kind in (  # the words of `due`'s KIND column and calendars
    NP_("due kind", "follow-up"), NP_("due kind", "plan-follow-up"), NP_("due kind", "session"),
    NP_("due kind", "action"), NP_("due kind", "fix"), NP_("due kind", "invoice"),
    NP_("due kind", "evaluation"))}


def due_kind(kind: str, language: str | None = None) -> str:
    return pgettext("due kind", kind, language) if kind in DUE_KINDS else kind
