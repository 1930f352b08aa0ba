"""The command line: parse arguments, call one core function, format its answer.

Heavy modules (GitPython, watchdog, icalendar) are imported inside the commands that use them,
so `coachnotes due` and `check` start fast.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
from pathlib import Path

import click

from coachnotes import __version__
from coachnotes.errors import CoachnotesError
from coachnotes.i18n import _
from coachnotes.vault.schema import SESSION_KINDS, STATUSES, parse_date_text


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        if isinstance(value, dt.date):
            return value
        parsed, hint = parse_date_text(str(value))
        if parsed is None:
            self.fail(_("{value!r} is not a date: {hint}").format(value=value, hint=hint),
                      param, ctx)
        return parsed


DATE = DateType()


def today_option(command):
    return click.option("--today", type=DATE, default=None, metavar="DATE",
                        help="Pretend today is DATE (YYYY-MM-DD).")(command)


def _today(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


class Context:
    def __init__(self, vault: str | None):
        self.vault_option = vault

    @property
    def root(self) -> Path:
        """The vault; its language becomes the language of every message from here on."""
        from coachnotes.i18n import choose
        from coachnotes.vault.load import find_root, settings_language

        root = find_root(self.vault_option)
        choose(settings_language(root), root / ".coachnotes")
        return root

    def load(self):
        from coachnotes.vault.load import load_vault

        return load_vault(self.root)


pass_context = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coachnotes")
@click.option("--vault", metavar="PATH", envvar="COACHNOTES_VAULT",
              help="The vault (default: $COACHNOTES_VAULT, else the nearest folder upwards "
                   "with coachnotes.yml).")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, vault: str | None, debug: bool) -> None:
    """A plain-text practice journal for coaches: check the vault, build overview pages,
    list what is due, and sync between devices with git."""
    ctx.obj = Context(vault)


class _CheckCommand(click.Command):
    """`check --help` ends with every problem code, from the registry, in the language of
    the vault it is asked in (or COACHNOTES_LANG)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from coachnotes.errors import CoachnotesError
        from coachnotes.i18n import choose
        from coachnotes.vault.codes import CODES

        try:
            ctx.find_object(Context).root  # noqa: B018 - chooses the vault's language
        except (CoachnotesError, OSError, AttributeError):
            choose(None)
        formatter.write_paragraph()
        formatter.write_text(_("Problems (codes):"))
        with formatter.indentation():
            formatter.write_dl([(c.code, _(c.summary).replace("`", ""))
                                for c in CODES.values()])


@cli.command(cls=_CheckCommand)
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--staged", is_flag=True,
              help="Check what is staged for the next git commit (the pre-commit hook).")
@click.option("--fix", is_flag=True, help="Repair what has one reading (dates, keys, values, "
              "tabs, misplaced notes), changing only those bytes; then check again.")
@click.option("--diff", is_flag=True, help="With --fix: print the repairs as a diff and "
              "write nothing.")
