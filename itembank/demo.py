"""The demo bank: CACT-DEMO with its users and items in a mix of states.

Everything goes through the domain operations, so the demo's items have the same
history, audit trail and checks as items made by people.

The items, the blueprint, the form and the enemy pairs are data: JSON files (UTF-8,
indent 2) in ``itembank/demo_data/``. :data:`ITEM_FILES` lists the item files in the order
the loader creates their items: original items in Indonesian, written the way a *penulis
soal* writes them against a *kisi-kisi*: SKD CPNS items (TWK, TIU, TKP), PPPK-style
managerial and socio-cultural situational-judgement items weighted 1..4 against the ASN
competency standard (PermenPANRB 38/2017), and at least two items of every other built-in
type. Images are bank media, referenced as ``/media/<sha256>``: the graphic items (hotspot,
graphic gap match) show the floor plan and marker tiles of
``plugins.itemtypes._graphic.EXAMPLE_MEDIA``, which the loader uploads to the bank first
(:func:`upload_demo_media`).
Each item file is ``{"about": "what the group is", "items": [...]}``; every item is::

    {
        "key": "tkp-pelayanan-01",       # unique slug
        "type": "weighted_options",      # item type id
        "versions": [                    # 1 to 3 versions, oldest first
            {
                "stem": "<p>...</p>",    # sanitizable HTML
                "content": {...},        # the item type's content document
                "metadata": {
                    "classifications": [
                        {"taxonomy": "skd-cpns", "node": "TKP.PP", "level": null}
                    ],
                    "difficulty": 0.55,  # estimated proportion correct p, or null
                    "tags": ["tkp", "pelayanan"],
                    "language": "id",
                    "notes": "catatan penulis"
                },
                "outcome": "approved",   # what happened to this version
                "comment": ""            # the reviewer's comment ("" when none)
            }
        ]
    }

``outcome`` of every version but the last is ``"approved"`` or ``"changes_requested"``:
the next version was written from it, and the differences between versions are the
revisions that answer the reviewer's ``comment``. The last version's outcome is one of
``"draft"`` (not yet submitted), ``"in_review"``, ``"changes_requested"``,
``"approved"``, ``"rejected"`` or ``"retired"`` (approved, later withdrawn from use;
``comment`` then gives the reason).

Classifications use the taxonomies ``asn-2017`` (``M.1``..``M.8``, ``SK.1``, level
1..5), ``skd-cpns`` (``TWK.*``, ``TIU.*``, ``TKP.*``, no level) and ``bloom-revised``
(``C1``..``C6``, no level). TKP items weight their five options 1..5, each weight once;
managerial and socio-cultural items weight their four options 1..4, each once.

:data:`ASSEMBLY_FILE` holds ``"blueprint"`` (what :func:`create_blueprint` takes),
``"form"`` (``"title"`` and ``"sections"``: the item keys per blueprint section, in
delivery order, all approved), ``"enemies"`` (``{"items": [key, key], "reason": ...}``)
and ``"administration"``: the form is exported (QTI 3.0, by ``perakit``) and delivered in
a **simulated** administration (flagged ``simulated``, titled "(simulasi)", candidate ids
starting with ``SIM``) so that every results and statistics page has numbers:
``"candidates"`` and ``"seed"``, a ``"group"`` variable (``name``, ``reference``,
``focal``, ``focal_share``), a planted ``"wrong_key"`` (``item`` key, ``option``: the
delivery scores that distractor as correct) and planted ``"dif"`` (``item`` key,
``shift``: how much harder for the focal group). See
:mod:`itembank.operations.simulated_results`.
The users and the bank stay here: the loader's review history names them.

The demo's users share one known password and one of them is a global administrator, so
the demo is for a database of its own: :func:`load_demo` refuses a database that already
has users (a real installation, or the demo loaded before) unless it is forced.
"""

from __future__ import annotations

import json
from collections import Counter
from importlib import resources
from typing import Any

import sqlalchemy as sa
from flask import current_app

