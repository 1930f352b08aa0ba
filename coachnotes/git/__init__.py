"""Git, and only here: the repository, `sync` (nothing is ever lost) and erasure (`forget`,
and what sync erases after another device's forget). The only layer that imports GitPython;
imports output, answers, rules and vault below it."""