@today_option
@pass_context
def check(obj: Context, as_json: bool, strict: bool, staged: bool, fix: bool, diff: bool,
          today: dt.date | None) -> None:
    """Check the vault's structure and the health of each trajectory."""
    from coachnotes.rules.check import check as run_check

    if diff and not fix:
        raise click.UsageError(_("--diff goes with --fix: `coachnotes check --fix --diff`"))
    if fix and staged:
        raise click.UsageError(_("--fix repairs the files, not what is staged: leave out "
                                 "--staged"))
    if fix:
        from coachnotes.rules.fix import fix_vault

        vault = obj.load()
        fixes, patch = fix_vault(vault, run_check(vault, _today(today)), write=not diff)
        if diff:
            click.echo(patch, nl=False)
        else:
            for repair in fixes:
                click.echo(str(repair), err=as_json)
        click.echo((_("{n} fix(es) shown, nothing written") if diff else _("{n} fix(es)"))
                   .format(n=len(fixes)), err=True)
    if staged:
        from coachnotes.git.sync import staged_copy
        from coachnotes.vault.load import load_vault

        with staged_copy(obj.root) as copy:
            problems = run_check(load_vault(copy, use_cache=False), _today(today))
    else:
        from coachnotes.git.repo import tracked_files
        from coachnotes.rules.check import committed_documents

        problems = run_check(obj.load(), _today(today))
        problems = sorted(set(problems + committed_documents(tracked_files(obj.root))))
    if as_json:
        import json

        click.echo(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        if problems:
            click.echo("\n".join(map(str, problems)))
        errors = sum(p.severity == "error" for p in problems)
        warnings = len(problems) - errors
        click.echo(_("{errors} error(s), {warnings} warning(s)").format(
                     errors=errors, warnings=warnings), err=True)
    failed = any(p.severity == "error" or strict for p in problems)
    sys.exit(1 if failed else 0)


def _in_exports(root: Path, name: str) -> Path:
    """Where a document goes without -o: the vault's exports/ (0700, files 0600), which
    git ignores (SPEC §8)."""
    from coachnotes.vault.files import DIR_MODE
    from coachnotes.vault.layout import EXPORTS

    folder = root / EXPORTS
    folder.mkdir(mode=DIR_MODE, exist_ok=True)
    os.chmod(folder, DIR_MODE)
    return folder / name


def _color() -> bool:
    """Colour only at a terminal, and never with NO_COLOR (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


@cli.command()
@click.option("--within", type=click.IntRange(min=0), metavar="DAYS",
              help="Items due within DAYS days (default: settings due_within_days).")
@click.option("--overdue", is_flag=True, help="Only items past their date.")
@click.option("--all", "show_all", is_flag=True, help="Every open item, whatever its date.")
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
@click.option("--json", "as_json", is_flag=True, help="Print the items as JSON.")
@click.option("--ics", type=click.Path(dir_okay=False, writable=True), metavar="FILE",
              help="Also write the items as an iCalendar file.")
@today_option
@pass_context
def due(obj: Context, within: int | None, overdue: bool, show_all: bool, client_id: str | None,
        as_json: bool, ics: str | None, today: dt.date | None) -> None:
    """List what is due: follow-ups, agreed conversations and actions."""
    from coachnotes.answers.due import query_due

    if sum(bool(x) for x in (within is not None, overdue, show_all)) > 1:
        raise click.UsageError(_("choose one of --within, --overdue and --all"))
    today = _today(today)
    window, pairs, undated = query_due(obj.root, today, within, overdue, show_all, client_id)
    items = [item for item, _key in pairs]
    if ics:
        from coachnotes.answers.due import to_ics
        from coachnotes.vault.files import write_atomic
        from coachnotes.vault.load import load_settings

        write_atomic(Path(ics), to_ics(pairs, today, load_settings(obj.root, use_cache=True)))
    if as_json:
        import json

        click.echo(json.dumps([i.as_dict() for i in items], indent=2, ensure_ascii=False))
        return
    from coachnotes.output.terminal import due_table, terminal_width

    if not items:
        until = "" if window.until is None else f" until {window.until.isoformat()}"
        click.echo(_("Nothing due{until}.").format(until=until))
    else:
        color = _color()
        width = terminal_width(sys.stdout.isatty())
        # color=True: we added escape codes only where wanted, so click need not strip any
        click.echo("\n".join(click.style(line, fg="red") if late and color else line
                              for line, late in due_table(items, width)), color=True)
    if undated:
        click.echo(_("{undated} action(s) without a date and without a next conversation "
                     "are not shown: `coachnotes due --all` shows them.").format(undated=undated))
    if ics:
        from coachnotes.answers.due import calendar_pairs

        click.echo(_("{n} event(s) written to {ics}").format(n=len(calendar_pairs(pairs)),
                                                             ics=ics), err=True)


@cli.command(name="list")
@click.option("--status", type=click.Choice(STATUSES), help="Only clients with this status.")
@click.option("--json", "as_json", is_flag=True, help="Print the clients as JSON.")
@today_option
@pass_context
def list_clients(obj: Context, status: str | None, as_json: bool, today: dt.date | None) -> None:
    """List the clients at a glance."""
    from coachnotes.answers.views import summaries
    from coachnotes.rules.check import check as run_check

    vault = obj.load()
    today = _today(today)
    rows = summaries(vault, today, run_check(vault, today), status=status)
    if as_json:
        import json

        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    from coachnotes.output.terminal import list_table, terminal_width

    if not rows:
        click.echo((_("No clients with status {status}.") if status else _("No clients."))
                   .format(status=status) + " " + _("Add one with: coachnotes new client NAME"))
        return
    click.echo("\n".join(list_table(rows, terminal_width(sys.stdout.isatty()))))


@cli.command()
@click.argument("client_id", metavar="CLIENT")
@today_option
@pass_context
def show(obj: Context, client_id: str, today: dt.date | None) -> None:
    """Show one client's whole trajectory."""
    from coachnotes.answers.views import client_view
    from coachnotes.output.terminal import show_client, terminal_width
    from coachnotes.rules.check import client_problems
    from coachnotes.vault.load import get_client

    today = _today(today)
    vault = obj.load()
    client = get_client(vault, client_id)
    view = client_view(vault, client, today, client_problems(vault, client.id, today))
    for line in show_client(view, terminal_width(sys.stdout.isatty())):
        click.echo(line)


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="Language of the templates and pages.")
@click.option("--coach", metavar="NAME", help="Your name, written into the settings.")
def init(directory: Path, language: str, coach: str | None) -> None:
    """Make a new vault: settings, clients/, .gitignore, .gitattributes and a git repository."""
    from coachnotes.authoring import init_vault

    for note in init_vault(directory, language, coach):
        click.echo(note, err=True)
    click.echo(_("New vault in {directory}. Add a client with: coachnotes new client NAME").format(
                 directory=directory))


