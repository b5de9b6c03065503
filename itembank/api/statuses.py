"""The error statuses each operation documents, by rule, instead of a catch-all.

flask-smorest documents a ``default`` error response for every operation, which lets a
client (and schemathesis' status check) accept any status at all. The API instead says,
per operation, which problem statuses it can answer with, derived from what the
operation is:

- every operation that needs a token: 401 (no or bad token);
- one with a path parameter: 404 (absent, or in a bank you are not a member of);
- one acting on something in a bank (any path parameter but an item type's), on tokens,
  or changing anything: 403 (a role you lack, someone else's tokens, a disabled account);
- one with a JSON or form body: 400 (malformed JSON), 413 (too large), 415 (wrong media
  type) and 422 (fails the schema or the domain's checks);
- every operation: 422 (its query or body fails the schema, or holds a NUL character,
  which no field may);
- one that changes state (except creating a token): 409 (the workflow or a uniqueness
  rule refuses it) and 422 (the domain's checks refuse it);
- creating a token: 401 (wrong username or password) and 429 (too many failures).

Operation-specific ones (412 and 428 on draft edits, 304 on cached reads) are declared
on the views. ``tests/api/conftest.py`` checks every response the API test suite
receives against this document.

:class:`ProblemStatusesPlugin` adds them through apispec's public plugin hook
(``operation_helper``), which flask-smorest runs for every operation it documents; the
API passes it as an ``extra_plugins`` spec argument (:mod:`itembank.api`).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from apispec import BasePlugin

METHODS = ("get", "put", "post", "patch", "delete")
MUTATING = frozenset({"put", "post", "patch", "delete"})


def error_statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    """The problem statuses ``method path`` can answer with (see the module doc)."""
    public = operation.get("security") == []
    statuses: set[int] = set()
    if not public:
        statuses.add(401)
    if "{" in path:
        statuses.add(404)
    # Everything but the item types is in a bank (roles), or is a user's own (tokens).
    in_a_bank = "{" in path and "/item-types" not in path
    if in_a_bank or "/tokens" in path or method in MUTATING:
        statuses.add(403)
    if "requestBody" in operation:
        statuses |= {400, 413, 415, 422}
    # Any request can carry a NUL character, which is refused (itembank.api.common).
    statuses.add(422)
    if method in MUTATING and not public:
        statuses |= {409, 422}
    if public and method == "post":
        statuses |= {401, 429}
    return statuses


class ProblemStatusesPlugin(BasePlugin):
    """An apispec plugin adding the rule-derived problem responses to every operation,
    after flask-smorest's own responses (a status an operation declares itself is kept).
    """

    def operation_helper(
        self, path: str | None = None, operations: dict | None = None, **kwargs: Any
    ) -> None:
        if path is None or operations is None:
            return
        for method in METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            # Not yet normalised by apispec: a view's own statuses may be ints here.
            declared = {_status_key(code) for code in responses}
            for status in sorted(error_statuses(path, method, operation)):
                if str(status) not in declared:
                    # A response component's name: apispec makes it a reference.
                    responses[str(status)] = HTTPStatus(status).name


def _status_key(code: Any) -> str:
    """A response key as apispec writes it: ``"412"`` for ``412`` or ``"412"``."""
    try:
        return str(int(code))
    except (TypeError, ValueError):
        return str(code)
