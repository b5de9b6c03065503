"""The item editor: a new item, the current draft, live preview and submitting.

The page's script (``static/js/item-editor.js``) builds the type's fields from the item
type's :meth:`~itembank.itemtypes.ItemType.editor_fields` and posts the stem, the
content JSON and the metadata JSON as an ordinary form, so saving goes through
:func:`~itembank.operations.items.create_item` / :func:`update_draft` exactly as the API
does. Problems come back with their field paths and are shown beside the controls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from itembank.access import ensure_visible
from itembank.errors import InvalidInput, NotFound, PermissionDenied, StaleEdit
from itembank.extensions import db
from itembank.itemtypes import ItemType
from itembank.models import Bank, Item, ItemVersion
from itembank.operations import reads
from itembank.operations.accounts import get_bank
from itembank.operations.content import MAX_STEM_CHARS, prepare_version
from itembank.operations.duties import require_writer
from itembank.operations.items import create_item, current_draft, draft_problems, update_draft
from itembank.operations.reviews import submit_version
from itembank.operations.similarity import similar_to_version
from itembank.plugins import plugins
from itembank.request_guard import load_json_text
from itembank.sanitize import MarkupTooComplex, sanitize_html
from itembank.ui.blueprint import actor, bp, commit, login_required, page, redirect_to
from itembank.ui.errors import domain_status
from itembank.ui.i18n import current_language, ngettext, pick
from itembank.ui.i18n import gettext as _
from itembank.ui.nav import format_time
from itembank.ui.problems import named_problems
from itembank.ui.viewmodels import preview_html, taxonomy_choices

FORM_FIELDS = ("stem", "content", "metadata")


def editor_labels() -> dict[str, str]:
    """Every text the editor's scripts show, in the current language."""
    return {
        "bold": _("Bold"),
        "italic": _("Italic"),
        "subscript": _("Subscript"),
        "superscript": _("Superscript"),
        "bullet_list": _("Bulleted list"),
        "ordered_list": _("Numbered list"),
        "foreign_language": _("Foreign-language passage (English)"),
        "insert_table": _("Insert table"),
        "add_row": _("Add row"),
        "add_column": _("Add column"),
        "delete_row": _("Delete row"),
        "delete_column": _("Delete column"),
        "delete_table": _("Delete table"),
        "image": _("Insert image"),
        "undo": _("Undo"),
        "redo": _("Redo"),
        "bold_icon": "B",
        "italic_icon": "I",
        "subscript_icon": "x₂",
        "superscript_icon": "x²",
        "bullet_list_icon": "•",
        "ordered_list_icon": "1.",
        "foreign_language_icon": "EN",
        "insert_table_icon": _("Table"),
        "add_row_icon": _("+ Row"),
        "add_column_icon": _("+ Column"),
        "delete_row_icon": _("− Row"),
        "delete_column_icon": _("− Column"),
        "delete_table_icon": _("× Table"),
        "image_icon": _("Image"),
        "undo_icon": "↶",
        "redo_icon": "↷",
        "add_entry": _("Add"),
        "remove_entry": _("Remove"),
        "move_up": _("Move up"),
        "move_down": _("Move down"),
        "code": _("Code"),
        "not_paired": _("(not paired)"),
        "part_type": _("Part type"),
        "part_content": _("Part content"),
        "position": _("Position"),
        "choose": _("— choose —"),
        "answer": _("Answer"),
        "classification": _("Classification"),
        "taxonomy": _("Taxonomy"),
        "node": _("Competency or area"),
        "level": _("Level"),
        "no_level": _("(no level)"),
        "add_classification": _("Add classification"),
        "remove_classification": _("Remove classification"),
        "indicators": _("Behavioural indicators"),
        "preview_problems": _("Still to complete or correct:"),
        "preview_ok": _("No problems found."),
        "preview_failed": _("The preview could not be updated; check your connection."),
        "content_json": _("Content (JSON)"),
        "content_json_help": _("This item type has no form of its own; edit its content as JSON."),
        "invalid_json": _("This is not valid JSON."),
        "media_title": _("Insert an image from the bank"),
        "media_upload": _("Upload a new image (PNG, JPEG or GIF)"),
        "media_alt": _("Description of the image (for screen readers)"),
        "media_insert": _("Insert"),
        "media_cancel": _("Cancel"),
        "media_none": _("The bank has no images yet; upload one."),
        "media_uploading": _("Uploading…"),
        "media_choose": _("Choose this image"),
        "media_alt_required": _("Describe the image first."),
        "unsaved": _("You have unsaved changes."),
        "formula": _("Insert or edit a formula"),
        "formula_icon": "√x",
        "formula_title": _("Formula"),
        "formula_palette": _("Common forms and symbols"),
        "formula_latex": _("The formula in LaTeX"),
        "formula_help": _(
            "For example \\frac{2^5+3^4}{\\sqrt{9}}. The buttons above insert fractions, "
            "powers, roots, subscripts and common symbols."
        ),
        "formula_preview": _("Preview"),
        "formula_insert": _("Insert"),
        "formula_cancel": _("Cancel"),
        "formula_error": _("The formula cannot be read:"),
        "formula_fraction": _("Fraction"),
        "formula_power": _("Power"),
        "formula_index": _("Subscript (index)"),
        "formula_root": _("Square root"),
        "formula_nth_root": _("Root of degree n"),
        "formula_times": _("Times"),
        "formula_divided": _("Divided by"),
        "formula_plus_minus": _("Plus or minus"),
        "formula_less_equal": _("Less than or equal to"),
        "formula_greater_equal": _("Greater than or equal to"),
        "formula_not_equal": _("Not equal to"),
        "formula_approximately": _("Approximately equal to"),
        "formula_pi": _("Pi"),
        "formula_infinity": _("Infinity"),
        "formula_degree": _("Degree"),
        "formula_percent": _("Percent"),
        # the graphic item types: the image and the regions drawn on it
        "image_choose": _("Choose or upload the image"),
        "image_change": _("Change the image"),
        "image_none": _("No image chosen yet."),
        "image_remove": _("Remove the image"),
        "image_pixels": _("pixels"),
        "region": _("Region"),
        "region_tools": _("Drawing tools"),
        "region_rect": _("Rectangle"),
        "region_circle": _("Circle"),
        "region_poly": _("Polygon"),
        "region_finish": _("Finish polygon"),
        "region_hint_drag": _(
            "Drag on the image to draw; or add a region and type its coordinates in image pixels."
        ),
        "region_hint_poly": _(
            "Click each corner of the polygon on the image; click the first point again, "
            "press Enter or double-click to finish; Escape cancels."
        ),
        "region_canvas": _("The image: draw regions here"),
        "region_no_image": _("Choose the image first; then draw the regions on it."),
        "region_shape": _("Shape"),
        "region_coords": _("Coordinates (pixels)"),
        "region_label": _("Label"),
    }