@cli.group()
def new() -> None:
    """Write a new client or session note from the templates."""


@new.command(name="client")
@click.argument("name")
@click.option("--organization", metavar="TEXT", help="The employer.")
@click.option("--sponsor", metavar="TEXT", help="Who commissions and pays (opdrachtgever).")
@click.option("--intake", type=DATE, metavar="DATE", help="Date of the intake (default: today).")
@click.option("--edit", is_flag=True, help="Open the new note in $EDITOR.")
@today_option
@pass_context
def new_client(obj: Context, name: str, organization: str | None, sponsor: str | None,
               intake: dt.date | None, edit: bool, today: dt.date | None) -> None:
    """Write clients/<id>/client.md for a new client; prints its path."""
    from coachnotes.authoring import new_client as make

    vault = obj.load()
    path = make(vault, name, organization, sponsor, intake, _today(today))
    click.echo(path.relative_to(vault.root))
    if edit:
        click.edit(filename=str(path))


@new.command(name="session")
@click.argument("client_id", metavar="CLIENT")
@click.option("--kind", type=click.Choice(SESSION_KINDS), default="coaching", show_default=True,
              help="The kind of conversation.")
@click.option("--date", "date", type=DATE, metavar="DATE", help="Its date (default: today).")
@click.option("--edit", is_flag=True, help="Open the new note in $EDITOR.")
@today_option
@pass_context
def new_session(obj: Context, client_id: str, kind: str, date: dt.date | None, edit: bool,
                today: dt.date | None) -> None:
    """Write a session note for CLIENT, numbered after the last coaching session."""
    from coachnotes.authoring import new_session as make

    vault = obj.load()
    path = make(vault, client_id, kind, date or _today(today))
    click.echo(path.relative_to(vault.root))
    if edit:
        click.edit(filename=str(path))


@cli.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("--date", "date", type=DATE, metavar="DATE",
              help="The last regular conversation (default: today).")
@today_option
@pass_context
def close(obj: Context, client_id: str, date: dt.date | None, today: dt.date | None) -> None:
    """End the regular conversations: status follow-up, end_date and follow-ups planned."""
    from coachnotes.authoring import close_client

    vault = obj.load()
    path = close_client(vault, client_id, date or _today(today))
    click.echo(_("{relative_to}: status follow-up, follow-ups planned").format(
                 relative_to=path.relative_to(vault.root)))


@cli.command()
@click.argument("client_id", metavar="CLIENT")
@click.argument("new_id", metavar="NEW-ID")
@today_option
@pass_context
def rename(obj: Context, client_id: str, new_id: str, today: dt.date | None) -> None:
    """Give a client a new id: move its folder and rewrite `id` and each session's `client`."""
    from coachnotes.authoring import rename_client
    from coachnotes.output.pages import regenerate
    from coachnotes.vault.load import load_vault

    vault = obj.load()
    changed = rename_client(vault, client_id, new_id)
    regenerate(load_vault(vault.root), _today(today))
    click.echo(_("clients/{client_id}/ is now clients/{new_id}/; {n} note(s) rewritten, "
                 "pages regenerated").format(client_id=client_id, new_id=new_id, n=len(changed)))


