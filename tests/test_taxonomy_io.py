"""Importing a bank's own taxonomy from CSV or JSON, and exporting it again."""

from __future__ import annotations

import codecs
import json
import random
from typing import Any

import pytest

from itembank.taxonomy import Level, Node, Taxonomy
from itembank.taxonomy_io import parse_taxonomy
from itembank.taxonomy_io.checks import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_REPORTED,
    TaxonomyImportError,
)
from itembank.taxonomy_io.csv_format import parse_taxonomy_csv
from itembank.taxonomy_io.json_format import parse_taxonomy_json, taxonomy_to_json
from plugins.taxonomies import asn, bloom, skd


def csv_bytes(text: str) -> bytes:
    return text.encode("utf-8")


def parse_csv(text: str | bytes, **kw: Any) -> Taxonomy:
    data = csv_bytes(text) if isinstance(text, str) else text
    options: dict[str, Any] = {"code": "teknis-uji", "name_id": "Kompetensi Teknis Uji"}
    options.update(kw)
    return parse_taxonomy_csv(data, **options)


def csv_problems(text: str | bytes, **kw: Any) -> list[str]:
    with pytest.raises(TaxonomyImportError) as info:
        parse_csv(text, **kw)
    assert info.value.problems
    for problem in info.value.problems:
        assert " / " in problem, problem  # Indonesian, then English
    return info.value.problems


def json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def json_problems(data: Any, **kw: Any) -> list[str]:
    raw = data if isinstance(data, bytes) else json_bytes(data)
    with pytest.raises(TaxonomyImportError) as info:
        parse_taxonomy_json(raw, **kw)
    assert info.value.problems
    for problem in info.value.problems:
        assert " / " in problem, problem
    return info.value.problems


