"""The errors of response processing, raised by :mod:`qti.rp` and reported by importers."""

from __future__ import annotations


class RPError(ValueError):
    """Response processing that cannot be run; the message says why, in English."""


class UnsupportedRP(RPError):
    """Response processing uses an element this evaluator does not implement.

    :ivar element: the element's name as written in the document
        (``customOperator``, ``qti-custom-operator``).
    :ivar line: its line in the document, if known.
    """

    def __init__(self, element: str, reason: str = "", line: int | None = None) -> None:
        self.element = element
        self.reason = reason
        self.line = line
        where = f" (line {line})" if line else ""
        detail = f": {reason}" if reason else ""
        super().__init__(f"unsupported response processing <{element}>{where}{detail}")


class InvalidRP(RPError):
    """Response processing or a response value that breaks the QTI rules."""

    def __init__(self, message: str, line: int | None = None) -> None:
        self.line = line
        super().__init__(f"{message} (line {line})" if line else message)
