"""The command-line application: the group, its context (the vault, chosen language) and the
types and helpers every command shares. Commands live by area in the modules beside this one."""

from __future__ import annotations

import datetime as dt
import os
import sys

import click

from coachnotes import __version__
from coachnotes.commands import parse_date
from coachnotes.i18n import N_, _


class DateType(click.ParamType):
    name = "DATE"

    def convert(self, value, param, ctx):  # noqa: ANN001 - click's signature
        if isinstance(value, dt.date):
            return value
        parsed, hint = parse_date(str(value))
        if parsed is None:
            self.fail(_("{value!r} is not a date: {hint}").format(value=value, hint=hint),
                      param, ctx)
        return parsed


DATE = DateType()


def today_option(command):
    return click.option("--today", type=DATE, default=None, metavar="DATE",
                        help="Pretend today is DATE (YYYY-MM-DD).")(command)


def period_options(month: str):
    """--from, --to, --sponsor and --client, as `hours` and `invoice` take them; `month` is
    the default period's month: "this" or "last" (its words are in the help texts)."""
    first, last = (N_("First day (default: the first of this month)."),
                   N_("Last day (default: the last of this month).")) if month == "this" else \
        (N_("First day (default: the first of last month)."),
         N_("Last day (default: the last of last month)."))

    def apply(command):
        for option in reversed((
                click.option("--from", "start", type=DATE, metavar="DATE", help=first),
                click.option("--to", "end", type=DATE, metavar="DATE", help=last),
                click.option("--sponsor", metavar="TEXT",
                             help="Only this sponsor (its exact `sponsor`)."),
                click.option("--client", "client_id", metavar="ID",
                             help="Only this client."))):
            command = option(command)
        return command
    return apply


def _today(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


class Context:
    """What the group's options say for every command: which vault (`--vault`)."""

    def __init__(self, vault: str | None):
        self.vault = vault


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


def _color() -> bool:
    """Colour only at a terminal, and never with NO_COLOR (https://no-color.org)."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")




def confirm(question: str) -> bool:
    """A yes/no question in the chosen language (`[j/N]` in Dutch): `j`, `ja`, `y` and `yes`
    say yes, in any case; anything else, or nothing, says no."""
    answer = click.prompt(f"{question} {_('[y/N]')}", default="", show_default=False,
                          prompt_suffix=" ")
    return answer.strip().lower() in {"j", "ja", "y", "yes"}