from itembank.errors import Conflict
from itembank.extensions import db
from itembank.models import Administration, Bank, Form, Item, Role, User
from itembank.operations.accounts import add_member, create_bank, create_user
from itembank.operations.blueprints import create_blueprint
from itembank.operations.calibration import check_calibration_request, run_calibration
from itembank.operations.enemies import mark_enemies
from itembank.operations.export import export_form
from itembank.operations.form_report import load_form_entries
from itembank.operations.forms import add_entry, create_form, lock_form
from itembank.operations.items import create_item, current_draft, start_new_draft, update_draft
from itembank.operations.media import upload_media
from itembank.operations.results import results_secret
from itembank.operations.reviews import retire_item, review_version, submit_version
from itembank.operations.simulated_administration import simulate_administration
from itembank.operations.simulated_results import GroupSpec, SimulationSettings, WrongKey
from itembank.operations.taxonomies import sync_plugin_taxonomies
from itembank.plugins import PluginHost
from itembank.workflow import Decision

BANK_CODE = "CACT-DEMO"

DEMO_USERS: list[tuple[str, str, bool, list[Role]]] = [
    ("admin", "Administrator Sistem", True, []),
    ("penulis", "Rina Kartika (penulis soal)", False, [Role.AUTHOR]),
    ("penelaah1", "Budi Santoso (penelaah)", False, [Role.REVIEWER]),
    ("penelaah2", "Sri Wahyuni (penelaah)", False, [Role.REVIEWER]),
    ("perakit", "Agus Prasetyo (perakit)", False, [Role.ASSEMBLER]),
]

DATA = resources.files("itembank") / "demo_data"
"""The folder of the demo's data files (package data)."""

ITEM_FILES = (
    "skd-tkp.json",
    "pppk-sjt.json",
    "skd-twk.json",
    "skd-tiu.json",
    "other-types.json",
    "interaction-types.json",
)
"""The item files, in the order the loader creates their items."""

ASSEMBLY_FILE = "assembly.json"


def read_demo_file(name: str) -> dict[str, Any]:
    """One data file of :data:`DATA`, parsed afresh."""
    data: dict[str, Any] = json.loads((DATA / name).read_text(encoding="utf-8"))
    return data


def demo_items() -> list[dict[str, Any]]:
    """Every demo item, in the order the loader creates them."""
    return [item for name in ITEM_FILES for item in read_demo_file(name)["items"]]


class DemoRefused(Conflict):
    """The database already has users: the demo is not loaded into it."""

    code = "demo_refused"


def check_demo_target(*, force: bool = False) -> None:
    """Raise :class:`DemoRefused` unless the database has no users yet (or ``force``).

    The demo adds accounts with a password everybody knows, a global administrator
    among them: loaded into a real installation they would be a way in. A database with
    users is either one (refused, naming some of them) or holds the demo already
    (refused too: loading it twice would fail half way)."""
    if force:
        return
    names = list(db.session.scalars(sa.select(User.username).order_by(User.id).limit(6)))
    if not names:
        return
    demo_names = {username for username, *_ in DEMO_USERS}
    has_demo_bank = db.session.scalar(sa.select(Bank.id).where(Bank.code == BANK_CODE)) is not None
    if has_demo_bank and set(names) <= demo_names:
        raise DemoRefused(f"the demo bank {BANK_CODE} is already loaded in this database")
    others = [name for name in names if name not in demo_names] or names
    shown = ", ".join(others[:5]) + (", ..." if len(names) > 5 else "")
    raise DemoRefused(
        f"this database already has users ({shown}): the demo's accounts share a known "
        "password and include an administrator, so they are not added to a database in "
        "use; load the demo into an empty database, or force it (--force or "
        "ITEMBANK_DEMO_FORCE=1) if this database is for trying things out"
    )


#: The demo bank's writing rules: every item classified; SKD's five options (TWK/TIU
#: single choice); every weight of the scale used once (TKP 1 to 5, PPPK 1 to 4).
DEMO_WRITING_RULES = {
    "require_classification": True,
    "types": {
        "single_choice": {"options": 5},
        "weighted_options": {"distinct_weights": True},
    },
}


