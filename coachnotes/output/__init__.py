"""What is written for people: the generated pages and their Mermaid diagrams, terminal
tables, the sponsor's documents (Markdown, Word, PDF), invoices (PDF and UBL e-invoice, from
the register alone), hours as spreadsheets and the coachee's export. Imports answers, rules and
vault; never git, click or watchdog."""
