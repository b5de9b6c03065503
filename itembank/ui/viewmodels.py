"""What the item pages show about a version, computed once for the templates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from itembank.access import roles_in
from itembank.extensions import db
from itembank.itemtypes import ItemType
from itembank.models import AuditEvent, Bank, Item, ItemVersion, Role, TaxonomyNode, User
from itembank.operations.content import visible_taxonomies
from itembank.operations.reads import READ_ACTIONS
from itembank.plugins import plugins
from itembank.ui.i18n import current_language, pick
from itembank.ui.i18n import gettext as _


@dataclass
class Classification:
    taxonomy: str
    taxonomy_name: str
    code: str
    name: str
    level: int | None
    level_name: str


@dataclass
class VersionView:
    version: ItemVersion
    item_type: ItemType | None
    preview: Markup
    classifications: list[Classification]
    #: ``[(option id, text, weight or None, is key)]`` for the key table.
    options: list[tuple[str, Markup, Any, bool]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    #: ``[(label, value)]``: the type's further facts (points, scale, shuffle ...).
    extra: list[tuple[str, Any]] = field(default_factory=list)
    #: The passage version the version pins (its item set), shown beside it.
    passage: Any = None
    passage_body: Markup = field(default_factory=Markup)


def type_of(item: Item) -> ItemType | None:
    return plugins().item_types.get(item.item_type)


def type_label(type_id: str) -> str | Markup:
    """The item type's name in the current language. A type whose plugin is not
    installed (removed, or refused by ``ITEMBANK_PLUGINS_DENY``) reads as words, with
    its code beside them as code, for the administrator who must install it."""
    item_type = plugins().item_types.get(type_id)
    if item_type is not None:
        return pick(item_type.label)
    return Markup('{} <code class="type-code" title="{}">{}</code>').format(
        _("item type not installed"),
        _(
            "The code of the item type: install or enable its plugin to show, score and "
            "export these items."
        ),
        type_id,
    )


_ID_ATTRIBUTE = re.compile(r'\b(id|for|name|aria-describedby|aria-labelledby)="([^"]*)"')


def preview_html(
    item_type: ItemType | None, stem: str, content: dict[str, Any], scope: str = ""
) -> Markup:
    """The candidate's view. Stem and rich text are sanitized already; a type whose
    plugin is no longer loaded shows the stem only.

    ``scope`` is appended to the element ids of the preview, so two previews of the
    same item on one page (the review screen's comparison) keep their labels apart.
    """
    html = None
    if item_type is not None:
        try:
            html = item_type.preview_html(stem, content, current_language())
        except (KeyError, TypeError, ValueError):
            html = None  # content the type can no longer read: show the stem
    if html is None:
        return Markup('<div class="ib-item"><div class="ib-stem">{}</div></div>').format(
            Markup(stem)
        )
    if scope:

        def rescope(match: re.Match[str]) -> str:
            ids = " ".join(f"{part}-{scope}" for part in match.group(2).split())
            return f'{match.group(1)}="{ids}"'

        html = _ID_ATTRIBUTE.sub(rescope, html)
    return Markup(html)


def fact_labels(item_type: ItemType | None) -> dict[str, str]:
    """Content field name -> its label in the current language, from the type's editor
    description (``points`` -> "Poin")."""
    if item_type is None:
        return {}
    return {f.name: pick(f.label) for f in item_type.editor_fields()}


def choice_label(item_type: ItemType, name: str, value: Any) -> Any:
    """A fact's value as its editor choice reads (``all_or_nothing`` -> "Semua atau
    tidak sama sekali"); other values unchanged."""
    for editor_field in item_type.editor_fields():
        if editor_field.name == name:
            for choice, label in editor_field.choices:
                if choice == value:
                    return pick(label)
    return value


def classifications(version: ItemVersion) -> list[Classification]:
    result = []
    for entry in version.classifications:
        node = entry.node
        level_name = ""
        for level in node.levels or []:
            if int(level.get("level", 0)) == entry.level:
                level_name = pick(level.get("name"))
        result.append(
            Classification(
                taxonomy=node.taxonomy.code,
                taxonomy_name=pick(node.taxonomy.name),
                code=node.code,
                name=pick(node.name),
                level=entry.level,
                level_name=level_name,
            )
        )
    return sorted(result, key=lambda c: (c.taxonomy, c.code, c.level or 0))


def version_view(item: Item, version: ItemVersion, scope: str = "") -> VersionView:
    """``scope`` tells apart the element ids of several items' previews on one page (a
    passage's set), whose stems and types may be the same; the version number always
    does."""
    item_type = type_of(item)
    view = VersionView(
        version=version,
        item_type=item_type,
        preview=preview_html(item_type, version.stem, version.content, f"{scope}v{version.number}"),
        classifications=classifications(version),
    )
    if version.passage_version is not None:
        view.passage = version.passage_version
        view.passage_body = Markup(version.passage_version.body)
    if item_type is None:
        return view
    try:
        summary = item_type.summary(version.content)
    except (KeyError, TypeError, ValueError):
        return view
    view.keys = [str(k) for k in summary.keys]
    labels = fact_labels(item_type)
    view.extra = [
        (labels.get(name, name), choice_label(item_type, name, value))
        for name, value in summary.extra.items()
    ]
    view.options = [
        (ident, Markup(text), summary.weights.get(ident), ident in summary.keys)
        for ident, text in summary.options.items()
    ]
    return view


def history(item: Item, versions: list[ItemVersion]) -> list[AuditEvent]:
    """Who did what to the item, newest first: the audit trail without reads, limited
    to the versions the user may see."""
    numbers = [v.number for v in versions]
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(
                AuditEvent.item_id == item.id,
                AuditEvent.action.not_in(READ_ACTIONS),
                sa.or_(
                    AuditEvent.version_number.is_(None),
                    AuditEvent.version_number.in_(numbers),
                ),
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    )


def may(user: User, bank: Bank, *roles: Role) -> bool:
    """Whether ``user`` holds one of ``roles`` (for showing buttons; the operations
    check again)."""
    return user.is_admin or bool(roles_in(user, bank) & set(roles))


def taxonomy_choices(bank: Bank) -> list[dict[str, Any]]:
    """The taxonomies the bank can use, with their nodes in tree order and the levels'
    descriptions, for the classification picker and the list filter."""
    taxonomies = list(
        db.session.scalars(
            visible_taxonomies(bank).order_by(sa.text("bank_id IS NULL"), sa.text("code"))
        )
    )
    nodes_by_taxonomy: dict[int, list[TaxonomyNode]] = {}
    if taxonomies:
        for node in db.session.scalars(
            sa.select(TaxonomyNode)
            .where(TaxonomyNode.taxonomy_id.in_([t.id for t in taxonomies]))
            .order_by(TaxonomyNode.taxonomy_id, TaxonomyNode.position)
        ):
            nodes_by_taxonomy.setdefault(node.taxonomy_id, []).append(node)
    result = []
    for taxonomy in taxonomies:
        nodes = []
        for node in _tree_order(nodes_by_taxonomy.get(taxonomy.id, [])):
            nodes.append(
                {
                    "code": node.code,
                    "name": pick(node.name),
                    "depth": node.path.strip("/").count("/"),
                    "description": pick(node.description),
                    "levels": [
                        {
                            "level": int(level["level"]),
                            "name": pick(level.get("name")),
                            "description": pick(level.get("description")),
                            "indicators": [
                                " ".join(
                                    part
                                    for part in (str(i.get("code", "")), str(i.get("text", "")))
                                    if part
                                )
                                if isinstance(i, dict)
                                else str(i)
                                for i in level.get("indicators") or []
                            ],
                        }
                        for level in node.levels or []
                    ],
                }
            )
        result.append({"code": taxonomy.code, "name": pick(taxonomy.name), "nodes": nodes})
    return result


def _tree_order(nodes: list[TaxonomyNode]) -> list[TaxonomyNode]:
    children: dict[int | None, list[TaxonomyNode]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)
    ordered: list[TaxonomyNode] = []

    def walk(parent: int | None) -> None:
        for node in children.get(parent, []):
            ordered.append(node)
            walk(node.id)

    walk(None)
    return ordered