@cli.command()
@today_option
@pass_context
def index(obj: Context, today: dt.date | None) -> None:
    """Write INDEX.md, FOLLOW-UPS.md and a README.md per client."""
    from coachnotes.output.pages import index_vault

    with contextlib.ExitStack() as stack:
        def progress(count: int):
            if not sys.stdout.isatty() or count <= 200:
                return None
            bar = stack.enter_context(click.progressbar(length=count, label=_("Writing pages"),
                                                        file=sys.stderr))
            return lambda _path: bar.update(1)

        result = index_vault(obj.root, _today(today), progress)
    for rel in result.refused:
        click.echo(_("{rel}:1: E030 not overwritten: it lacks the generated marker line "
                     "(rename it to keep it)").format(rel=rel), err=True)
    click.echo(_("{written} page(s) written, {unchanged} unchanged").format(
        written=len(result.written), unchanged=len(result.unchanged))
        + (", " + _("{n} removed").format(n=len(result.removed)) if result.removed else ""))
    sys.exit(1 if result.refused else 0)


@cli.command()
@click.option("--sync-every", type=click.FloatRange(min=0.1), metavar="MINUTES",
              help="Also sync with git when the vault has been quiet, at most this often.")
@today_option
@pass_context
def watch(obj: Context, sync_every: float | None, today: dt.date | None) -> None:
    """Check and rebuild the pages on every save, until Ctrl-C."""
    from coachnotes.watch import run

    sys.exit(run(obj.root, sync_every=sync_every, today=today, echo=click.echo))


@cli.command()
@click.option("--no-push", is_flag=True, help="Commit and merge, but do not push.")
@today_option
@pass_context
def sync(obj: Context, no_push: bool, today: dt.date | None) -> None:
    """Commit, pull, resolve conflicts without losing anything, regenerate pages, push."""
    from coachnotes.git.sync import sync as run_sync

    report = run_sync(obj.root, push=not no_push, today=today)
    for message in report.messages:
        click.echo(message, err=True)
    for copy in report.conflicts:
        click.echo(_("{copy}: W108 conflict copy: changed on both devices — compare it "
                     "with the one beside it and delete it").format(copy=copy), err=True)
    for kept in report.kept_edits:
        click.echo(_("{kept}: deleted on one device, edited on the other: the edit is kept").format(
                     kept=kept),
                   err=True)
    parts = [_("{n} note(s) committed").format(n=report.committed)]
    if report.merged:
        parts.append(_("merged the remote"))
    parts.append(_("pushed") if report.pushed else _("not pushed"))
    click.echo("sync: " + ", ".join(parts))
    if report.errors:  # synced like every note; what is due from them is unknown until fixed
        click.echo("\n".join(map(str, report.errors)))
        click.echo(_("sync: {n} error(s) in the notes above: fix them (`coachnotes "
                     "check`); until then `due` lists them as notes to fix").format(
                     n=len(report.errors)),
                   err=True)
        sys.exit(1)


@cli.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("--format", "fmt", type=click.Choice(["md", "docx", "pdf"]), default="md",
              show_default=True, help="Markdown, Word (editable) or PDF.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Write here (default: Markdown to the screen, Word and "
                                   "PDF into the vault's exports/ folder).")
@today_option
@pass_context
def report(obj: Context, client_id: str, fmt: str, output: Path | None,
           today: dt.date | None) -> None:
    """The progress report for the sponsor: only what the coachee agreed to share."""
    from coachnotes.answers.views import client_view
    from coachnotes.output.report import build_report, health_words, to_docx, to_markdown, to_pdf
    from coachnotes.rules.check import client_problems
    from coachnotes.vault.files import write_atomic
    from coachnotes.vault.layout import document_name
    from coachnotes.vault.load import get_client

    today = _today(today)
    vault = obj.load()
    client = get_client(vault, client_id)
    view = client_view(vault, client, today, client_problems(vault, client.id, today))
    made = build_report(vault, view, today)
    for path, section, word in health_words(made, vault.language):
        click.echo(_("coachnotes: warning: {path} ({section}): '{word}' reads as health "
                     "data, which an employer may not record; the report is written — leave it "
                     "out if the coachee did not mean it for the sponsor").format(
                     path=path, section=section, word=word), err=True)
    if fmt == "md" and output is None:
        click.echo(to_markdown(made), nl=False)
        return
    data = {"md": lambda: to_markdown(made).encode("utf-8"), "docx": lambda: to_docx(made),
            "pdf": lambda: to_pdf(made)}[fmt]()
    output = output or _in_exports(vault.root, document_name(
        "progress", vault.language, client.id, today.isoformat(), suffix=f".{fmt}"))
    write_atomic(output, data)
    click.echo(str(output))