def load_demo(plugins: PluginHost, *, password: str, force: bool = False) -> str:
    """Create the demo users, bank and items; returns a one-paragraph summary. Refused
    (:func:`check_demo_target`) when the database already has users, unless ``force``."""
    check_demo_target(force=force)
    sync_plugin_taxonomies(plugins)
    users: dict[str, User] = {}
    bank: Bank = create_bank(
        BANK_CODE,
        "Bank Soal Demo CACT ASN",
        actor=None,
        language="id",
        required_approvals=2,
    )
    bank.settings = {**bank.settings, "writing_rules": DEMO_WRITING_RULES}
    for username, name, is_admin, roles in DEMO_USERS:
        user = create_user(username, password, actor=None, display_name=name, is_admin=is_admin)
        users[username] = user
        for role in roles:
            add_member(bank, user, role, actor=None)
    add_member(bank, users["admin"], Role.BANK_ADMIN, actor=None)

    author, reviewers = users["penulis"], [users["penelaah1"], users["penelaah2"]]
    upload_demo_media(bank, author)
    statuses: Counter[str] = Counter()
    by_key: dict[str, Item] = {}
    for entry in demo_items():
        item = None
        for index, spec in enumerate(entry["versions"]):
            if item is None:
                item = create_item(
                    bank,
                    actor=author,
                    plugins=plugins,
                    item_type=entry["type"],
                    stem=spec["stem"],
                    content=spec["content"],
                    metadata=spec["metadata"],
                )
                version = item.versions[0]
            else:
                start_new_draft(item, actor=author)
                version = current_draft(item)
                version = update_draft(
                    version,
                    actor=author,
                    plugins=plugins,
                    base_revision=version.revision,
                    stem=spec["stem"],
                    content=spec["content"],
                    metadata=spec["metadata"],
                )
            outcome = spec["outcome"]
            if outcome == "draft":
                continue
            submit_version(version, actor=author)
            if outcome in ("approved", "retired"):
                for reviewer in reviewers:
                    review_version(version, actor=reviewer, decision=Decision.APPROVE)
            elif outcome == "changes_requested":
                review_version(
                    version,
                    actor=reviewers[index % 2],
                    decision=Decision.REQUEST_CHANGES,
                    comment=spec.get("comment") or "Mohon perbaiki sesuai catatan telaah.",
                )
            elif outcome == "rejected":
                review_version(
                    version,
                    actor=reviewers[0],
                    decision=Decision.REJECT,
                    comment=spec.get("comment") or "Butir tidak sesuai kisi-kisi.",
                )
            if outcome == "retired":
                retire_item(
                    item,
                    actor=users["admin"],
                    reason=spec.get("comment") or "Butir sudah terlalu sering terpapar.",
                )
        assert item is not None
        by_key[entry["key"]] = item
        statuses[item.latest_version.status] += 1
        db.session.flush()
    passage = _demo_passage(bank, author, reviewers)
    form = _load_assembly(bank, by_key, users, plugins)
    administration = _simulated_administration(form, by_key, users["perakit"], plugins)
    candidates = read_demo_file(ASSEMBLY_FILE)["administration"]["candidates"]
    summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    return (
        f"loaded demo bank {BANK_CODE}: {sum(statuses.values())} items ({summary}); "
        f"form {form.external_id} ({form.status}); simulated administration "
        f"{administration.external_id} ({candidates} candidates); passage "
        f"{passage.external_id} (approved, for item sets); users: {', '.join(users)}"
    )


def demo_media() -> dict[str, bytes]:
    """The images the demo items show, by SHA-256: those of the graphic types' examples
    (``EXAMPLE_MEDIA``) that an item's stem or content references."""
    from plugins.itemtypes._graphic import EXAMPLE_MEDIA

    text = json.dumps(demo_items())
    return {sha: data for sha, data in EXAMPLE_MEDIA.items() if f"/media/{sha}" in text}


def upload_demo_media(bank: Bank, author: User) -> None:
    """Store the demo's images in ``bank`` as the author would upload them (audited), so
    that the items referencing them pass the media check when they are saved."""
    limit = int(current_app.config["ITEMBANK_MEDIA_MAX_BYTES"])
    for sha, data in demo_media().items():
        upload_media(bank, data, actor=author, filename=f"demo-{sha[:12]}.png", max_bytes=limit)


