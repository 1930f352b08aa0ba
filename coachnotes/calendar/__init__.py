"""The calendar on the phone (SPEC §21): the one place that talks to a calendar server
(CalDAV, with the `caldav` client). What is due goes there as events and tasks, with the same
UIDs as `due --ics`; only what coachnotes put there is ever changed."""
