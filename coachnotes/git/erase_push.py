"""The erased history to the remote: every branch and tag it had, each with a lease on what it
held (a remote that moved on is never overwritten), and its old objects pruned where the
remote is a folder here; for a git host, what to ask of it."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from coachnotes.git.repo import no_prompt, reason
from coachnotes.i18n import _
from coachnotes.vault.redact import ERASED


@dataclass
class ForgetReport:
    client: str
    mentions: list[str] = field(default_factory=list)  # other files whose mentions were replaced
    removed: list[str] = field(default_factory=list)  # copies and documents removed whole
    earlier: list[str] = field(default_factory=list)  # earlier ids of the client, erased too
    messages: list[str] = field(default_factory=list)
    pushed: bool = False
    offline: bool = False  # a remote is configured but could not be reached
    word: str = ERASED["en"]  # what mentions now read


def push_erased(repo, root: Path, state: dict, guard, report: ForgetReport) -> None:
    """Push every ref the remote had (the journal's `there`, mirrored before the rewrite),
    rewritten, each with a lease on what it held — renamed where its name held the client —
    after proving that no pushed tree loses a path that is not the client's. Safe to repeat:
    a ref the remote holds as it should already is left alone."""
    import git

    name = state["remote"]
    now = _remote_refs(repo, name)
    if now is None:
        report.offline = True
        report.messages.append(_("could not reach {name!r}: the remote still holds the "
                                 "client. Run `coachnotes sync` when it can be reached; it "
                                 "pushes the erased history").format(name=name))
        return
    specs, leases, lost = _push_specs(repo, root, state, now, guard)
    if lost:
        from coachnotes.errors import Refused

        raise Refused(_("the erased history was not pushed: it would lose files that are not "
                        "the client's ({paths}). This vault is erased; please report this."
                        ).format(paths=", ".join(lost[:5])))
    if specs:
        # All or nothing where the transport can (a remote helper such as gcrypt cannot)
        atomic = [] if "::" in repo.git.remote("get-url", name) else ["--atomic"]
        try:
            with repo.git.custom_environment(**no_prompt(repo)):
                repo.git.push(*atomic, *leases, name, *specs, kill_after_timeout=120)
        except git.GitCommandError as error:
            _push_failed(error, name, report)
            return
    report.pushed = True
    try:  # the remote-tracking refs as the remote now is
        with repo.git.custom_environment(**no_prompt(repo)):
            repo.git.fetch("--quiet", "--prune", "--no-tags", name, kill_after_timeout=60)
    except git.GitCommandError:
        pass


def _push_specs(repo, root: Path, state: dict, now: dict[str, str],
                guard) -> tuple[list[str], list[str], list[str]]:
    """Refspecs and leases for every ref of the remote, and the paths a push would lose."""
    from coachnotes.git.erase_refs import refs

    top = Path(repo.working_tree_dir).resolve()
    here = refs(top)
    before, renamed = state["before"], state["renamed"]
    there, sources = _sources(top, state, remote_of(repo, root)[1])
    specs, leases, lost = [], [], []
    for ref, old in sorted(there.items()):
        source = sources.get(ref)
        if source is None:
            continue
        value = here.get(renamed.get(source, source))
        target = _target(renamed.get(source, source), source, ref)
        if source in before:
            lost += guard.lost(before[source], value)
        if target != ref and now.get(ref) is not None:  # renamed: the old name goes
            specs.append(f":{ref}")
            leases.append(f"--force-with-lease={ref}:{old}")
        if value is None:
            if target == ref and ref in now:
                specs.append(f":{ref}")
                leases.append(f"--force-with-lease={ref}:{old}")
            continue
        if now.get(target) == value:
            continue  # pushed already (a forget resumed after its push)
        specs.append(f"{value}:{target}")
        leases.append(f"--force-with-lease={target}:{old if target == ref else ''}")
    return specs, leases, sorted(set(lost))


def _sources(top: Path, state: dict, branch: str) -> tuple[dict[str, str], dict[str, str]]:
    """The remote's refs as they were (`there`), and for each the ref here whose rewritten
    value it gets: the remote's own, mirrored and rewritten — or this device's branch where
    that holds all the remote had, with this device's own commits on top."""
    from coachnotes.git.erase_refs import MIRROR

    before, there = state["before"], state.get("there")
    local = f"refs/heads/{branch}"
    if there is None:  # the remote was out of reach when the forget began: its branch only
        tracking = f"refs/remotes/{state['remote']}/{branch}"
        there = {local: before[tracking]} if tracking in before else {}
        return there, {local: local}
    sources = {ref: ref if ref.startswith("refs/tags/") else MIRROR + ref[len("refs/"):]
               for ref in there}
    if "local_ahead" not in state:  # decided once, while the old commits are still here
        state["local_ahead"] = local in there and local in before and \
            _contains(top, before[local], there[local])
    if state["local_ahead"]:
        sources[local] = local
    return there, sources


def _target(name_here: str, source: str, ref: str) -> str:
    """The remote's name for a ref: its own, or the renamed one."""
    from coachnotes.git.erase_refs import MIRROR

    if name_here == source:
        return ref
    if name_here.startswith(MIRROR):
        return "refs/" + name_here[len(MIRROR):]
    return name_here  # refs/heads/erased-<n>


def _contains(top: Path, newer: str, older: str) -> bool:
    done = subprocess.run(["git", "merge-base", "--is-ancestor", older, newer], cwd=top,
                          capture_output=True)
    return done.returncode == 0


def _push_failed(error, name: str, report: ForgetReport) -> None:
    text = str(getattr(error, "stderr", "") or error)
    if "stale info" in text or "[rejected]" in text or "fetch first" in text:
        report.messages.append(_("the remote {name!r} has changes from another device: "
                                 "run `coachnotes sync` now; it erases the client from "
                                 "those too and pushes the result").format(name=name))
    else:
        report.offline = True
        report.messages.append(_("could not push to {name!r} ({reason}): the remote "
                                 "still holds the client. Run `coachnotes sync` when it "
                                 "can be reached; it pushes the erased history").format(
                                 name=name, reason=reason(error)))


def _remote_refs(repo, name: str) -> dict[str, str] | None:
    """Every ref of the remote (None when it cannot be reached)."""
    import git

    try:
        with repo.git.custom_environment(**no_prompt(repo)):
            out = repo.git.ls_remote(name, kill_after_timeout=60)
    except git.GitCommandError:
        return None
    pairs = (line.split("\t") for line in out.splitlines() if "\t" in line)
    return {ref: sha for sha, ref in pairs if ref.startswith("refs/") and
            not ref.endswith("^{}")}


def prune_remote(repo, name: str) -> str:
    """A remote that is a folder on this machine is pruned here; any other keeps old objects
    until its host cleans up."""
    url = repo.git.remote("get-url", name)
    path = Path(url.removeprefix("file://"))
    local = "://" not in url.replace("file://", "") and not re.match(r"^[\w.-]+@?[\w.-]*:", url)
    if local and path.is_dir():
        for args in (["reflog", "expire", "--expire=now", "--expire-unreachable=now", "--all"],
                     ["gc", "--prune=now", "--quiet"]):
            subprocess.run(["git", *args], cwd=path, capture_output=True)
        return _("pushed the erased history to {name!r} and pruned its old objects").format(
            name=name)
    return _("pushed the erased history to {name!r}. Its host may keep the old objects until "
             "its own clean-up: ask the host to run garbage collection (on GitHub or GitLab, "
             "through their support, asking to remove cached views and dangling "
             "objects)").format(name=name)


def remote_of(repo, root: Path) -> tuple[str | None, str | None]:
    from coachnotes.vault.load import load_settings

    settings = load_settings(root)
    name = settings.sync.get("remote") or "origin"
    if name not in [r.name for r in repo.remotes]:
        return None, None
    return name, settings.sync.get("branch") or repo.active_branch.name
