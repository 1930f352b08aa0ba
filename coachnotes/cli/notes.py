"""Commands that write notes and pages: init, new, close, rename, check, index, watch."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
from pathlib import Path

import click

from coachnotes.cli.app import (
    DATE,
    Context,
    _today,
    cli,
    pass_context,
    today_option,
)
from coachnotes.commands import CODES, SESSION_KINDS
from coachnotes.i18n import _


class _CheckCommand(click.Command):
    """`check --help` ends with every problem code, from the registry, in the language of
    the vault it is asked in (or COACHNOTES_LANG)."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from coachnotes.commands import open_root
        from coachnotes.errors import CoachnotesError
        from coachnotes.i18n import choose

        try:
            open_root(ctx.find_object(Context).vault)  # chooses the vault's language
        except (CoachnotesError, OSError, AttributeError):
            choose(None)
        formatter.write_paragraph()
        formatter.write_text(_("Problems (codes):"))
        with formatter.indentation():
            formatter.write_dl([(c.code, _(c.summary))
                                for c in CODES.values()])


@cli.command("check", cls=_CheckCommand)
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
def check_command(obj: Context, as_json: bool, strict: bool, staged: bool, fix: bool, diff: bool,
                  today: dt.date | None) -> None:
    """Check the vault's structure and the health of each trajectory."""
    from coachnotes.commands.notes import check

    if diff and not fix:
        raise click.UsageError(_("--diff goes with --fix: `coachnotes check --fix --diff`"))
    if fix and staged:
        raise click.UsageError(_("--fix repairs the files, not what is staged: leave out "
                                 "--staged"))
    found = check(obj.vault, _today(today), staged, fix, diff)
    if fix:
        if diff:
            click.echo(found.patch, nl=False)
        else:
            from coachnotes.output.terminal import clip

            for repair in found.fixes:  # one line each, whatever a file name holds
                click.echo(clip(str(repair), None), err=as_json)
        click.echo((_("{n} fix(es) shown, nothing written") if diff else _("{n} fix(es)"))
                   .format(n=len(found.fixes)), err=True)
    problems = found.problems
    if as_json:
        import json

        click.echo(json.dumps([p.as_dict() for p in problems], indent=2, ensure_ascii=False))
    else:
        if problems:
            click.echo("\n".join(map(str, problems)))
        click.echo(_("{errors} error(s), {warnings} warning(s)").format(
                     errors=found.errors, warnings=len(problems) - found.errors), err=True)
    sys.exit(1 if found.errors or (strict and problems) else 0)


@cli.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--language", type=click.Choice(["nl", "en"]), default="nl", show_default=True,
              help="Language of the templates and pages.")
@click.option("--coach", metavar="NAME", help="Your name, written into the settings.")
def init_command(directory: Path, language: str, coach: str | None) -> None:
    """Make a new vault: settings, clients/, .gitignore, .gitattributes and a git repository."""
    from coachnotes.commands.notes import init

    for note in init(directory, language, coach):
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
def new_client_command(obj: Context, name: str, organization: str | None, sponsor: str | None,
                       intake: dt.date | None, edit: bool, today: dt.date | None) -> None:
    """Write clients/<id>/client.md for a new client; prints its path."""
    from coachnotes.commands import open_root
    from coachnotes.commands.notes import new_client

    path = new_client(obj.vault, name, organization, sponsor, intake, _today(today))
    click.echo(path)
    if edit:
        click.edit(filename=str(open_root(obj.vault) / path))


@new.command(name="session")
@click.argument("client_id", metavar="CLIENT")
@click.option("--kind", type=click.Choice(SESSION_KINDS), default="coaching", show_default=True,
              help="The kind of conversation.")
