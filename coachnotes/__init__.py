"""coachnotes: a plain-text practice journal for professional coaches."""

__version__ = "0.1.0"
