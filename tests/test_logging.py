"""Logs to standard output, one line per record, tagged with the request's id."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from itembank import logging_setup
from tests.conftest import Backend, make_app

log = logging.getLogger("itembank.tests.logging")


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Put the root logger back as it was after a test that configured it."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def _logging_app(backend: Backend, log_format: str) -> Flask:
    # Not TESTING: under test the app leaves logging to pytest.
    app = make_app(backend, TESTING=False, ITEMBANK_LOG_FORMAT=log_format)

    @app.get("/_test/log")
    def log_twice() -> str:
        log.info("first record")
        try:
            raise RuntimeError("line one\nline two")
        except RuntimeError:
            log.exception("second record")
        return "logged"

    return app


def _lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if "record" in line]


def test_json_lines_carry_the_request_id(
    backend: Backend, root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    client = _logging_app(backend, "json").test_client()
    capsys.readouterr()
    response = client.get("/_test/log")
    request_id = response.headers["X-Request-ID"]
    records = [json.loads(line) for line in _lines(capsys)]
    assert [record["message"] for record in records] == ["first record", "second record"]
    assert {record["request_id"] for record in records} == {request_id}
    assert records[0]["level"] == "INFO" and records[0]["logger"] == log.name
    assert "RuntimeError: line one\nline two" in records[1]["exception"]


def test_text_lines_are_one_line_per_record(
    backend: Backend, root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    client = _logging_app(backend, "text").test_client()
    capsys.readouterr()
    client.get("/_test/log", headers={"X-Request-ID": "proxy-7f3a.42"})
    first, second = _lines(capsys)
    assert " INFO " in first and first.endswith(f"{log.name} [proxy-7f3a.42] first record")
    assert "[proxy-7f3a.42] second record\\nTraceback" in second
    assert "RuntimeError: line one\\nline two" in second


def test_configuring_twice_leaves_one_handler(root_logging: None) -> None:
    logging_setup.configure("text")
    logging_setup.configure("json")
    ours = [h for h in logging.getLogger().handlers if isinstance(h, logging_setup.StdoutHandler)]
    assert len(ours) == 1 and isinstance(ours[0].formatter, logging_setup.JsonFormatter)


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc-123", True),
        ("Root=1-67891233-abcdef012345678912345678", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("has space", False),
        ('quote"d', False),
        ("", False),
    ],
)
def test_request_id_is_echoed_when_sane(app: Any, sent: str, kept: bool) -> None:
    response = app.test_client().get("/livez", headers={"X-Request-ID": sent})
    echoed = response.headers["X-Request-ID"]
    if kept:
        assert echoed == sent
    else:
        assert echoed != sent and len(echoed) == 32 and int(echoed, 16) >= 0


def test_each_request_gets_its_own_id(app: Any) -> None:
    client = app.test_client()
    first = client.get("/livez").headers["X-Request-ID"]
    second = client.get("/no-such-page").headers["X-Request-ID"]
    assert first != second


def test_access_records_take_the_id_of_the_response() -> None:
    # gunicorn logs an access line with its "atoms" (response headers among them) as args.
    record = logging.LogRecord(
        "gunicorn.access", logging.INFO, __file__, 1, "%(r)s %(s)s", None, None
    )
    record.args = {"r": "GET /livez HTTP/1.1", "s": "200", "{x-request-id}o": "abc-123"}
    logging_setup.RequestIdFilter().filter(record)
    line = json.loads(logging_setup.JsonFormatter().format(record))
    assert line["request_id"] == "abc-123" and line["message"] == "GET /livez HTTP/1.1 200"


def test_log_format_is_checked() -> None:
    assert logging_setup.log_format(None) == "text"
    assert logging_setup.log_format(" JSON ") == "json"
    with pytest.raises(ValueError, match="ITEMBANK_LOG_FORMAT must be text or json"):
        logging_setup.log_format("xml")