@cli.command()
@click.option("--from", "start", type=DATE, metavar="DATE",
              help="First day (default: the first of this month).")
@click.option("--to", "end", type=DATE, metavar="DATE",
              help="Last day (default: the last of this month).")
@click.option("--sponsor", metavar="TEXT", help="Only this sponsor (its exact `sponsor`).")
@click.option("--client", "client_id", metavar="ID", help="Only this client.")
@click.option("--json", "as_json", is_flag=True, help="The rows as JSON.")
@click.option("--csv", "as_csv", is_flag=True, help="The rows as CSV, for a spreadsheet.")
@click.option("--icf", is_flag=True, help="The ICF client coaching log (CSV).")
@click.option("-o", "--output", metavar="FILE", help="With --csv or --icf: write here; - for "
              "the screen (default: the vault's exports/ folder).")
@today_option
@pass_context
def hours(obj: Context, start: dt.date | None, end: dt.date | None, sponsor: str | None,
          client_id: str | None, as_json: bool, as_csv: bool, icf: bool, output: str | None,
          today: dt.date | None) -> None:
    """Held, billable conversations and hours per sponsor and client, for invoicing."""
    import csv

    from coachnotes.output.report import hour_rows, icf_rows, month_of

    if sum((as_json, as_csv, icf)) > 1:
        raise click.UsageError(_("choose one of --json, --csv and --icf"))
    today = _today(today)
    first, last = month_of(today)
    start, end = start or first, end or last
    vault = obj.load()
    rows = hour_rows(vault, start, end, today, sponsor, client_id, billable_only=not icf)
    if as_json:
        import json

        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    if as_csv or icf:
        import io

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if icf:
            writer.writerows(icf_rows(vault, rows))
        else:
            writer.writerow(["date", "client", "name", "sponsor", "kind", "minutes", "amount"])
            writer.writerows([[v if v is not None else "" for v in r.as_dict().values()]
                              for r in rows])
        if output == "-":
            click.echo(out.getvalue(), nl=False)
            return
        from coachnotes.vault.files import write_atomic
        from coachnotes.vault.layout import document_name

        target = Path(output) if output else _in_exports(vault.root, document_name(
            "icf" if icf else "hours", vault.language, start.isoformat(), end.isoformat(),
            suffix=".csv"))
        write_atomic(target, out.getvalue().encode("utf-8"))
        click.echo(str(target))
        return
    from coachnotes.output.terminal import hours_table

    click.echo("\n".join(hours_table(rows, start, end)))


@cli.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE.zip", help="Where to write it (default: the vault's exports/ "
                                       "folder).")
@today_option
@pass_context
def export(obj: Context, client_id: str, output: Path | None, today: dt.date | None) -> None:
    """Everything about one client in one zip, for the coachee's right of access."""
    from coachnotes.answers.views import client_view
    from coachnotes.output.export import export_client
    from coachnotes.rules.check import client_problems
    from coachnotes.vault.layout import document_name
    from coachnotes.vault.load import get_client

    today = _today(today)
    vault = obj.load()
    client = get_client(vault, client_id)
    view = client_view(vault, client, today, client_problems(vault, client.id, today))
    output = output or _in_exports(vault.root, document_name(
        "export", vault.language, client.id, today.isoformat(), suffix=".zip"))
    notes = export_client(vault, view, today, output)
    click.echo(_("{output}: {n} note(s), data.json and dossier.html").format(
                 output=output, n=len(notes)))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@today_option
