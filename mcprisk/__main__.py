"""`python -m mcprisk` runs the command line."""

from .cli import entry

entry()
