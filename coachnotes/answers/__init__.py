"""Answers from the model: what is due, and the views of a client that pages, terminal
tables and documents render. Imports rules and vault (and errors, i18n) only."""
