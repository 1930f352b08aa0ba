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


def push_erased(repo, root: Path, before: dict[str, str], report: ForgetReport) -> None:
    """Push every rewritten branch and tag the remote had, each with a lease on what it
    held."""
    import git

    name, branch = remote_of(repo, root)
    if name is None:
        report.messages.append(_("no remote is configured: only this vault was erased"))
        return
    specs, leases = _push_specs(repo, name, branch, before)
    if specs:
        # All or nothing where the transport can (a remote helper such as gcrypt cannot)
        atomic = [] if "::" in repo.git.remote("get-url", name) else ["--atomic"]
        try:
            with repo.git.custom_environment(**no_prompt(repo)):
                repo.git.push(*atomic, *leases, name, *specs, kill_after_timeout=60)
        except git.GitCommandError as error:
            _push_failed(error, name, report)
            return
    report.pushed = True
    report.messages.append(prune_remote(repo, name))


def _push_specs(repo, name: str, branch: str, before: dict[str, str]) -> tuple[list, list]:
    """What to push (refspecs) and the leases: the branches the remote had, and its tags
    that the rewrite changed or removed; nothing a forget interrupted after it pushed."""
    tracking = f"refs/remotes/{name}/"
    there = _remote_refs(repo, name)
    specs, leases = [], []
    for ref, old in sorted(before.items()):
        if not ref.startswith(tracking) or ref.endswith("/HEAD"):
            continue
        remote_branch = ref[len(tracking):]
        local = f"refs/heads/{remote_branch}"
        source = local if remote_branch == branch and _exists(repo, local) else ref
        if _exists(repo, source) and \
                there.get(f"refs/heads/{remote_branch}") != repo.git.rev_parse(source):
            specs.append(f"{source}:refs/heads/{remote_branch}")
            leases.append(f"--force-with-lease=refs/heads/{remote_branch}:{old}")
    for ref, held in sorted(there.items()):
        mine = repo.git.for_each_ref("--format=%(objectname)", ref).strip() \
            if ref.startswith("refs/tags/") else held
        if mine != held:
            specs.append(f"{ref}:{ref}" if mine else f":{ref}")
            leases.append(f"--force-with-lease={ref}:{held}")
    return specs, leases


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


def _remote_refs(repo, name: str) -> dict[str, str]:
    """The remote's branches and tags (none when it cannot be reached: the push says why)."""
    import git

    try:
        with repo.git.custom_environment(**no_prompt(repo)):
            out = repo.git.ls_remote(name, kill_after_timeout=60)
    except git.GitCommandError:
        return {}
    pairs = (line.split("\t") for line in out.splitlines() if "\t" in line)
    return {ref: sha for sha, ref in pairs if not ref.endswith("^{}")}


def _exists(repo, ref: str) -> bool:
    import git

    try:
        repo.git.rev_parse("--verify", "--quiet", ref)
        return True
    except git.GitCommandError:
        return False


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
