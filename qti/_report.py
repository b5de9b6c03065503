"""The results of validation: :class:`Issue` and :class:`Report`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Issue:
    """One problem found in one file.

    :ivar file: the document's name, or its path inside a package (``items/q1.xml``);
        for problems with a package as a whole, the package's own name.
    :ivar line: 1-based line in ``file``, or ``None`` when the problem has no line.
    :ivar severity: ``"error"`` (a delivery system may reject or mis-score it) or
        ``"warning"`` (legal, but likely to cause trouble).
    :ivar message: what is wrong, in English.
    """

    file: str
    line: int | None
    severity: Severity
    message: str

    def __str__(self) -> str:
        name = self.file or "<document>"
        where = f"{name}:{self.line}" if self.line is not None else name
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class Report:
    """Everything :func:`qti.validate.validate_path` found in a file, folder or package.

    :ivar path: what was validated, as given.
    :ivar issues: every issue, grouped by file in the order the files were examined.
    :ivar documents: how many XML documents were parsed and validated.
    """

    path: str
    issues: list[Issue] = field(default_factory=list)
    documents: int = 0

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there are no errors (warnings allowed)."""
        return not self.errors

    def __str__(self) -> str:
        head = (
            f"{self.path}: {self.documents} document(s), {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s)"
        )
        return "\n".join([head, *(f"  {issue}" for issue in self.issues)])
