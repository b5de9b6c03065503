"""``flask --app wsgi itembank ...``: the command line, one module per concern.

:mod:`.core` holds the ``itembank`` group, users, banks, plugins, taxonomies and the demo;
:mod:`.forms` blueprints, forms and export; :mod:`.imports` imports; :mod:`.qti` QTI
validation; :mod:`.statistics` administrations, results imports, statistics, calibration
and the review queue; :mod:`.results` simulated results (``simulate-results``).
:func:`init_app` registers them all.
"""

from itembank.cli.core import init_app

__all__ = ["init_app"]