#: The demo's passage: approved, so authors can build an item set on it.
DEMO_PASSAGE = {
    "title": "Layanan perizinan daring di Kota Harapan",
    "body": (
        "<p>Sejak Januari 2024 Pemerintah Kota Harapan melayani izin usaha mikro secara "
        "daring. Tabel berikut mencatat permohonan yang masuk dan yang selesai tepat "
        "waktu.</p><table><tr><th>Triwulan</th><th>Permohonan</th><th>Selesai tepat "
        "waktu</th></tr><tr><td>I</td><td>1.200</td><td>960</td></tr><tr><td>II</td>"
        "<td>1.500</td><td>1.275</td></tr></table><p>Pada triwulan II, "
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mfrac><mn>17</mn><mn>20</mn>'
        "</mfrac></math> permohonan selesai tepat waktu.</p>"
    ),
}


def _demo_passage(bank: Bank, author: User, reviewers: list[User]) -> Any:
    from itembank.operations.passage_reviews import review_passage_version, submit_passage_version
    from itembank.operations.passages import create_passage

    passage = create_passage(bank, actor=author, **DEMO_PASSAGE)
    version = submit_passage_version(passage.latest_version, actor=author)
    for reviewer in reviewers:
        review_passage_version(version, actor=reviewer, decision=Decision.APPROVE)
    return passage


def _load_assembly(
    bank: Bank, by_key: dict[str, Item], users: dict[str, User], plugins: PluginHost
) -> Form:
    """The demo blueprint, its locked form and the enemy pairs."""
    assembly = read_demo_file(ASSEMBLY_FILE)
    assembler = users["perakit"]
    for pair in assembly["enemies"]:
        first, second = (by_key[key] for key in pair["items"])
        mark_enemies(first, second, actor=users["penelaah1"], reason=pair["reason"])
    blueprint = create_blueprint(bank, assembly["blueprint"], actor=assembler, plugins=plugins)
    form = create_form(bank, blueprint, title=assembly["form"]["title"], actor=assembler)
    for position, keys in enumerate(assembly["form"]["sections"], start=1):
        for key in keys:
            version = by_key[key].approved_version
            assert version is not None, key
            add_entry(form, version, actor=assembler, section=position)
    lock_form(form, actor=assembler, plugins=plugins)
    return form


def _simulated_administration(
    form: Form, by_key: dict[str, Item], assembler: User, plugins: PluginHost
) -> Administration:
    """Export the demo form and deliver it to simulated candidates (see the module's
    documentation): their results are imported through the real importer."""
    spec = read_demo_file(ASSEMBLY_FILE)["administration"]
    export_form(form, exporter_id="qti3", actor=assembler, plugins=plugins)
    order = [entry.item_id for entry in load_form_entries(form)]

    def position(key: str) -> int:
        return order.index(by_key[key].id)

    settings = SimulationSettings(
        candidates=spec["candidates"],
        seed=spec["seed"],
        group=GroupSpec(**spec["group"]),
        dif={position(spec["dif"]["item"]): float(spec["dif"]["shift"])},
        wrong_key=WrongKey(position(spec["wrong_key"]["item"]), spec["wrong_key"]["option"]),
    )
    made = simulate_administration(
        form,
        actor=assembler,
        plugins=plugins,
        secret=results_secret(current_app.config),
        settings=settings,
    )
    if made.batch.status != "completed":
        raise RuntimeError(
            f"the demo's simulated results did not import: {made.batch.problems[:3]}"
        )
    # Calibrated too, so the items' Statistik tab draws their curves.
    request = check_calibration_request(
        form.bank,
        {"administrations": [made.administration.external_id], "min_responses": 100},
        actor=assembler,
    )
    run = run_calibration(form.bank, request, actor=assembler)
    if run.status != "completed":
        raise RuntimeError(f"the demo's calibration did not complete: {run.summary}")
    return made.administration
