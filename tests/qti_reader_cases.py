"""Item documents to compare readings on (:func:`qti.reader.read_item`), and the digests of
their readings that ``tests/qti_reader_golden.py`` records.

The documents: every item of the bank's own export of every type of
``tests.test_qti_import.OWN`` (QTI 3.0 and 2.1, labelled and not) and every item
document of the public sample corpus (``../shared/qti-samples``), each with
:data:`MUTATIONS` seeded random mutations of it (elements removed, doubled, moved,
renamed, wrapped, prefixed, added; attributes dropped or changed, namespaced or not;
text with markup characters, carriage returns and namespace-like text; comments,
processing instructions, formulas, namespace declarations of the elements' own). A case's
digest covers the readings of the document and its mutations: the model, version, images
and notes, or the error's code, message and line.

The golden digests were recorded from the reader before it was made faster (main at
378d260); the reader must give exactly what it gave. Run this module to record them
again (``.venv/bin/python -m tests.qti_reader_cases``) only when a change in what is read
is deliberate, or when the export of an item type changed (its documents then differ).
"""

from __future__ import annotations

import copy
import hashlib
import json
import random
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

from lxml import etree

from qti.package_reader import SourceReadError, open_source
from qti.reader import ItemReadError, read_item

MUTATIONS = 6
_MATHML = "http://www.w3.org/1998/Math/MathML"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_AWKWARD_TEXTS = ("", " ", "a\rb", 'x xmlns="y"', ' a:b="c" ', "q\"'>&<", "\u00e9\u4e2d", "\t\n")
_AWKWARD_VALUES = ("", "x", "1", "true", " 2 ", "-3", "1.5", 'a"b', "x>y<z&", "l\nm\tn\ro", "p: q")


def documents(samples: Path | None) -> Iterator[tuple[str, bytes]]:
    """``(key, document)`` for every item of the own export and of the sample corpus
    (``samples``: the corpus folder, ``None`` to leave it out)."""
    from tests.test_qti_import_fast_read import own_export_package

    for version in ("3.0", "2.1"):
        for labelled in (True, False):
            yield from _items(own_export_package(version, labelled), f"own/{version}/{labelled}")
    if samples is None:
        return
    qtiworks = samples / (
        "davemckain-qtiworks/qtiworks-samples/src/main/resources/uk/ac/ed/ph/qtiworks/samples"
    )
    kennisnet = samples / "kennisnet-php-qti3"
    for folder in sorted(p for p in qtiworks.iterdir() if p.is_dir()):
        yield from _items(folder, f"qtiworks/{folder.name}")
    for package in sorted((kennisnet / "fixtures").glob("*.zip")):
        yield from _items(package, f"kennisnet/{package.name}")
    resources = kennisnet / "tests/Unit/AssessmentItem/Service/resources"
    yield from _items(resources, "kennisnet/resources")


def _items(target: Path | bytes, label: str) -> Iterator[tuple[str, bytes]]:
    with open_source(target, name=label) as source:
        for item in source.items:
            try:
                yield f"{label}/{item.path}", source.read(item.path, document=True)
            except SourceReadError:
                continue


def cases(key: str, document: bytes) -> list[bytes]:
    """The document and its :data:`MUTATIONS` mutations (seeded by ``key``)."""
    rng = random.Random(zlib.crc32(key.encode()))
    return [document] + [mutate(document, rng) for _ in range(MUTATIONS)]


def reading(document: bytes) -> str:
    """What :func:`read_item` makes of ``document``, as text."""
    try:
        read = read_item(document)
    except ItemReadError as exc:
        return repr(("error", exc.code, exc.message, exc.line))
    except Exception as exc:  # (one that the reader lets through: the same one)
        return repr(("exception", type(exc).__name__, str(exc)))
    return repr((read.item, read.version, read.images, read.notes))


def digest(key: str, document: bytes) -> str:
    """The digest of the readings of the cases of ``document``."""
    readings = "\n".join(reading(case) for case in cases(key, document))
    return hashlib.sha256(readings.encode()).hexdigest()[:20]


