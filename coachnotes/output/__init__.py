"""What is written for people: the generated pages, terminal tables, sponsor reports, hours
and the coachee's export. Imports answers, rules and vault; never git, click or watchdog."""