@click.option("--date", "date", type=DATE, metavar="DATE", help="Its date (default: today).")
@click.option("--edit", is_flag=True, help="Open the new note in $EDITOR.")
@today_option
@pass_context
def new_session_command(obj: Context, client_id: str, kind: str, date: dt.date | None, edit: bool,
                        today: dt.date | None) -> None:
    """Write a session note for CLIENT, numbered after the last coaching session."""
    from coachnotes.commands import open_root
    from coachnotes.commands.notes import new_session

    path = new_session(obj.vault, client_id, kind, date or _today(today))
    click.echo(path)
    if edit:
        click.edit(filename=str(open_root(obj.vault) / path))


@cli.command("close")
@click.argument("client_id", metavar="CLIENT")
@click.option("--date", "date", type=DATE, metavar="DATE",
              help="The last regular conversation (default: today).")
@today_option
@pass_context
def close_command(obj: Context, client_id: str, date: dt.date | None,
                  today: dt.date | None) -> None:
    """End the regular conversations: status follow-up, end_date and follow-ups planned; once
    every follow-up is held, close again: status closed."""
    from coachnotes.commands.notes import close

    closed = close(obj.vault, client_id, date or _today(today), _today(today))
    for path, what in closed.open_actions:
        click.echo(_("{path}: {action}. It is no longer on the list of what is due: mark it "
                     "`done: true`, or remove it").format(path=path, action=what), err=True)
    if closed.done:
        click.echo(_("{relative_to}: status closed; the trajectory and its follow-ups are "
                     "done").format(relative_to=closed.path))
        return
    click.echo(_("{relative_to}: status follow-up; follow-up conversations due {dates}").format(
                 relative_to=closed.path, dates=", ".join(closed.follow_ups) or "-"))
    if closed.open_ends:
        click.echo(_("No end score yet for: {goals}. Ask the coachee to rate each goal now "
                     "and add `scores` to the last conversation, or the result cannot be "
                     "compared (W116).").format(goals="; ".join(closed.open_ends)), err=True)


@cli.command("rename")
@click.argument("client_id", metavar="CLIENT")
@click.argument("new_id", metavar="NEW-ID")
@today_option
@pass_context
def rename_command(obj: Context, client_id: str, new_id: str, today: dt.date | None) -> None:
    """Give a client a new id: move its folder and rewrite `id` and each session's `client`."""
    from coachnotes.commands.notes import rename

    changed = rename(obj.vault, client_id, new_id, _today(today))
    click.echo(_("clients/{client_id}/ is now clients/{new_id}/; {n} note(s) rewritten, "
                 "pages regenerated").format(client_id=client_id, new_id=new_id, n=len(changed)))


@cli.command("index")
@today_option
@pass_context
def index_command(obj: Context, today: dt.date | None) -> None:
    """Write INDEX.md, FOLLOW-UPS.md and a README.md per client."""
    from coachnotes.commands.notes import index

    with contextlib.ExitStack() as stack:
        def progress(count: int):
            if not sys.stdout.isatty() or count <= 200:
                return None
            bar = stack.enter_context(click.progressbar(length=count, label=_("Writing pages"),
                                                        file=sys.stderr))
            return lambda _path: bar.update(1)

        result = index(obj.vault, _today(today), progress)
    for rel in result.refused:
        click.echo(_("{rel}:1: E030 not overwritten: it lacks the generated marker line "
                     "(rename it to keep it)").format(rel=rel), err=True)
    click.echo(_("{written} page(s) written, {unchanged} unchanged").format(
        written=len(result.written), unchanged=len(result.unchanged))
        + (", " + _("{n} removed").format(n=len(result.removed)) if result.removed else ""))
    sys.exit(1 if result.refused else 0)


@cli.command("watch")
@click.option("--sync-every", type=click.FloatRange(min=0.1), metavar="MINUTES",
              help="Also sync with git when the vault has been quiet, at most this often.")
@today_option
@pass_context
def watch_command(obj: Context, sync_every: float | None, today: dt.date | None) -> None:
    """Check and rebuild the pages on every save, until Ctrl-C."""
    from coachnotes.commands.notes import watch

    sys.exit(watch(obj.vault, sync_every, today, click.echo))


