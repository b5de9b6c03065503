"""``flask --app wsgi itembank qti ...``: QTI files from the terminal."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from qti.validate import validate_path

qti_cli = AppGroup("qti", help="Validate QTI documents and packages.")


@qti_cli.command("validate")
@click.argument("path", type=click.Path(path_type=Path))
def validate_command(path: Path) -> None:
    """Validate PATH: a QTI or manifest XML file, a folder, or a zip package.

    Prints every issue (file:line: severity: message) and a summary line; exits with
    status 1 when there is any error (warnings alone pass).
    """
    report = validate_path(path)
    for issue in report.issues:
        click.echo(str(issue))
    verdict = "valid" if report.ok else "INVALID"
    click.echo(
        f"{path}: {verdict}: {report.documents} document(s) checked, "
        f"{len(report.errors)} error(s), {len(report.warnings)} warning(s)"
    )
    if not report.ok:
        raise SystemExit(1)
