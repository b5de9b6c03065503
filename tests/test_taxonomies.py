"""The built-in taxonomies: ASN (PermenPANRB 38/2017), SKD CPNS and revised Bloom."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from itembank.plugins import PluginHost
from itembank.taxonomy import Node, Taxonomy
from plugins.taxonomies import asn, bloom, skd
from tests.shared import shared_path

ROOT = Path(__file__).resolve().parents[1]
DATA_FILE = ROOT / "plugins" / "taxonomies" / "data" / "asn-competencies-permenpanrb-38-2017.json"
SHARED_FILE = Path("domain/asn-competencies-permenpanrb-38-2017.json")  # in ../shared
BUILTINS: tuple[ModuleType, ...] = (asn, skd, bloom)


@pytest.fixture(scope="module")
def asn_data() -> dict[str, Any]:
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def competencies(taxonomy: Taxonomy) -> list[Node]:
    return [child for group in taxonomy.nodes for child in group.children]


# -- ASN ------------------------------------------------------------------------------


def test_asn_identity() -> None:
    taxonomy = asn.TAXONOMY
    assert taxonomy.code == "asn-2017"
    assert taxonomy.name == {
        "id": "Standar Kompetensi Jabatan ASN (PermenPANRB 38/2017)",
        "en": "ASN job competency standard (PermenPANRB 38/2017)",
    }
    assert "Nomor 38 Tahun 2017" in taxonomy.source
    assert taxonomy.version == "2017"


def test_asn_groups() -> None:
    groups = asn.TAXONOMY.nodes
    assert [group.code for group in groups] == ["MANAJERIAL", "SOSIAL-KULTURAL"]
    assert groups[0].name == {"id": "Kompetensi Manajerial", "en": "Managerial competencies"}
    assert groups[1].name == {
        "id": "Kompetensi Sosial Kultural",
        "en": "Socio-cultural competencies",
    }
    assert [node.code for node in groups[0].children] == [f"M.{n}" for n in range(1, 9)]
    assert [node.code for node in groups[1].children] == ["SK.1"]
    assert all(not group.levels for group in groups)


def test_asn_matches_the_data_file(asn_data: dict[str, Any]) -> None:
    nodes = competencies(asn.TAXONOMY)
    assert len(nodes) == len(asn_data["competencies"]) == 9
    indicator_count = 0
    for node, raw in zip(nodes, asn_data["competencies"], strict=True):
        assert node.code == raw["code"]
        assert node.name["id"] == raw["name"]
        assert node.description == {"id": raw["definition"]}
        assert [level.number for level in node.levels] == [1, 2, 3, 4, 5]
        for level, raw_level in zip(node.levels, raw["levels"], strict=True):
            assert level.number == raw_level["level"]
            assert level.description == {"id": raw_level["description"]}
            assert "en" not in level.description
            assert list(level.indicators) == raw_level["indicators"]
            assert len(level.indicators) == 3
            indicator_count += len(level.indicators)
    assert indicator_count == 135


def test_asn_english_names() -> None:
    names = {node.code: node.name["en"] for node in competencies(asn.TAXONOMY)}
    assert names == {
        "M.1": "Integrity",
        "M.2": "Teamwork",
        "M.3": "Communication",
        "M.4": "Results orientation",
        "M.5": "Public service",
        "M.6": "Developing self and others",
        "M.7": "Managing change",
        "M.8": "Decision making",
        "SK.1": "Social cohesion (Perekat Bangsa)",
    }


def test_asn_specific_facts() -> None:
    m8 = asn.TAXONOMY.find("M.8")
    assert m8 is not None
    assert m8.name == {"id": "Pengambilan Keputusan", "en": "Decision making"}
    level3 = m8.levels[2]
    assert level3.number == 3
    assert level3.description == {
        "id": "Membandingkan berbagai alternatif, menyeimbangkan risiko keberhasilan "
        "dalam implementasi"
    }
    assert [indicator["code"] for indicator in level3.indicators] == ["3.1", "3.2", "3.3"]
    assert level3.indicators[2]["text"] == (
        "Menyeimbangkan antara kemungkinan risiko dan keberhasilan dalam implementasinya."
    )
    integrity = asn.TAXONOMY.find("M.1")
    assert integrity is not None and integrity.name["id"] == "Integritas"
    # The note in the data file: indicator 2.1 of Integritas is one indicator, not two.
    assert (
        integrity.levels[1]
        .indicators[0]["text"]
        .endswith("Mengajak orang lain untuk bertindak sesuai etika dan kode etik.")
    )
    sk1 = asn.TAXONOMY.find("SK.1")
    assert sk1 is not None and sk1.name["id"] == "Perekat Bangsa"


def test_asn_data_file_is_the_shared_file_unchanged() -> None:
    assert DATA_FILE.read_bytes() == shared_path(SHARED_FILE).read_bytes()


def test_asn_data_readme_exists() -> None:
    readme = (DATA_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "38 Tahun 2017" in readme
    assert "unchanged" in readme


def test_asn_build_is_repeatable(asn_data: dict[str, Any]) -> None:
    assert asn.build_taxonomy(copy.deepcopy(asn_data)) == asn.TAXONOMY


def _broken(asn_data: dict[str, Any], change: str) -> Any:
    data = copy.deepcopy(asn_data)
    first = data["competencies"][0]
    if change == "not an object":
        return [data]
    if change == "extra top-level key":
        data["extra"] = 1
    elif change == "no competencies":
        data["competencies"] = []
    elif change == "missing competency":
        del data["competencies"][-1]
    elif change == "duplicate competency":
        data["competencies"][1]["code"] = "M.1"
    elif change == "unknown competency":
        first["code"] = "M.9"
    elif change == "wrong group":
        first["group"] = "sosial_kultural"
    elif change == "unknown group":
        first["group"] = "teknis"
    elif change == "empty name":
        first["name"] = " "
    elif change == "four levels":
        del first["levels"][-1]
    elif change == "levels out of order":
        first["levels"].reverse()
    elif change == "level number as string":
        first["levels"][0]["level"] = "1"
    elif change == "no indicators":
        first["levels"][0]["indicators"] = []
    elif change == "bad indicator code":
        first["levels"][0]["indicators"][1]["code"] = "1.5"
    elif change == "indicator text missing":
        del first["levels"][0]["indicators"][0]["text"]
    elif change == "notes not strings":
        data["notes"] = [1]
    else:  # pragma: no cover
        raise AssertionError(change)
    return data


@pytest.mark.parametrize(
    "change",
    [
        "not an object",
        "extra top-level key",
        "no competencies",
        "missing competency",
        "duplicate competency",
        "unknown competency",
        "wrong group",
        "unknown group",
        "empty name",
        "four levels",
        "levels out of order",
        "level number as string",
        "no indicators",
        "bad indicator code",
        "indicator text missing",
        "notes not strings",
    ],
)
def test_asn_malformed_data_fails_loudly(asn_data: dict[str, Any], change: str) -> None:
    with pytest.raises(asn.AsnDataError) as info:
        asn.build_taxonomy(_broken(asn_data, change))
    assert info.value.problems
    assert asn.DATA_FILE in str(info.value)


def test_asn_malformed_data_problems_say_where(asn_data: dict[str, Any]) -> None:
    with pytest.raises(asn.AsnDataError) as info:
        asn.build_taxonomy(_broken(asn_data, "bad indicator code"))
    assert info.value.problems == [
        "competencies[0].levels[0].indicators[1].code: expected '1.2', got '1.5'"
    ]


# -- SKD ------------------------------------------------------------------------------


def test_skd_tree() -> None:
    taxonomy = skd.TAXONOMY
    assert taxonomy.code == "skd-cpns"
    assert "27 Tahun 2021" in taxonomy.source
    assert [node.code for node in taxonomy.nodes] == ["TWK", "TIU", "TKP"]
    twk, tiu, tkp = taxonomy.nodes
    assert twk.name["id"] == "Tes Wawasan Kebangsaan"
    assert tiu.name["id"] == "Tes Intelegensia Umum"
    assert tkp.name["id"] == "Tes Karakteristik Pribadi"
    assert [node.code for node in twk.children] == [
        "TWK.NAS",
        "TWK.INT",
        "TWK.BN",
        "TWK.PN",
        "TWK.BI",
    ]
    assert [node.code for node in tiu.children] == ["TIU.VER", "TIU.NUM", "TIU.FIG"]
    assert [node.code for node in tiu.children[0].children] == [
        "TIU.VER.ANALOGI",
        "TIU.VER.SILOGISME",
    ]
    assert [node.code for node in tiu.children[1].children] == [
        "TIU.NUM.BERHITUNG",
        "TIU.NUM.DERET",
        "TIU.NUM.KUANT",
        "TIU.NUM.CERITA",
    ]
    assert [node.code for node in tiu.children[2].children] == [
        "TIU.FIG.ANALOGI",
        "TIU.FIG.BEDA",
        "TIU.FIG.SERIAL",
    ]
    assert [node.name["id"] for node in tkp.children] == [
        "Pelayanan publik",
        "Jejaring kerja",
        "Sosial budaya",
        "Teknologi informasi dan komunikasi",
        "Profesionalisme",
        "Anti radikalisme",
    ]
    assert tkp.children[0].code == "TKP.PP"
    pillars = taxonomy.find("TWK.PN")
    assert pillars is not None and "Bhinneka Tunggal Ika" in pillars.description["id"]


def test_skd_nodes_are_complete_and_have_no_levels() -> None:
    nodes = [node for node, _parent in skd.TAXONOMY.walk()]
    assert len(nodes) == 3 + 5 + 3 + 9 + 6
    for node in nodes:
        assert node.name["id"] and node.name["en"], node.code
        assert node.description["id"] and node.description["en"], node.code
        assert node.levels == []
    for node, parent in skd.TAXONOMY.walk():
        if parent is not None:
            assert node.code.startswith(parent.code + "."), node.code


# -- Bloom ----------------------------------------------------------------------------


def test_bloom_tree() -> None:
    taxonomy = bloom.TAXONOMY
    assert taxonomy.code == "bloom-revised"
    assert "Anderson" in taxonomy.source and "2001" in taxonomy.source
    assert [(node.code, node.name["id"], node.name["en"]) for node in taxonomy.nodes] == [
        ("C1", "Mengingat", "Remember"),
        ("C2", "Memahami", "Understand"),
        ("C3", "Menerapkan", "Apply"),
        ("C4", "Menganalisis", "Analyze"),
        ("C5", "Mengevaluasi", "Evaluate"),
        ("C6", "Mencipta", "Create"),
    ]
    for node in taxonomy.nodes:
        assert node.description["id"] and node.description["en"]
        assert node.levels == [] and node.children == []


# -- all built-ins --------------------------------------------------------------------


@pytest.mark.parametrize("module", BUILTINS, ids=lambda module: module.__name__)
def test_builtin_has_no_problems(module: ModuleType) -> None:
    taxonomy = module.TAXONOMY
    assert taxonomy.problems() == []
    assert taxonomy.name["id"] and taxonomy.name["en"]
    assert taxonomy.source and taxonomy.version


@pytest.mark.parametrize("module", BUILTINS, ids=lambda module: module.__name__)
def test_builtin_hookimpl_registers_exactly_one_taxonomy(module: ModuleType) -> None:
    registered: list[Taxonomy] = []
    module.itembank_register_taxonomies(register=registered.append)
    assert registered == [module.TAXONOMY]
    assert hasattr(module.itembank_register_taxonomies, "itembank_impl")


def test_plugin_host_attributes_each_taxonomy_to_its_module() -> None:
    names = [module.__name__ for module in BUILTINS]
    host = PluginHost(builtins=names, entry_points=False)
    assert sorted(host.taxonomies) == ["asn-2017", "bloom-revised", "skd-cpns"]
    for module in BUILTINS:
        registration = host.registrations[module.__name__]
        assert registration.taxonomies == [module.TAXONOMY.code]
        assert registration.item_types == []
