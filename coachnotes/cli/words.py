"""click's own words (usage, errors, the help option) and the help of our commands and
options, in the chosen language (SPEC §14, v3). click speaks English through gettext's
default domain; here its message functions are pointed at our catalogs (context "click"),
and the help texts — English in the code, like every message — are translated each time a
command line runs, from the English kept aside."""

from __future__ import annotations

import inspect

import click

from coachnotes.i18n import NP_, gettext, pgettext

CLICK_WORDS = [
    NP_("click", "[OPTIONS]"),
    NP_("click", "Usage:"),
    NP_("click", "Options"),
    NP_("click", "Commands"),
    NP_("click", "Show this message and exit."),
    NP_("click", "Show the version and exit."),
    NP_("click", "Error: {message}"),
    NP_("click", "Try '{command} {option}' for help."),
    NP_("click", "No such option {name!r}."),
    NP_("click", "No such command {name!r}."),
    NP_("click", "Did you mean {possibility}?"),
    NP_("click", "(Did you mean one of: {possibilities}?)"),
    NP_("click", "Missing argument"),
    NP_("click", "Missing option"),
    NP_("click", "Missing parameter"),
    NP_("click", "Missing command."),
    NP_("click", "Missing {param_type}"),
    NP_("click", "Missing parameter: {param_name}"),
    NP_("click", "Invalid value for {param_hint}: {message}"),
    NP_("click", "Invalid value: {message}"),
    NP_("click", "Option {name!r} requires an argument."),
    NP_("click", "Option {name!r} does not take a value."),
    NP_("click", "Got unexpected extra argument ({args})"),
    NP_("click", "Got unexpected extra arguments ({args})"),
    NP_("click", "{value!r} is not one of {choices}."),
    NP_("click", "{value!r} is not {choice}."),
    NP_("click", "{value!r} is not a valid {number_type}."),
    NP_("click", "{value} is not in the range {range}."),
    NP_("click", "Error: invalid input"),
    NP_("click", "Aborted!"),
    NP_("click", "Do you want to continue?"),
    NP_("click", "default: {default}"),
    NP_("click", "env var: {var}"),
    NP_("click", "{name} {filename!r} does not exist."),
    NP_("click", "{name} {filename!r} is a directory."),
    NP_("click", "{name} {filename!r} is a file."),
    NP_("click", "{name} {filename!r} is not writable."),
    NP_("click", "{name} {filename!r} is not readable."),
    NP_("click", "Could not open file {filename!r}: {message}"),
    NP_("click", "file"),
    NP_("click", "directory"),
    NP_("click", "path"),
    NP_("click", "Positional arguments"),
    NP_("click", "%(prog)s, version %(version)s"),
]


def speak() -> None:
    """click's messages through our catalogs, in the language chosen for this run."""
    def one(message: str) -> str:
        return pgettext("click", message)

    def many(singular: str, plural: str, count: int) -> str:
        return pgettext("click", singular if count == 1 else plural)

    for module in (click.core, click.exceptions, click.formatting, click.parser, click.types,
                   click.decorators, click.termui):
        if hasattr(module, "_"):
            module._ = one  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = many  # type: ignore[attr-defined]


def translate_help(command: click.Command) -> None:
    """Every command's and option's help in the chosen language (the English is kept)."""
    command.options_metavar = pgettext("click", "[OPTIONS]")
    cached = getattr(command, "_help_option", None)  # click keeps the --help it made once
    if cached is not None:
        cached.help = pgettext("click", "Show this message and exit.")
    for item in [command, *command.params]:
        source = item.__dict__.setdefault("_english_help", item.help)
        if source:
            english = inspect.cleandoc(source)
            said = gettext(english)  # ours; else click's own (--version's, made at import)
            item.help = said if said != english else pgettext("click", english)
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            translate_help(sub)