def input_digest(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()[:12]


def mutate(document: bytes, rng: random.Random) -> bytes:
    """``document`` with one to four random changes (see the module documentation)."""
    try:
        root = etree.fromstring(document, etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        return document
    vocabulary = sorted({e.tag for e in root.iter() if isinstance(e.tag, str)})
    for _ in range(rng.randrange(1, 5)):
        _change(root, rng, vocabulary)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    if rng.random() < 0.2 and root.nsmap.get(None):
        # a start tag declaring the default namespace again, or another one
        spots = [m.end(1) for m in _REDECLARABLE.finditer(data)]
        if spots:
            at = rng.choice(spots)
            uri = rng.choice([root.nsmap[None], "urn:other"]).encode()
            data = data[:at] + b' xmlns="' + uri + b'"' + data[at:]
    return data


_REDECLARABLE = re.compile(
    rb"<((?:qti-)?(?:p|div|span|simple-choice|simpleChoice|prompt|strong|td|li))[ >/]"
)


def _change(root: etree._Element, rng: random.Random, vocabulary: list[str]) -> None:
    elements = [e for e in root.iter() if isinstance(e.tag, str)]
    element = rng.choice(elements)
    parent = element.getparent()
    uri = element.tag[1:].split("}")[0] if element.tag.startswith("{") else None
    change = rng.randrange(16)
    if change == 0 and parent is not None:
        parent.remove(element)
    elif change == 1 and parent is not None:
        parent.insert(parent.index(element), copy.deepcopy(element))
    elif change == 2:
        element.tag = rng.choice(vocabulary)
    elif change == 3 and element.attrib:
        del element.attrib[rng.choice(sorted(element.attrib))]
    elif change == 4 and element.attrib:
        element.set(rng.choice(sorted(element.attrib)), rng.choice(_AWKWARD_VALUES))
    elif change == 5:
        text = rng.choice(_AWKWARD_TEXTS)
        if rng.random() < 0.5:
            element.text = (element.text or "") + text
        else:
            element.tail = (element.tail or "") + text
    elif change == 6:
        node = etree.Comment("c") if rng.random() < 0.5 else etree.ProcessingInstruction("pi", "x")
        element.insert(rng.randrange(len(element) + 1), node)
        node.tail = rng.choice([None, "tail", " "])
    elif change == 7:
        element.set(_XML_LANG if rng.random() < 0.5 else "{urn:other}foo", "id")
    elif change == 8 and parent is not None:
        target = rng.choice(elements)
        if target is not element and not any(a is element for a in target.iterancestors()):
            parent.remove(element)
            target.insert(rng.randrange(len(target) + 1), element)
    elif change in (9, 10) and parent is not None:
        # wrapped in a div, p or span of its namespace, once in ten with a prefix of its own
        name = rng.choice(["div", "p", "span"])
        prefixed = uri is not None and change == 10
        wrap = etree.Element(
            f"{{{uri}}}{name}" if uri else name, nsmap={"q": uri} if prefixed else None
        )
        parent.replace(element, wrap)
        wrap.append(element)
    elif change == 11:
        child = etree.SubElement(element, rng.choice(vocabulary))
        if rng.random() < 0.5:
            child.text = "t"
        if rng.random() < 0.3:
            child.set("identifier", rng.choice(["A", "B", "RESPONSE"]))
    elif change == 12:
        formula = etree.SubElement(element, f"{{{_MATHML}}}math")
        name = rng.choice(["mi", "mfenced", "maction", "apply", "annotation", "semantics"])
        inner = etree.SubElement(formula, f"{{{_MATHML}}}{name}")
        inner.text = "x"
        if rng.random() < 0.5:
            kid = rng.choice(["mn", "mo", "ci", "annotation"])
            etree.SubElement(inner, f"{{{_MATHML}}}{kid}").text = "1"
    elif change == 13:
        other = etree.SubElement(element, "{urn:x}thing", nsmap={"x": "urn:x"})
        other.text = "n"
    elif change == 14:
        element.set(rng.choice(["title", "class", "alt"]), rng.choice(_AWKWARD_VALUES))
    elif change == 15 and uri is not None:
        # a child in another default namespace, its own child back in the element's
        child = etree.SubElement(element, "{urn:other}span", nsmap={None: "urn:other"})
        etree.SubElement(child, f"{{{uri}}}b").text = "b"


def main() -> None:  # pragma: no cover - run by hand to record the digests
    from tests.shared import SHARED

    samples = SHARED / "qti-samples"
    lines = [
        "# ruff: noqa: E501  (keys are corpus paths; one per line reads best)",
        '"""Digests of what the reader makes of the cases of ``tests/qti_reader_cases.py``:',
        "``key: (input digest, readings digest)``. Written by ``.venv/bin/python -m",
        'tests.qti_reader_cases``; a change here is a change in what is read."""',
        "",
        "# fmt: off",
        "GOLDEN: dict[str, tuple[str, str]] = {",
    ]
    for key, document in documents(samples if samples.is_dir() else None):
        entry = f'("{input_digest(document)}", "{digest(key, document)}")'
        lines.append(f"    {json.dumps(key)}: {entry},")
    lines += ["}", "# fmt: on"]
    Path(__file__).with_name("qti_reader_golden.py").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
