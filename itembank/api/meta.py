"""What items are made of: item types (with their content JSON Schemas) and taxonomies."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from itembank.api.auth import current_user
from itembank.api.banks import visible_bank
from itembank.api.common import Extended, make_blueprint
from itembank.api.schemas import ItemTypeOut, TaxonomyOut, TaxonomyTreeOut
from itembank.app import plugins
from itembank.errors import NotFound
from itembank.operations import taxonomies

blp = make_blueprint("meta", "Item types and taxonomies.")


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


@blp.route("/banks/<bank_code>/taxonomies/<taxonomy_code>")
class TaxonomyByCode(MethodView):
    @blp.response(200, TaxonomyTreeOut)
    def get(self, bank_code: str, taxonomy_code: str) -> Any:
        """A taxonomy as a tree of nodes (codes, names, levels, children)"""
        actor = current_user()
        bank = visible_bank(bank_code, actor)
        rec = taxonomies.get_taxonomy(taxonomy_code, bank=bank, actor=actor)
        return Extended(rec, nodes=taxonomies.taxonomy_tree(rec))
