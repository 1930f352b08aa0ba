"""Answers from the model: what is due, the views of a client that pages, terminal tables and
documents render, results, the sponsor's documents as data, hours, what to invoice, and search
(its index is a private cache of the notes; `wordforms` reads Dutch as coaches write it).
Imports rules and vault (and errors, i18n) only."""
