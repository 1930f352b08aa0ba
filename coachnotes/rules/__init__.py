"""The rules: `check` (problems as values) and `check --fix` (repairs that keep every other
byte). Imports the vault layer (and errors, i18n) only."""
