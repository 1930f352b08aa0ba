"""The command line: each command parses its arguments, calls one function of
`coachnotes.commands` and formats what it returns; the commands of one area live together
(`notes`, `answers`, `documents`, `privacy`, `git`), and `run` is the one place that turns
errors into messages and exit codes. Below `commands` it imports only `output` (formatting),
`i18n` and `errors` (an import-linter contract holds it).

Each click function is named after its command (`due_command` runs `coachnotes due`) and
imports the command's function by its own name when it runs (`from coachnotes.commands.due
import due`), so `coachnotes due` loads only what `due` needs (no GitPython, watchdog, SQLite or
reportlab).
"""

from __future__ import annotations

import contextlib
import os
import sys

import click

from coachnotes.cli import (  # noqa: F401 - commands
    answers,
    calendar,
    documents,
    git,
    invoices,
    notes,
    privacy,
    words,
)
from coachnotes.cli.app import cli
from coachnotes.errors import CoachnotesError
from coachnotes.i18n import _

__all__ = ["cli", "main", "run"]


def run(args: list[str]) -> int:
    """Run one command line; the one place that turns errors into messages and exit codes."""
    import warnings

    from coachnotes.commands import language_of
    from coachnotes.i18n import choose

    warnings.showwarning = lambda message, *rest, **more: click.echo(
        _("coachnotes: warning: {message}").format(message=message), err=True)
    try:  # choosing the language reads a catalog: a Ctrl-C there is an abort like any other
        choose(*language_of(args))  # the vault's (--vault, or found from here), else the system's
        words.speak()
        words.translate_help(cli)
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
