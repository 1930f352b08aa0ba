"""Answers from the model: what is due, the views of a client that pages, terminal tables and
documents render, results, the sponsor's documents as data, hours, and search (its index is a
private cache of the notes). Imports rules and vault (and errors, i18n) only."""