def type_config(item_type: ItemType) -> dict[str, Any]:
    return {
        "id": item_type.id,
        "label": pick(item_type.label),
        "description": pick(item_type.description),
        "fields": [f.as_dict() for f in item_type.editor_fields()],
        "example": item_type.example_content(),
    }


def editor_page(
    *,
    bank: Bank,
    item_type: ItemType,
    item: Item | None,
    draft: ItemVersion | None,
    values: dict[str, Any],
    problems: list[dict[str, str]] | None = None,
    conflict: StaleEdit | None = None,
    base_revision: int | None = None,
    status: int = 200,
    stored: bool = False,
    commit_reads: bool = False,
) -> ResponseReturnValue:
    """The editor. ``problems`` are those of what was posted (not saved) or, with
    ``stored``, those of the saved draft (saved, but not ready to submit). A draft
    revising a reviewed version shows that version's reviews and comments beside the
    form (``commit_reads``: the reads recorded for this page are committed)."""
    problems = named_problems(item_type, problems or [], values.get("content"))
    notes_of = _reviewed_source(draft) if draft is not None else None
    similar = similar_to_version(draft) if draft is not None and stored else []
    if commit_reads:
        commit()
    config = {
        "lang": current_language(),
        "type": type_config(item_type),
        "stem": values.get("stem", ""),
        "content": values.get("content"),
        "metadata": values.get("metadata") or {},
        "problems": problems or [],
        "taxonomies": taxonomy_choices(bank),
        "bankLanguage": bank.language,
        "labels": editor_labels(),
        "previewUrl": url_for("ui.preview", code=bank.code),
        "mediaListUrl": url_for("ui.bank_media", code=bank.code),
        "mediaUploadUrl": url_for("ui.upload_media", code=bank.code),
        "csrfToken": generate_csrf(),
    }
    from itembank.ui.passages import passage_choices

    pinned = draft.passage_version if draft is not None else None
    chosen = values.get("passage", _value_of(pinned))
    return page(
        "editor.html",
        status,
        bank=bank,
        item=item,
        draft=draft,
        passages=passage_choices(bank, pinned),
        pinned_body=Markup(pinned.body) if pinned is not None else Markup(""),
        chosen_passage=chosen,
        item_type=item_type,
        type_label=pick(item_type.label),
        config=config,
        problems=problems,
        stored=stored,
        notes_of=notes_of,
        similar=similar,
        conflict=conflict_info(conflict) if conflict is not None else None,
        base_revision=base_revision
        if base_revision is not None
        else (draft.revision if draft else 0),
    )


