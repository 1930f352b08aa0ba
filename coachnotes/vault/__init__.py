"""Reading the vault: its layout, the files, the note schema and problem codes, front matter,
the model, the saved cache and the erasure log. Imports only coachnotes.errors and
coachnotes.i18n; never git, click or watchdog."""