@pass_context
def retention(obj: Context, as_json: bool, today: dt.date | None) -> None:
    """Clients past the retention period (erase them with `forget`), and when the others
    will be."""
    from coachnotes.answers.views import retention as retention_rows
    from coachnotes.output.terminal import retention_table, terminal_width

    years, rows = retention_rows(obj.load(), _today(today))
    if as_json:
        import json

        click.echo(json.dumps({"retention_years": years, "clients": [r.as_dict() for r in rows]},
                              indent=2, ensure_ascii=False))
        return
    if years is None:
        click.echo(_("coachnotes.yml sets no `retention_years`: decide how many years you "
                     "keep a client's notes after the trajectory ends, and set it (e.g. "
                     "`retention_years: 2`)"), err=True)
        sys.exit(1)
    click.echo("\n".join(retention_table(rows, terminal_width(sys.stdout.isatty()))))
    past = sum(r.past for r in rows)
    click.echo(_("retention: {years} year(s); {past} client(s) past it").format(
        years=years, past=past)
        + (": " + _("erase them with `coachnotes forget CLIENT`") if past else ""), err=True)


@cli.command()
@click.argument("client_id", metavar="CLIENT")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@today_option
@pass_context
def forget(obj: Context, client_id: str, yes: bool, today: dt.date | None) -> None:
    """Erase a client from the vault, its whole git history and the remote (AVG)."""
    from coachnotes.git.erase import forget as run_forget

    root = obj.root
    if not yes:
        if not sys.stdin.isatty():
            raise click.UsageError(_("forget erases {client_id} for good, from every "
                                     "version; confirm with --yes").format(client_id=client_id))
        click.confirm(_("Erase {client_id} from this vault, its whole history and the "
                        "remote? This cannot be undone").format(client_id=client_id), abort=True)
    report = run_forget(root, client_id, _today(today))
    for path in report.mentions:
        click.echo(_("{path}: the mentions of {client_id} now read {word}").format(
                     path=path, client_id=client_id, word=report.word))
    for path in report.removed:
        click.echo(_("{path}: a copy of a note of {client_id}, or a document about them: "
                     "removed").format(path=path, client_id=client_id))
    if report.earlier:
        click.echo(_("{client_id} was also erased under the id(s) it had before: "
                     "{items}").format(client_id=client_id, items=", ".join(report.earlier)))
    for message in report.messages:
        click.echo(message, err=True)
    done = _("forget: {client_id} erased.") if report.pushed else \
        _("forget: {client_id} erased here.")
    click.echo(done.format(client_id=client_id) + " " + _(
        "Every other device with this vault: run `coachnotes sync` there, which erases it "
        "there too."))
    if report.offline:
        sys.exit(3)


@cli.group()
def hooks() -> None:
    """Git hooks for the vault."""


@hooks.command(name="install")
@click.option("--force", is_flag=True, help="Keep an existing pre-commit hook and run it first.")
@pass_context
def hooks_install(obj: Context, force: bool) -> None:
    """Install a pre-commit hook that blocks commits of notes with errors."""
    from coachnotes.authoring import install_hook

    click.echo(_("installed {install_hook}").format(install_hook=install_hook(obj.load(), force)))


def run(args: list[str]) -> int:
    """Run one command line; the one place that turns errors into messages and exit codes."""
    import warnings

    from coachnotes.i18n import choose

    choose(None)  # until a vault is found: COACHNOTES_LANG, else the system's language
    warnings.showwarning = lambda message, *rest, **more: click.echo(
        _("coachnotes: warning: {message}").format(message=message), err=True)
    try:
        code = cli.main(args, prog_name="coachnotes", standalone_mode=False)
    except SystemExit as done:  # a command's own sys.exit(code)
        code = done.code if isinstance(done.code, int) else 0 if done.code is None else 1
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo(_("Aborted."), err=True)
        code = 1
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except CoachnotesError as error:
        click.echo(f"coachnotes: {error}", err=True)
        code = error.exit_code
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    except OSError as error:  # a full disk, a folder without write permission, ...
        where = f" ({error.filename})" if error.filename else ""
        click.echo(_("coachnotes: {value}{where}; nothing was lost").format(
                     value=error.strerror or error, where=where),
                   err=True)
        code = 1
    except Exception as error:  # noqa: BLE001 - the one place that stops tracebacks
        if "--debug" in args:
            raise
        click.echo(_("coachnotes: unexpected error ({name}); nothing was lost. Run again "
                     "with --debug for details and report it.").format(
                         name=type(error).__name__), err=True)
        code = 1
    return code or 0


def main() -> None:
    """Entry point of the `coachnotes` command."""
    sys.exit(run(sys.argv[1:]))