def _value_of(pinned: Any) -> str:
    """The item editor's ``passage`` value of a pinned passage version (``""``: none)."""
    return f"{pinned.passage.external_id}:{pinned.number}" if pinned is not None else ""


def _pin_chosen_passage(draft: ItemVersion) -> ItemVersion:
    """Pin the passage the form's ``passage`` field names on ``draft`` (when the form
    has the field; an empty value unpins). :class:`InvalidInput` names the field."""
    if "passage" not in request.form:
        return draft
    from itembank.operations.passage_sets import set_item_passage
    from itembank.ui.passages import chosen_passage

    chosen = chosen_passage(draft.item.bank, request.form.get("passage", ""))
    return set_item_passage(draft, actor=actor(), passage=chosen)


def _reviewed_source(draft: ItemVersion) -> ItemVersion | None:
    """The version ``draft`` revises when reviewers wrote to it (a review with a note,
    or a comment): what the writer is answering."""
    source = draft.based_on
    if source is None:
        return None
    if any(review.comment for review in source.reviews) or source.comments:
        return source
    return None


def conflict_info(exc: StaleEdit) -> dict[str, Any]:
    """What the conflict box of a stale save shows (ui/_editor_common.html)."""
    details = exc.details
    return {
        "who": details["changed_by"],
        "revision": details["current_revision"],
        "base": details["base_revision"],
        "when": format_time(datetime.fromisoformat(details["changed_at"])),
    }


