"""What items are made of: item types (with their content JSON Schemas) and taxonomies."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView

from itembank.access import require_role
from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import MULTIPART, Extended, make_blueprint, read_upload
from itembank.api.schemas import ItemTypeOut, TaxonomyImportOut, TaxonomyOut, TaxonomyTreeOut
from itembank.errors import InvalidInput, NotFound
from itembank.models import Role
from itembank.operations import taxonomies
from itembank.plugins import plugins
from itembank.taxonomy_io import parse_taxonomy
from itembank.taxonomy_io.checks import MAX_BYTES, TaxonomyImportError

blp = make_blueprint("meta", "Item types and taxonomies.")

TAXONOMY_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "code": {"type": "string", "description": "taxonomy code (CSV)"},
                        "name": {"type": "string", "description": "Indonesian name (CSV)"},
                        "name_en": {"type": "string", "description": "English name"},
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


@blp.route("/item-types")
class ItemTypes(MethodView):
    @blp.response(200, ItemTypeOut(many=True))
    def get(self) -> Any:
        """Every loaded item type: labels, content JSON Schema and an example"""
        current_user()
        host = plugins()
        return [host.item_types[type_id] for type_id in sorted(host.item_types)]


@blp.route("/item-types/<type_id>")
class ItemTypeById(MethodView):
    @blp.response(200, ItemTypeOut)
    def get(self, type_id: str) -> Any:
        """One item type"""
        current_user()
        try:
            return plugins().item_type(type_id)
        except KeyError:
            raise NotFound(f"no item type {type_id!r}") from None


@blp.route("/banks/<bank_code>/taxonomies")
class Taxonomies(MethodView):
    @blp.response(200, TaxonomyOut(many=True))
    def get(self, bank_code: str) -> Any:
        """The taxonomies the bank's items can be classified against"""
        bank = visible_bank(bank_code, current_user())
        return taxonomies.list_taxonomies(bank)

    @blp.doc(**TAXONOMY_UPLOAD_DOC)
    @blp.response(201, TaxonomyImportOut)
    def post(self, bank_code: str) -> Any:
        """Import (or update) the bank's own taxonomy from CSV or JSON (bank admins)

        The formats are those of ``flask itembank taxonomy import``: JSON as exported,
        or CSV with one node per row (Indonesian or English headers); a CSV needs
        ``code`` and ``name`` fields beside the file. Every problem in the file is
        reported, with its row and column or JSON path.
        """
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        require_role(actor, bank, Role.BANK_ADMIN, doing="import taxonomies")
        filename, data = read_upload(MAX_BYTES, "taxonomy file")
        form = request.form
        kwargs: dict[str, Any] = {"code": form.get("code") or None}
        if not filename.lower().endswith(".json"):
            kwargs.update(name_id=form.get("name") or "", name_en=form.get("name_en") or "")
        try:
            taxonomy = parse_taxonomy(data, filename or "upload.csv", **kwargs)
        except TaxonomyImportError as exc:
            raise InvalidInput(
                f"{filename or 'the file'} is not an acceptable taxonomy",
                [{"field": "file", "message": p, "message_en": p} for p in exc.problems],
            ) from None
        result = taxonomies.import_bank_taxonomy(bank, taxonomy, actor=actor)
        location = f"{blp.url_prefix}/banks/{bank.code}/taxonomies/{result.code}"
        return result, {"Location": location}


MULTIPART.add("meta.Taxonomies")


@blp.route("/banks/<bank_code>/taxonomies/<taxonomy_code>")
class TaxonomyByCode(MethodView):
    @blp.response(200, TaxonomyTreeOut)
    def get(self, bank_code: str, taxonomy_code: str) -> Any:
        """A taxonomy as a tree of nodes (codes, names, levels, children)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        rec = taxonomies.get_taxonomy(taxonomy_code, bank=bank, actor=actor)
        return Extended(rec, nodes=taxonomies.taxonomy_tree(rec))
