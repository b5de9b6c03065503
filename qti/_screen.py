"""A cheap proof that a QTI document has nothing :func:`qti._checks.check_document` finds.

:func:`proves_clean` answers ``True`` only when ``check_document`` would return no
finding; when it answers ``False`` the checks must be made (they then find something or
not). It reads the document's serialization by libxml2 (``qti.xml.serialize``, which the
package builder writes anyway) for what the checks look for on every element, and the
tree only for the root's children and the choice interactions, so that an ordinary
document costs a few splits of its bytes instead of a walk over its elements in Python.

What it relies on in libxml2's serializer (``xmlsave.c``), for an attribute without a
namespace: it is written as one space, its name, ``="``, its value and ``"``, inside the
start tag of its element, which is written as ``<``, the element's name (with a prefix
and ``:`` when it has one), and its attributes. In a value ``"``, ``&``, ``<`` and ``>`` are
written as references, which all start with ``&``: so no ``"``, ``<`` or ``>`` appears
inside a start tag except as above, and a value written without ``&`` is the value
itself. Text, comments and the like may contain the same patterns; they can only add
names and values to what is read here, never hide one, and every condition below holds
the more surely the fewer names and values there are, so an extra one can only make the
screen answer ``False``.

For each check (see :mod:`qti._checks`), why nothing can be found when the screen passes:

- identifiers: every ``identifier`` attribute of the document (not only those of the
  elements checked) is an ASCII identifier, which :func:`identifier_problem` accepts;
- unique identifiers: tests and sections are left to the checks. In an item, the
  declarations' identifiers are compared as the check does; no two choices share an
  identifier, so no interaction's choices are compared;
- ``language`` attributes: none is written; stray MathML: as the check does;
- cardinality and the template: the checks themselves (they read only the root's
  children);
- references: every value of a ``responseIdentifier`` or ``outcomeIdentifier`` attribute
  (either spelling) anywhere, and the ``identifier`` of every response-processing
  variable reference anywhere, is declared (or built in) - the check asks this of those
  in the body, feedback and response processing only;
- choice keys: the elements bound to a response that are choice interactions (by
  ``local_name``) are spelt as ``iter_named`` finds them (bytes show every element with a
  binding attribute). For each keyed declaration, its keys name choices of those of its
  bound interactions: the check then finds nothing whether the bound elements are just
  those (every key is a choice) or include another (it skips the declaration), or none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from qti import ns
from qti._checks import (
    BUILT_IN_VARIABLES,
    CHOICE_ELEMENTS,
    CHOICE_INTERACTIONS,
    KEYED_BASE_TYPES,
    VARIABLE_REFERENCES,
    Attributed,
    _declared_keys,
    _found_as,
    check_cardinality,
    check_template,
)
from qti._names import camel_name, local_name, qti_attr

# What the screen reads of an attribute whose name ends in "dentifier", by the bytes
# before ``dentifier="``: a space and the rest of its name.
_IDENTIFIER = b" i"
_RESPONSE = (b" responseI", b" response-i")
_OUTCOME = (b" outcomeI", b" outcome-i")
#: ``identifier_problem``'s fast path: a value it matches has no problem.
_ASCII_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_.\-]*")


@lru_cache(maxsize=1024)
def _kind(local: bytes) -> tuple[bool, bool, bool | None]:
    """For an element's local name: whether ``iter_named`` finds it as a choice, as a
    response-processing variable reference, and ``True`` for a choice interaction as
    ``iter_named`` spells it, ``None`` for one spelt otherwise (``local_name`` still
    calls it one), ``False`` for anything else."""
    text = local.decode("utf-8", "replace")
    found = _found_as(text)
    interaction = (
        True
        if found in CHOICE_INTERACTIONS
        else None
        if camel_name(text) in CHOICE_INTERACTIONS
        else False
    )
    return found in CHOICE_ELEMENTS, found in VARIABLE_REFERENCES, interaction


def proves_clean(root: etree._Element, version: str, serialized: bytes) -> bool:
    """``True`` only if ``check_document(root, version)`` finds nothing; ``serialized``
    must be ``root`` as libxml2 writes it (``qti.xml.serialize``, pretty or not)."""
    role = local_name(root)
    if role in ("assessmentTest", "assessmentSection") or b' language="' in serialized:
        return False
    for element in root.iter("{*}math"):
        if etree.QName(element).namespace != ns.MATHML:
            return False
    choices: dict[bytes, None] = {}  # identifiers of choices (each seen once so far)
    choice_names: set[bytes] = set()  # their local names
    variables: list[bytes] = []  # identifiers of variable references
    references: list[bytes] = []  # responseIdentifier and outcomeIdentifier values
    interactions: set[bytes] = set()  # local names of choice interactions binding one
    pieces = serialized.split(b'dentifier="')
    local = b""
    previous = pieces[0]
    for piece in pieces[1:]:
        start = previous.rfind(b"<")
        if start >= 0:  # else the same start tag as the attribute before
            words = previous[start + 1 :].split(None, 1)
            local = words[0].rpartition(b":")[2] if words else b""
        tail = previous[-11:]
        previous = piece
        value = piece[: piece.find(b'"')]
        if tail.endswith(_IDENTIFIER):
            if not _ASCII_IDENTIFIER.fullmatch(value):
                return False
            choice, variable, _ = _kind(local)
            if choice:
                if value in choices:
                    return False
                choices[value] = None
                choice_names.add(local)
            elif variable:
                variables.append(value)
        elif tail.endswith(_RESPONSE):
            interaction = _kind(local)[2]
            if interaction is None:
                return False  # a choice interaction spelt so that iter_named misses it
            if interaction:
                interactions.add(local)
            references.append(value)
        elif tail.endswith(_OUTCOME):
            references.append(value)
    if role != "assessmentItem":
        return True
    attributed = Attributed(root, walk=False)
    given = [value for d in attributed.declarations() if (value := d.get("identifier"))]
    if len(set(given)) != len(given):
        return False
    declared = {
        identifier.encode() for identifier in attributed.declared() if "&" not in identifier
    }
    declared.update(_BUILT_IN)
    if not (declared.issuperset(references) and declared.issuperset(variables)):
        return False
    if any(check_cardinality(root, attributed)) or any(check_template(root, version, attributed)):
        return False
    return _keys_name_choices(root, attributed, interactions, choice_names)


_BUILT_IN = frozenset(name.encode() for name in BUILT_IN_VARIABLES)


def _keys_name_choices(
    root: etree._Element,
    attributed: Attributed,
    interactions: set[bytes],
    choice_names: set[bytes],
) -> bool:
    """Every keyed declaration's keys name choices of its bound choice interactions.

    ``interactions`` are the local names of the choice interactions that bind a response
    (every element with a binding attribute is in the bytes, and those that are choice
    interactions are spelt as ``iter_named`` finds them), and ``choice_names`` the local
    names of the choices that have an identifier (the only choices the check counts):
    lxml looks for those names alone, in C, instead of every spelling of every choice
    interaction and choice.
    """
    keyed = [
        declaration
        for declaration, name in attributed.children
        if name == "responseDeclaration" and qti_attr(declaration, "baseType") in KEYED_BASE_TYPES
    ]
    if not keyed:
        return True
    bound: dict[str, list[etree._Element]] = {}
    tags = [f"{{*}}{local.decode()}" for local in sorted(interactions)]
    for interaction in root.iter(*tags) if tags else ():
        names = interaction.keys()
        if "responseIdentifier" in names:
            bound.setdefault(interaction.get("responseIdentifier"), []).append(interaction)
        elif "response-identifier" in names:
            bound.setdefault(interaction.get("response-identifier"), []).append(interaction)
    choice_tags = [f"{{*}}{local.decode()}" for local in sorted(choice_names)]
    for declaration in keyed:
        found = bound.get(declaration.get("identifier", ""))
        if not found:
            continue
        named = {
            choice.get("identifier")
            for interaction in found
            for choice in (interaction.iter(*choice_tags) if choice_tags else ())
            if choice is not interaction
        }
        for _element, keys, _where in _declared_keys(declaration, attributed):
            if not named.issuperset(keys):
                return False
    return True