def _form_values() -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The posted stem, content and metadata; JSON that does not parse is a problem
    on its field (the form keeps what was typed)."""
    values: dict[str, Any] = {"stem": request.form.get("stem", "")}
    if "passage" in request.form:
        values["passage"] = request.form.get("passage", "")[:100]
    problems = []
    for name in ("content", "metadata"):
        raw = request.form.get(name, "")
        if not raw:
            values[name] = {} if name == "metadata" else None
            continue
        try:
            values[name], refused = load_json_text(raw, name)
            problems += refused
        except ValueError:
            values[name] = None
            problems.append(
                {
                    "field": name,
                    "message": "Isian tidak terbaca (JSON tidak valid).",
                    "message_en": "The field could not be read (invalid JSON).",
                }
            )
    return values, problems


def _item_type(type_id: str) -> ItemType:
    try:
        return plugins().item_type(type_id)
    except KeyError:
        raise NotFound(f"no item type {type_id!r}") from None


@bp.route("/banks/<code>/items/new", methods=["GET", "POST"])
@login_required
def new_item(code: str) -> ResponseReturnValue:
    user = actor()
    bank = get_bank(code)
    require_writer(user, bank, doing="write items")
    type_id = request.values.get("type", "")
    if not type_id or type_id not in plugins().item_types:
        types = sorted(plugins().item_types.values(), key=lambda t: pick(t.label))
        return page("choose_type.html", bank=bank, types=types, chosen=type_id)
    item_type = _item_type(type_id)
    if request.method == "GET":
        return editor_page(bank=bank, item_type=item_type, item=None, draft=None, values={})
    values, problems = _form_values()
    if problems:
        return editor_page(
            bank=bank,
            item_type=item_type,
            item=None,
            draft=None,
            values=values,
            problems=problems,
            status=422,
        )
    try:
        created = create_item(
            bank,
            actor=user,
            plugins=plugins(),
            item_type=item_type.id,
            stem=values["stem"],
            content=values["content"],
            metadata=values["metadata"],
        )
        _pin_chosen_passage(created.latest_version)
    except InvalidInput as exc:
        db.session.rollback()
        return editor_page(
            bank=bank,
            item_type=item_type,
            item=None,
            draft=None,
            values=values,
            problems=exc.problems,
            status=422,
        )
    draft = created.latest_version
    commit()
    return _after_save(created, draft, saved=True)


def _after_save(item: Item, draft: ItemVersion, *, saved: bool) -> ResponseReturnValue:
    if request.form.get("action") == "submit":
        try:
            submit_version(
                draft, actor=actor(), reason=request.form.get("reason", ""), plugins=plugins()
            )
        except InvalidInput:
            db.session.rollback()  # the save is committed already; only submitting failed
            flash(
                _(
                    "The draft was saved but not submitted for review: complete or correct "
                    "the points listed first."
                ),
                "error",
            )
            return redirect_to(url_for("ui.edit_item", external_id=item.external_id))
        commit()
        flash(
            _(
                "Version %(number)d of %(item)s was submitted for review.",
                number=draft.number,
                item=item.external_id,
            ),
            "success",
        )
        similar = similar_to_version(draft)
        if similar:
            flash(
                _(
                    "Note: it is very similar to items already in the bank: %(items)s.",
                    items=", ".join(f"{s.external_id} ({s.percent}%)" for s in similar),
                ),
                "warning",
            )
        return redirect_to(url_for("ui.item", external_id=item.external_id))
    left = len(draft_problems(draft, plugins=plugins()))
    if saved and left:
        flash(
            ngettext(
                "Draft saved (revision %(revision)d); %(num)d point is still to complete "
                "before it can be submitted.",
                "Draft saved (revision %(revision)d); %(num)d points are still to complete "
                "before it can be submitted.",
                left,
                revision=draft.revision,
            ),
            "success",
        )
    elif saved:
        flash(_("Draft saved (revision %(revision)d).", revision=draft.revision), "success")
    else:
        flash(_("Nothing changed since the last save."), "info")
    return redirect_to(url_for("ui.edit_item", external_id=item.external_id))


@bp.route("/items/<external_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(external_id: str) -> ResponseReturnValue:
    user = actor()
    item, _latest = reads.readable_item(external_id, actor=user)
    reads.require_full_view(item, actor=user, doing="edit drafts")
    bank = item.bank
    require_writer(user, bank, doing="edit items")
    try:
        draft = current_draft(item)
    except NotFound:
        flash(_("This item has no draft to edit. Start a new version from its page."), "info")
        return redirect_to(url_for("ui.item", external_id=external_id))
    item_type = _item_type(item.item_type)
    if request.method == "GET":
        reads.record_read(user, draft, via="web-editor")
        values = {"stem": draft.stem, "content": draft.content, "metadata": draft.meta}
        notes_of = _reviewed_source(draft)
        if notes_of is not None:
            reads.read_comments(notes_of, actor=user, via="web-editor")
        return editor_page(
            bank=bank,
            item_type=item_type,
            item=item,
            draft=draft,
            values=values,
            problems=draft_problems(draft, plugins=plugins()),
            stored=True,
            commit_reads=True,
        )

    values, problems = _form_values()
    raw_base = request.form.get("base_revision", "")
    base = int(raw_base) if raw_base.isdigit() else -1
    if request.form.get("overwrite") == str(draft.revision):
        base = draft.revision  # the writer saw the conflict and chose to replace
    common = {"bank": bank, "item_type": item_type, "item": item, "draft": draft, "values": values}
    if problems:
        return editor_page(**common, problems=problems, base_revision=base, status=422)
    before = draft.revision
    try:
        saved = update_draft(
            draft,
            actor=user,
            plugins=plugins(),
            base_revision=base,
            stem=values["stem"],
            content=values["content"],
            metadata=values["metadata"],
        )
        saved = _pin_chosen_passage(saved)
    except StaleEdit as exc:
        db.session.rollback()
        fresh = current_draft(item)
        return editor_page(
            **{**common, "draft": fresh}, conflict=exc, base_revision=base, status=409
        )
    except InvalidInput as exc:
        db.session.rollback()
        return editor_page(**common, problems=exc.problems, base_revision=base, status=422)
    commit()
    return _after_save(item, saved, saved=saved.revision != before)


@bp.post("/banks/<code>/preview")
@login_required
def preview(code: str) -> ResponseReturnValue:
    """The candidate's view of what is in the editor, and the problems saving it would
    report (nothing is saved)."""
    user = actor()
    try:
        bank = get_bank(code)
        ensure_visible(user, bank)
        require_writer(user, bank, doing="write items")
    except (NotFound, PermissionDenied) as exc:  # the editor's script reads JSON
        return jsonify(error=_("You cannot write items in this bank.")), domain_status(exc)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or data.get("type") not in plugins().item_types:
        return jsonify(error=_("The preview request is not valid.")), 400
    item_type = plugins().item_type(data["type"])
    try:
        prepared = prepare_version(
            bank,
            item_type,
            data.get("stem", ""),
            data.get("content"),
            data.get("metadata") or {},
            draft=True,
        )
    except InvalidInput as exc:
        db.session.rollback()
        html = preview_html(None, _preview_stem(data.get("stem")), {})
        return jsonify(html=str(html), problems=exc.problems, complete=False)
    db.session.rollback()
    html = preview_html(item_type, prepared.stem, prepared.content)
    problems = [p.as_dict() for p in prepared.problems]
    return jsonify(html=str(html), problems=problems, complete=not problems)


def _preview_stem(stem: Any) -> str:
    """The stem sanitized for a preview of content with problems: nothing when it is not
    text, too long or too deeply nested (the problems say so), so a preview costs no more
    than saving."""
    if not isinstance(stem, str) or len(stem) > MAX_STEM_CHARS:
        return ""
    try:
        return sanitize_html(stem)
    except MarkupTooComplex:
        return ""