def node(code: str, *children: dict[str, Any], **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {"code": code, "name": {"id": f"Simpul {code}"}}
    if children:
        result["children"] = list(children)
    result.update(extra)
    return result


def document(*nodes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = {
        "code": "teknis-uji",
        "name": {"id": "Kompetensi Teknis Uji", "en": "Test technical competencies"},
        "nodes": list(nodes),
    }
    result.update(extra)
    return result


def chain_csv(length: int) -> str:
    """A CSV whose rows form one chain ``N1 > N2 > ... > N<length>``."""
    lines = ["kode,kode_induk,nama"]
    for n in range(1, length + 1):
        lines.append(f"N{n},{f'N{n - 1}' if n > 1 else ''},Simpul {n}")
    return "\n".join(lines) + "\n"


def chain_json(length: int) -> dict[str, Any]:
    current = node(f"N{length}")
    for n in range(length - 1, 0, -1):
        current = node(f"N{n}", current)
    return document(current)


# -- CSV: accepted input --------------------------------------------------------------

BASIC_CSV = """kode,kode_induk,nama,nama_en,deskripsi
KEU,,Keuangan Negara,State finance,Pengelolaan keuangan negara
KEU.1,KEU,Penganggaran,Budgeting,Menyusun anggaran
KEU.2,KEU,Perbendaharaan,Treasury,
"""


def test_csv_comma() -> None:
    taxonomy = parse_csv(BASIC_CSV, name_en="Test technical competencies", version="2024")
    assert taxonomy.code == "teknis-uji"
    assert taxonomy.name == {"id": "Kompetensi Teknis Uji", "en": "Test technical competencies"}
    assert taxonomy.version == "2024"
    assert [n.code for n in taxonomy.nodes] == ["KEU"]
    root = taxonomy.nodes[0]
    assert root.name == {"id": "Keuangan Negara", "en": "State finance"}
    assert root.description == {"id": "Pengelolaan keuangan negara"}
    assert [child.code for child in root.children] == ["KEU.1", "KEU.2"]
    assert root.children[1].description == {}
    assert taxonomy.problems() == []


def test_csv_semicolon_with_bom_and_crlf_as_saved_by_indonesian_excel() -> None:
    text = BASIC_CSV.replace(",", ";").replace("\n", "\r\n")
    taxonomy = parse_csv(codecs.BOM_UTF8 + csv_bytes(text))
    assert taxonomy == parse_csv(BASIC_CSV)


def test_csv_quoted_cells_keep_separators_and_line_breaks() -> None:
    text = 'kode;nama;deskripsi\nA;"Nama; dengan titik koma";"baris satu\nbaris dua"\n'
    (only,) = parse_csv(text).nodes
    assert only.name == {"id": "Nama; dengan titik koma"}
    assert only.description == {"id": "baris satu\nbaris dua"}


def test_csv_english_headers() -> None:
    text = (
        "Code,Parent Code,Name,Name EN,Description,Description EN\n"
        "A,,Audit,Audit,Pemeriksaan,Examination\n"
        "A.1,A,Audit kinerja,Performance audit,,\n"
    )
    taxonomy = parse_csv(text)
    root = taxonomy.nodes[0]
    assert root.name == {"id": "Audit", "en": "Audit"}
    assert root.description == {"id": "Pemeriksaan", "en": "Examination"}
    assert root.children[0].name == {"id": "Audit kinerja", "en": "Performance audit"}


def test_csv_levels() -> None:
    text = (
        "kode,nama,tingkat_1,tingkat_2,tingkat_3,tingkat_4,tingkat_5\n"
        "PBJ,Pengadaan barang/jasa,Memahami,Menerapkan,Menganalisis,Mengevaluasi,Mengembangkan\n"
        "ARS,Kearsipan,Mengenal,Menerapkan,,,\n"
        "UMUM,Umum,,,,,\n"
    )
    pbj, ars, umum = parse_csv(text).nodes
    assert [level.number for level in pbj.levels] == [1, 2, 3, 4, 5]
    assert pbj.levels[4] == Level(number=5, description={"id": "Mengembangkan"})
    assert [level.description["id"] for level in ars.levels] == ["Mengenal", "Menerapkan"]
    assert umum.levels == []


def test_csv_english_level_headers() -> None:
    text = "code,name,level_1,level_2\nX,Satu,Dasar,Mahir\n"
    (only,) = parse_csv(text).nodes
    assert [level.description for level in only.levels] == [{"id": "Dasar"}, {"id": "Mahir"}]


def test_csv_parents_may_come_after_children_and_row_order_is_kept() -> None:
    text = (
        "kode;kode_induk;nama\n"
        "B.2.1;B.2;Cucu\n"
        "B.2;B;Anak kedua\n"
        "B.1;B;Anak pertama\n"
        "A;;Akar A\n"
        "B;;Akar B\n"
    )
    taxonomy = parse_csv(text)
    assert [n.code for n in taxonomy.nodes] == ["A", "B"]
    b = taxonomy.nodes[1]
    assert [child.code for child in b.children] == ["B.2", "B.1"]
    assert [child.code for child in b.children[0].children] == ["B.2.1"]


def test_csv_blank_rows_are_skipped_but_counted() -> None:
    text = "kode,nama\nA,Satu\n,\n\nB,\n"
    problems = csv_problems(text)
    assert problems == ["baris 5, kolom nama: nama kosong / row 5, column name: the name is empty"]


def test_csv_english_name_alone_is_enough() -> None:
    (only,) = parse_csv("kode,nama,nama_en\nA,,Only English\n").nodes
    assert only.name == {"en": "Only English"}


def test_csv_depth_limit_is_inclusive() -> None:
    taxonomy = parse_csv(chain_csv(MAX_DEPTH))
    assert len(list(taxonomy.walk())) == MAX_DEPTH


def test_csv_node_limit_is_inclusive() -> None:
    lines = ["kode,nama"] + [f"N{n},Simpul {n}" for n in range(MAX_NODES)]
    taxonomy = parse_csv("\n".join(lines))
    assert len(taxonomy.nodes) == MAX_NODES


# -- CSV: errors ----------------------------------------------------------------------


def test_csv_unknown_parent_message() -> None:
    text = "kode,kode_induk,nama\nX,,Satu\nX.1,X,Dua\nX.2,X.9,Tiga\n"
    assert csv_problems(text) == [
        "baris 4, kolom kode_induk: induk 'X.9' tidak ditemukan / "
        "row 4, column parent_code: parent 'X.9' not found"
    ]


def test_csv_missing_required_columns() -> None:
    problems = csv_problems("kode_induk,deskripsi\n,Apa saja\n")
    assert problems == [
        "baris 1: kolom wajib 'kode' (atau 'code') tidak ada / "
        "row 1: the required column 'code' (or 'kode') is missing",
        "baris 1: kolom wajib 'nama' (atau 'name') tidak ada / "
        "row 1: the required column 'name' (or 'nama') is missing",
    ]


def test_csv_unknown_and_repeated_columns() -> None:
    problems = csv_problems("kode,code,nama,keterangan\nA,A,Satu,x\n")
    assert len(problems) == 2
    assert problems[0] == (
        "baris 1: kolom 'code' dan 'kode' berarti sama (kode) / "
        "row 1: columns 'code' and 'kode' mean the same (code)"
    )
    assert problems[1].startswith("baris 1: kolom tidak dikenal 'keterangan'")
    assert "unknown column 'keterangan'" in problems[1]


def test_csv_value_in_a_column_without_header() -> None:
    problems = csv_problems("kode,nama\nA,Satu,lebih\n")
    assert problems == [
        "baris 2, kolom ke-3: sel berisi nilai tetapi kolomnya tidak berjudul / "
        "row 2, column 3: the cell has a value but its column has no header"
    ]


def test_csv_empty_code_and_name() -> None:
    problems = csv_problems("kode,nama\n,Tanpa kode\nB,\n")
    assert problems == [
        "baris 2, kolom kode: kode kosong / row 2, column code: the code is empty",
        "baris 3, kolom nama: nama kosong / row 3, column name: the name is empty",
    ]


@pytest.mark.parametrize("code", ["A B", "A/1", ".A", "Ä", "A" * 65])
def test_csv_invalid_code(code: str) -> None:
    (problem,) = csv_problems(f"kode,nama\n{code},Satu\n")
    assert problem.startswith("baris 2, kolom kode: kode ")
    assert "tidak sah" in problem and "row 2, column code: code " in problem
    assert "is not valid" in problem


def test_csv_cells_are_trimmed() -> None:
    (only,) = parse_csv('kode,nama\n" A.1\n",  Satu  \n').nodes
    assert (only.code, only.name) == ("A.1", {"id": "Satu"})


def test_json_code_with_trailing_newline_is_invalid() -> None:
    # CODE_RE ends in "$", which also matches before a final newline; the importer does not.
    (problem,) = json_problems(document(node("A\n")))
    assert problem.startswith("nodes[0].code: kode 'A\\n' tidak sah")


def test_csv_duplicate_codes_name_both_rows() -> None:
    problems = csv_problems("kode,nama\nA,Satu\nB,Dua\nA,Tiga\n")
    assert problems == [
        "baris 4, kolom kode: kode 'A' ganda, sudah ada di baris 2 / "
        "row 4, column code: duplicate code 'A', already on row 2"
    ]


def test_csv_cycle() -> None:
    text = "kode,kode_induk,nama\nR,,Akar\nA,C,Satu\nB,A,Dua\nC,B,Tiga\n"
    assert csv_problems(text) == [
        "baris 3, 5, 4, kolom kode_induk: induk membentuk siklus A → C → B → A / "
        "rows 3, 5, 4, column parent_code: the parents form a cycle A → C → B → A"
    ]


def test_csv_own_parent() -> None:
    assert csv_problems("kode,kode_induk,nama\nA,A,Satu\n") == [
        "baris 2, kolom kode_induk: induk 'A' adalah kode baris itu sendiri / "
        "row 2, column parent_code: parent 'A' is the row's own code"
    ]


def test_csv_level_gap() -> None:
    problems = csv_problems("kode,nama,tingkat_1,tingkat_2,tingkat_3\nA,Satu,Dasar,,Ahli\n")
    assert problems == [
        "baris 2, kolom tingkat_3: tingkat 3 diisi tetapi tingkat 2 kosong / "
        "row 2, column level_3: level 3 is filled but level 2 is empty"
    ]


def test_csv_level_6_is_not_a_column() -> None:
    (problem,) = csv_problems("kode,nama,tingkat_6\nA,Satu,x\n")
    assert "kolom tidak dikenal 'tingkat_6'" in problem


def test_csv_control_characters() -> None:
    (problem,) = csv_problems("kode,nama\nA,Sa\x00tu\n")
    assert problem == (
        "baris 2, kolom nama: berisi karakter kontrol / "
        "row 2, column name: contains a control character"
    )


def test_csv_depth_limit() -> None:
    (problem,) = csv_problems(chain_csv(MAX_DEPTH + 2))
    assert problem == (
        "baris 12, kolom kode_induk: simpul 'N11' berada di tingkat 11, melebihi batas 10 / "
        "row 12, column parent_code: node 'N11' is at depth 11, over the limit of 10"
    )


def test_csv_node_limit() -> None:
    lines = ["kode,nama"] + [f"N{n},Simpul {n}" for n in range(MAX_NODES + 1)]
    assert csv_problems("\n".join(lines)) == [
        "lebih dari 10.000 baris data / more than 10,000 data rows"
    ]


def test_csv_not_utf8() -> None:
    data = "kode;nama\nA;Pelayanan Publik\nB;Perekat Bangsa – Kebinekaan\n".encode("cp1252")
    (problem,) = csv_problems(data)
    assert problem.startswith("berkas bukan UTF-8 yang sah (byte 0x96 pada baris 3")
    assert "the file is not valid UTF-8 (byte 0x96 on line 3" in problem
    assert "CSV UTF-8" in problem


def test_csv_utf16() -> None:
    (problem,) = csv_problems("kode\tnama\nA\tSatu\n".encode("utf-16"))
    assert "UTF-16" in problem


def test_csv_too_big() -> None:
    data = b"kode,nama\n" + b"A,B\n" * (MAX_BYTES // 4)
    assert len(data) > MAX_BYTES
    assert csv_problems(data) == [
        "berkas berukuran 5,0 MB, melebihi batas 5 MB / the file is 5.0 MB, over the 5 MB limit"
    ]


@pytest.mark.parametrize("text", ["", "   \n\n", codecs.BOM_UTF8.decode("utf-8")])
def test_csv_empty(text: str) -> None:
    assert csv_problems(text) == ["berkas kosong / the file is empty"]


def test_csv_header_only() -> None:
    assert csv_problems("kode;nama\n;\n") == [
        "berkas tidak berisi baris data / the file has no data rows"
    ]


def test_csv_header_not_on_first_row() -> None:
    (problem,) = csv_problems('""\nkode,nama\nA,Satu\n')
    assert problem.startswith("baris 1: baris pertama harus berisi judul kolom")


def test_csv_unreadable_cell() -> None:
    (problem,) = csv_problems("kode,nama\nA," + "x" * 200_000 + "\n")
    assert problem.startswith("baris 2: CSV tidak dapat dibaca")


def test_csv_bad_taxonomy_code_and_name_arguments() -> None:
    problems = csv_problems(BASIC_CSV, code="bukan kode", name_id=" ")
    assert problems == [
        "kode taksonomi: kode 'bukan kode' tidak sah (huruf, angka, titik, garis bawah, "
        "tanda hubung; paling banyak 64 karakter) / taxonomy code: code 'bukan kode' is not "
        "valid (letters, digits, dot, underscore, hyphen; at most 64 characters)",
        "nama taksonomi: wajib diisi / taxonomy name: is required",
    ]


def test_csv_reports_every_problem_at_once() -> None:
    text = "kode,kode_induk,nama\nA,,Satu\nA,,Dua\nB B,,Tiga\nC,Z,\n"
    problems = csv_problems(text)
    assert [problem.split(":")[0] for problem in problems] == [
        "baris 4, kolom kode",
        "baris 5, kolom nama",
        "baris 3, kolom kode",
        "baris 5, kolom kode_induk",
    ]


def test_problem_list_is_capped() -> None:
    lines = ["kode,nama"] + [f"bad code {n},Simpul" for n in range(MAX_REPORTED + 50)]
    problems = csv_problems("\n".join(lines))
    assert len(problems) == MAX_REPORTED + 1
    assert problems[-1] == "... dan 50 masalah lain / ... and 50 more problems"


# -- JSON -----------------------------------------------------------------------------


def test_json_minimal_and_full() -> None:
    data = document(
        node(
            "T.1",
            node("T.1.1", name={"id": "Anak", "en": "Child"}),
            description={"id": "Deskripsi", "en": "Description"},
            levels=[
                {
                    "level": 1,
                    "description": {"id": "Dasar"},
                    "indicators": [{"code": "1.1", "text": "Menjelaskan"}],
                },
                {"level": 2, "name": {"id": "Mahir"}, "description": {"id": "Lanjut"}},
            ],
        ),
        source="Peraturan Menteri X",
        version=2024,
    )
    taxonomy = parse_taxonomy_json(json_bytes(data))
    assert taxonomy.code == "teknis-uji"
    assert taxonomy.source == "Peraturan Menteri X"
    assert taxonomy.version == "2024"
    root = taxonomy.nodes[0]
    assert root.levels == [
        Level(1, {}, {"id": "Dasar"}, ({"code": "1.1", "text": "Menjelaskan"},)),
        Level(2, {"id": "Mahir"}, {"id": "Lanjut"}, ()),
    ]
    assert root.children == [Node("T.1.1", {"id": "Anak", "en": "Child"})]


def test_json_code_override() -> None:
    data = document(node("A"))
    assert parse_taxonomy_json(json_bytes(data), code="lain").code == "lain"
    del data["code"]
    assert parse_taxonomy_json(json_bytes(data), code="lain").code == "lain"
    assert json_problems(data) == ["code: wajib diisi / code: is required"]
    (problem,) = json_problems(document(node("A")), code="bukan kode")
    assert problem.startswith("kode taksonomi: kode 'bukan kode' tidak sah")


@pytest.mark.parametrize("module", [asn, skd, bloom], ids=lambda module: module.__name__)
def test_json_round_trip_of_builtins(module: Any) -> None:
    exported = taxonomy_to_json(module.TAXONOMY)
    raw = json.dumps(exported, ensure_ascii=False, indent=2).encode("utf-8")
    imported = parse_taxonomy_json(raw)
    assert imported == module.TAXONOMY
    assert taxonomy_to_json(imported) == exported


def test_json_round_trip_of_a_csv_import() -> None:
    taxonomy = parse_csv(
        "kode,kode_induk,nama,tingkat_1,tingkat_2\nA.1,A,Anak,Satu,Dua\nA,,Induk,,\n",
        name_en="Test",
        source="Sumber",
    )
    assert parse_taxonomy_json(json_bytes(taxonomy_to_json(taxonomy))) == taxonomy


def test_json_export_shape() -> None:
    exported = taxonomy_to_json(asn.TAXONOMY)
    assert set(exported) == {"code", "name", "source", "version", "nodes"}
    m1 = exported["nodes"][0]["children"][0]
    assert set(m1) == {"code", "name", "description", "levels", "children"}
    assert set(m1["levels"][0]) == {"level", "description", "indicators"}
    assert m1["levels"][0]["indicators"][0] == {
        "code": "1.1",
        "text": "Bertingkah laku sesuai dengan perkataan; berkata sesuai dengan fakta;",
    }


def test_json_syntax_error_has_line_and_column() -> None:
    raw = b'{\n  "code": "x",\n  "name": {"id": "X"}\n  "nodes": []\n}'
    assert json_problems(raw) == [
        "JSON tidak sah pada baris 4, kolom 3: Expecting ',' delimiter / "
        "invalid JSON at line 4, column 3: Expecting ',' delimiter"
    ]


def test_json_wrong_shape_has_paths() -> None:
    data = document(
        node("A"),
        node("B"),
        node("C", node("C 1"), {"code": 7, "name": "nama"}),
    )
    assert json_problems(data) == [
        "nodes[2].children[0].code: kode 'C 1' tidak sah (huruf, angka, titik, garis bawah, "
        "tanda hubung; paling banyak 64 karakter) / nodes[2].children[0].code: code 'C 1' is "
        "not valid (letters, digits, dot, underscore, hyphen; at most 64 characters)",
        "nodes[2].children[1].code: harus teks, bukan angka / "
        "nodes[2].children[1].code: must be a string, not number",
        'nodes[2].children[1].name: harus objek {"id": ..., "en": ...}, bukan teks / '
        'nodes[2].children[1].name: must be an {"id", "en"} object, not string',
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "(akar): harus objek taksonomi, bukan daftar (array)"),
        ("teks", "(akar): harus objek taksonomi, bukan teks"),
        (document(node("A"), extra=1), "(akar): kunci tidak dikenal 'extra'"),
        ({"code": "x", "name": {"id": "X"}}, "nodes: wajib diisi"),
        (document(), "nodes: tidak boleh kosong"),
        ({"code": "x", "name": {"id": "X"}, "nodes": {}}, "nodes: harus daftar (array), bukan"),
        (document(node("A"), name={"id": ""}), "name: wajib diisi (id atau en)"),
        (document(node("A"), name={"fr": "X"}), "name.'fr': bahasa tidak dikenal"),
        (document(node("A"), source=5), "source: harus teks, bukan angka"),
        (document(node("A"), version=True), "version: harus teks, bukan boolean"),
        (document("A"), "nodes[0]: harus objek, bukan teks"),
        (document(node("A", childs=[])), "nodes[0]: kunci tidak dikenal 'childs'"),
        (document({"name": {"id": "X"}}), "nodes[0].code: wajib diisi"),
        (document(node("")), "nodes[0].code: wajib diisi"),
        (document({"code": "A"}), "nodes[0].name: wajib diisi"),
        (document(node("A"), node("A")), "nodes[1].code: kode 'A' ganda, sudah dipakai di"),
        (document(node("A", description="x")), "nodes[0].description: harus objek"),
        (document(node("A", children={})), "nodes[0].children: harus daftar (array)"),
        (document(node("A", levels=[{"level": 0}])), "nodes[0].levels[0].level: harus bilang"),
        (document(node("A", levels=[{"level": 1.0}])), "nodes[0].levels[0].level: harus bil"),
        (document(node("A", levels=[{"level": 2}])), "nodes[0].levels: tingkat harus bernomor"),
        (
            document(node("A", levels=[{"level": 1}, {"level": 1}])),
            "nodes[0].levels: tingkat harus bernomor 1 sampai 2",
        ),
        (
            document(node("A", levels=[{"level": 1, "indicators": [{"code": "1.1"}]}])),
            "nodes[0].levels[0].indicators[0].text: wajib diisi",
        ),
        (
            document(
                node(
                    "A",
                    levels=[
                        {
                            "level": 1,
                            "indicators": [{"code": "1", "text": "a"}, {"code": "1", "text": "b"}],
                        }
                    ],
                )
            ),
            "nodes[0].levels[0].indicators[1].code: kode indikator '1' ganda",
        ),
        (document(node("A", name={"id": "a\u0000b"})), "nodes[0].name.id: berisi karakter kontrol"),
    ],
)
def test_json_shape_errors(data: Any, expected: str) -> None:
    problems = json_problems(data)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_json_repeated_key() -> None:
    raw = (
        b'{"code": "x", "code": "y", "name": {"id": "X"},'
        b' "nodes": [{"code": "A", "name": {"id": "A"}}]}'
    )
    assert json_problems(raw) == [
        "kunci 'code' muncul dua kali dalam satu objek JSON / "
        "key 'code' appears twice in one JSON object"
    ]


def test_json_depth_limit() -> None:
    assert len(list(parse_taxonomy_json(json_bytes(chain_json(MAX_DEPTH))).walk())) == MAX_DEPTH
    path = "nodes[0]" + ".children[0]" * MAX_DEPTH
    assert json_problems(chain_json(MAX_DEPTH + 5)) == [
        f"{path}: pohon lebih dalam dari 10 tingkat / {path}: the tree is deeper than 10 levels"
    ]


def test_json_node_limit() -> None:
    data = document(*[node(f"N{n}") for n in range(MAX_NODES)])
    assert len(parse_taxonomy_json(json_bytes(data)).nodes) == MAX_NODES
    data["nodes"].append(node("N-extra"))
    assert json_problems(data) == ["lebih dari 10.000 simpul / more than 10,000 nodes"]


def test_json_not_utf8() -> None:
    raw = json.dumps(document(node("A", name={"id": "Bahasa – Indonesia"})), ensure_ascii=False)
    (problem,) = json_problems(raw.encode("cp1252"))
    assert problem.startswith("berkas bukan UTF-8 yang sah (byte 0x96 pada baris 1")


def test_json_with_bom() -> None:
    raw = codecs.BOM_UTF8 + json_bytes(document(node("A")))
    assert parse_taxonomy_json(raw).nodes[0].code == "A"


def test_json_too_big() -> None:
    raw = json_bytes(document(node("A", description={"id": "x" * MAX_BYTES})))
    (problem,) = json_problems(raw)
    assert "melebihi batas 5 MB" in problem and "over the 5 MB limit" in problem


# -- dispatch -------------------------------------------------------------------------


def test_parse_taxonomy_dispatches_by_extension() -> None:
    from_csv = parse_taxonomy(csv_bytes(BASIC_CSV), "Kamus.CSV", code="k", name_id="Kamus")
    assert from_csv.code == "k" and from_csv.nodes[0].code == "KEU"
    raw = json_bytes(taxonomy_to_json(from_csv))
    assert parse_taxonomy(raw, "ekspor.json") == from_csv
    assert parse_taxonomy(raw, "ekspor.json", code="baru").code == "baru"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("kamus.xlsx", "jenis berkas 'kamus.xlsx' tidak didukung, gunakan .csv atau .json; simpan"),
        ("kamus", "jenis berkas 'kamus' tidak didukung"),
        ("kamus.pdf", "jenis berkas 'kamus.pdf' tidak didukung"),
    ],
)
def test_parse_taxonomy_rejects_other_files(filename: str, expected: str) -> None:
    with pytest.raises(TaxonomyImportError) as info:
        parse_taxonomy(b"x", filename, code="k", name_id="K")
    assert info.value.problems[0].startswith(expected)


