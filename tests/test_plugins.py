"""The plugin system: built-ins, a third-party plugin from an entry point, allow/deny
lists, clashes, and the hookspecs' documentation."""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from itembank import hookspecs
from itembank.errors import InvalidInput
from itembank.extensions import db
from itembank.plugins import BUILTIN_PLUGINS, PluginError, PluginHost
from tests.conftest import make_app, rolled_back
from tests.factories import World

THIRDPARTY = Path(__file__).parent / "thirdparty"
BUILTIN_TYPES = {
    "single_choice",
    "multiple_response",
    "weighted_options",
    "true_false",
    "short_text",
    "extended_text",
    "ordering",
    "matching",
    "hotspot",
    "associate",
    "graphic_gap_match",
    "select_point",
    "graphic_order",
    "graphic_associate",
    "likert",
    "composite",
    "inline_choice",
    "numeric",
    "slider",
    "gap_match",
    "hot_text",
}


@pytest.fixture
def acme_installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Install the ACME plugin the way pip would: a dist-info with an entry point."""
    dist = tmp_path / "acme_itembank-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-itembank\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[itembank]\nacme = acme_itembank\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(THIRDPARTY))
    # imported afresh here; the module other tests loaded is put back afterwards (the
    # QTI import's pool pickles their types by it)
    monkeypatch.delitem(sys.modules, "acme_itembank", raising=False)
    yield


def test_builtins_register_every_type_and_taxonomy() -> None:
    host = PluginHost(entry_points=False)
    assert set(host.item_types) == BUILTIN_TYPES
    assert set(host.taxonomies) == {"asn-2017", "skd-cpns", "bloom-revised"}
    assert list(host.registrations) == list(BUILTIN_PLUGINS)
    assert host.registrations["plugins.itemtypes.likert"].item_types == ["likert"]


def test_entry_point_plugin_is_loaded(acme_installed: None) -> None:
    host = PluginHost()
    assert "numeric_entry" in host.item_types
    assert "acme-tech" in host.taxonomies
    reg = host.registrations["acme"]
    assert reg.item_types == ["numeric_entry"] and reg.taxonomies == ["acme-tech"]
    assert "acme-itembank 1.0" in reg.origin


def test_deny_list_keeps_a_plugin_out(acme_installed: None) -> None:
    host = PluginHost(deny=["acme", "plugins.itemtypes.likert"])
    assert "numeric_entry" not in host.item_types
    assert "likert" not in host.item_types


def test_allow_list_loads_only_what_it_names(acme_installed: None) -> None:
    host = PluginHost(allow=["plugins.itemtypes.single_choice", "acme"])
    assert set(host.item_types) == {"single_choice", "numeric_entry"}


def test_two_plugins_claiming_one_type_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "clash_plugin.py").write_text(
        "from itembank import hookimpl\n"
        "from plugins.itemtypes.single_choice import SingleChoice\n"
        "@hookimpl\n"
        "def itembank_register_item_types(register):\n"
        "    register(SingleChoice())\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(PluginError, match="'single_choice' is registered by both"):
        PluginHost(extra=["clash_plugin"], entry_points=False)
    sys.modules.pop("clash_plugin", None)


def test_unknown_hook_names_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "typo_plugin.py").write_text(
        "from itembank import hookimpl\n"
        "@hookimpl\n"
        "def itembank_register_item_type(register):\n"
        "    pass\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(Exception, match="unknown hook 'itembank_register_item_type'"):
        PluginHost(extra=["typo_plugin"], entry_points=False)
    sys.modules.pop("typo_plugin", None)


def test_broken_plugin_names_itself() -> None:
    with pytest.raises(PluginError, match="'no_such_plugin_module' failed to import"):
        PluginHost(extra=["no_such_plugin_module"], entry_points=False)


def test_every_hookspec_is_documented_and_keyword_only_register() -> None:
    specs = [
        (name, fn)
        for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
        if name.startswith("itembank_")
    ]
    assert specs
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name, fn in specs:
        doc = inspect.getdoc(fn) or ""
        assert ":param register:" in doc, name
        assert name in readme, f"{name} is not documented in README.md"


@pytest.fixture
def acme_app(acme_installed: None, backend: Any) -> Iterator[Flask]:
    app = make_app(backend, ITEMBANK_PLUGINS_ENTRY_POINTS=True)
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections now, not at garbage collection


def test_third_party_type_and_taxonomy_work_through_the_core(acme_app: Flask) -> None:
    from itembank.operations.items import create_item, draft_problems
    from itembank.operations.reviews import review_version, submit_version
    from itembank.operations.taxonomies import sync_plugin_taxonomies

    plugins = acme_app.extensions["itembank.plugins"]
    with rolled_back(acme_app):
        sync_plugin_taxonomies(plugins)
        world = World()
        item = create_item(
            world.bank,
            actor=world.author,
            plugins=plugins,
            item_type="numeric_entry",
            stem="<p>Berapa yang harus dibayar untuk 12 rim?</p>",
            content={"answer": 583200, "points": 5, "unit": "Rp"},
            metadata={"classifications": [{"taxonomy": "acme-tech", "node": "PBJ.1", "level": 2}]},
        )
        version = item.latest_version
        assert version.content == {
            "answer": 583200.0,
            "tolerance": 0.0,
            "points": 5.0,
            "unit": "Rp",
        }
        assert version.classifications[0].node.path == "/PBJ/PBJ.1/"
        submit_version(version, actor=world.author)
        review_version(version, actor=world.reviewer, decision="approve")
        assert version.status == "approved"
        item_type = plugins.item_type("numeric_entry")
        assert item_type.score(version.content, 583200) == 5.0
        assert item_type.score(version.content, 583201) == 0.0
        # The plugin's own check is listed on the draft and refused on submission.
        negative = create_item(
            world.bank,
            actor=world.author,
            plugins=plugins,
            item_type="numeric_entry",
            stem="<p>x</p>",
            content={"answer": 1, "points": -1},
        ).latest_version
        assert draft_problems(negative, plugins=plugins)[0]["field"] == "content.points"
        with pytest.raises(InvalidInput) as info:
            submit_version(negative, actor=world.author, plugins=plugins)
        assert info.value.problems[0]["field"] == "content.points"
