"""The demo bank: CACT-DEMO with its users and items in a mix of states.

Everything goes through the domain operations, so the demo's items have the same
history, audit trail and checks as items made by people.
"""

from __future__ import annotations

from collections import Counter

from itembank.extensions import db
from itembank.models import Bank, Form, Item, Role, User
from itembank.operations.accounts import add_member, create_bank, create_user
from itembank.operations.blueprints import create_blueprint
from itembank.operations.enemies import mark_enemies
from itembank.operations.forms import add_entry, create_form, lock_form
from itembank.operations.items import create_item, current_draft, start_new_draft, update_draft
from itembank.operations.reviews import retire_item, review_version, submit_version
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


def load_demo(plugins: PluginHost, *, password: str) -> str:
    """Create the demo users, bank and items; returns a one-paragraph summary."""
    from itembank.demo_content import DEMO_ITEMS

    sync_plugin_taxonomies(plugins)
    users: dict[str, User] = {}
    bank: Bank = create_bank(
        BANK_CODE,
        "Bank Soal Demo CACT ASN",
        actor=None,
        language="id",
        required_approvals=2,
    )
    for username, name, is_admin, roles in DEMO_USERS:
        user = create_user(username, password, actor=None, display_name=name, is_admin=is_admin)
        users[username] = user
        for role in roles:
            add_member(bank, user, role, actor=None)
    add_member(bank, users["admin"], Role.BANK_ADMIN, actor=None)

    author, reviewers = users["penulis"], [users["penelaah1"], users["penelaah2"]]
    statuses: Counter[str] = Counter()
    by_key: dict[str, Item] = {}
    for entry in DEMO_ITEMS:
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
    form = _load_assembly(bank, by_key, users, plugins)
    summary = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
    return (
        f"loaded demo bank {BANK_CODE}: {sum(statuses.values())} items ({summary}); "
        f"form {form.external_id} ({form.status}); users: {', '.join(users)}"
    )


def _load_assembly(
    bank: Bank, by_key: dict[str, Item], users: dict[str, User], plugins: PluginHost
) -> Form:
    """The demo blueprint, its locked form and the enemy pairs."""
    from itembank.demo_content import DEMO_BLUEPRINT, DEMO_ENEMIES, DEMO_FORM

    assembler = users["perakit"]
    for first, second, reason in DEMO_ENEMIES:
        mark_enemies(by_key[first], by_key[second], actor=users["penelaah1"], reason=reason)
    blueprint = create_blueprint(bank, DEMO_BLUEPRINT, actor=assembler, plugins=plugins)
    form = create_form(bank, blueprint, title=DEMO_FORM["title"], actor=assembler)
    for position, keys in enumerate(DEMO_FORM["sections"], start=1):
        for key in keys:
            version = by_key[key].approved_version
            assert version is not None, key
            add_entry(form, version, actor=assembler, section=position)
    lock_form(form, actor=assembler, plugins=plugins)
    return form
