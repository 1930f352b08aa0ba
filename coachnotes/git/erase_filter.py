"""git-filter-repo, driven from Python with coachnotes' own callbacks (its manual: "using
filter-repo as a library"), in a process of its own: `python -m coachnotes.git.erase_filter
CONFIG`. The vault's repository is only read (`--source`); the rewritten history goes to a new
bare repository (`--target`), so a failure or a kill here leaves the vault as it was.

Each blob is handled as the files here are (`erase_tree.erase_bytes`, by its contents): a note
of the erased client, wherever it lies, is dropped from every commit; a document that mentions
the client outside the client folders (an export, a report committed by mistake: W118)
likewise; an hours file is made again without the client; every other text has its mentions
replaced, YAML kept valid, and a generated page loses the client's rows whole. Paths and commit
and tag messages are rewritten too, and the client folders of every id the client had are
removed.
"""

from __future__ import annotations

import json
import sys


class Callbacks:
    """What git-filter-repo calls for each blob, path, message and commit."""

    def __init__(self, config: dict) -> None:
        from coachnotes.vault.redact import Mentions

        self.mentions = Mentions(config["ids"], config["names"], config["others"])
        self.word = config["word"]
        self.prefix = config["prefix"]
        self.clients = (config["prefix"] + "clients/").encode()
        self.documents: set[int] = set()

    def blob(self, item, _metadata) -> None:
        from coachnotes.git.erase_tree import erase_bytes
        from coachnotes.vault.redact import is_own_note

        new = erase_bytes(item.data, self.mentions, self.word)
        if new is None and is_own_note(item.data, self.mentions):
            item.skip()
        elif new is None:
            self.documents.add(item.id)
        else:
            item.data = new

    def text(self, value: bytes | None) -> bytes | None:
        if value is None:
            return None
        return self.mentions.replace_plain(value.decode("utf-8", "surrogateescape"),
                                           self.word).encode("utf-8", "surrogateescape")

    def path(self, value: bytes | None) -> bytes | None:
        """Paths that name the client are renamed; a document named for it is dropped."""
        if value is None:
            return None
        name = value.decode("utf-8", "surrogateescape")
        if self.mentions.document_of(name.removeprefix(self.prefix)):
            return None
        return self.text(value)

    def commit(self, item, _metadata) -> None:
        item.file_changes = [c for c in item.file_changes if not (
            c.type == b"M" and c.blob_id in self.documents
            and not c.filename.startswith(self.clients))]


def run(config: dict) -> None:
    import git_filter_repo as fr

    calls = Callbacks(config)
    args = ["--force", "--quiet", "--source", config["source"], "--target", config["target"],
            "--invert-paths"]
    for folder in config["paths"]:
        args += ["--path", folder]
    options = fr.FilteringOptions.parse_args(args, error_on_empty=False)
    fr.RepoFilter(options, blob_callback=calls.blob, filename_callback=calls.path,
                  message_callback=calls.text, commit_callback=calls.commit).run()


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as handle:
        run(json.load(handle))