def test_parse_taxonomy_csv_needs_a_code() -> None:
    with pytest.raises(TaxonomyImportError) as info:
        parse_taxonomy(csv_bytes(BASIC_CSV), "kamus.csv", name_id="Kamus")
    assert info.value.problems == [
        "kode taksonomi wajib diisi untuk berkas CSV / a taxonomy code is required for a CSV file"
    ]


# -- hostile input --------------------------------------------------------------------

HOSTILE: list[bytes] = [
    b"[" * 200_000,
    b'{"a":' * 200_000,
    b'{"code": "x", "name": {"id": "X"}, "nodes": [{"code": "A", "name": {"id": "A"}, '
    b'"levels": [{"level": 1' + b"0" * 5000 + b"}]}]}",
    b'{"code": NaN, "name": Infinity, "nodes": [-Infinity]}',
    b"\x00" * 1000,
    b"\xef\xbb\xbf\xef\xbb\xbf",
    b'"' * 10_000,
    b"kode,nama\n" + b'"' + b"x" * 1_000_000,
    b"kode,nama\n" + b",\n" * 100_000,
    b"\r" * 10_000,
    b"x" * (MAX_BYTES + 1),
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
@pytest.mark.parametrize("filename", ["upload.json", "upload.csv"])
def test_hostile_input_raises_only_import_errors(data: bytes, filename: str) -> None:
    with pytest.raises(TaxonomyImportError):
        parse_taxonomy(data, filename, code="k", name_id="K")


def test_random_damage_raises_only_import_errors() -> None:
    rng = random.Random(38_2017)
    sources = {
        "asn.json": json_bytes(taxonomy_to_json(asn.TAXONOMY)),
        "skd.json": json_bytes(taxonomy_to_json(skd.TAXONOMY)),
        "kamus.csv": csv_bytes(BASIC_CSV.replace(",", ";") + "KEU.3;KEU;Akuntansi;;\n"),
    }
    for filename, original in sources.items():
        for _ in range(150):
            damaged = bytearray(original)
            for _ in range(rng.randint(1, 8)):
                position = rng.randrange(len(damaged))
                action = rng.random()
                if action < 0.4:
                    damaged[position] = rng.randrange(256)
                elif action < 0.7:
                    del damaged[position : position + rng.randint(1, 40)]
                else:
                    damaged[position:position] = bytes(rng.choice(b'{}[]",:;\n\\0aZ.'))
            try:
                taxonomy = parse_taxonomy(bytes(damaged), filename, code="k", name_id="K")
            except TaxonomyImportError as exc:
                assert exc.problems and all(" / " in problem for problem in exc.problems)
            else:
                assert taxonomy.problems() == []
