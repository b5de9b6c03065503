"""itembank: item authoring and item-bank management for competency tests."""

from itembank.hookspecs import hookimpl

__all__ = ["hookimpl"]
