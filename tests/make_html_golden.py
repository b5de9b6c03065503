"""Record what the rich-text conversion gives, as the reference for
``tests/test_html_golden.py`` (``tests/data/html_golden.json.gz``).

The corpus: every XHTML fragment the QTI import converts (the bank's own export of every
item type in QTI 3.0 and 2.1, the bench's own export with its tables, both plain and
varied, the sample corpus in ``qti-samples``), the HTML the converter hands the sanitizer,
and seeded random mutations of both (hostile markup put in at tag boundaries: scripts,
event handlers, ``javascript:`` URLs, styles, MathML, nested tables, entities, comments;
characters deleted or doubled; random simple markup). For each, the outputs of
:func:`itembank.qti_bridge.html.xhtml_to_html` (with its scans) and of the sanitizer's
public functions, or the exception raised.

The outputs come from the code of a git revision (``--rev``, default ``main``), read
with ``git show`` and loaded as private modules, so the reference stays that code's however
the working tree changes::

    .venv/bin/python -m tests.make_html_golden --rev main
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).parent / "data" / "html_golden.json.gz"
MATHML = "http://www.w3.org/1998/Math/MathML"
SHA = "ab" * 32

#: Well-formed XML put into fragments (the import's parser refuses anything else).
XML_SNIPPETS = (
    "<script>alert(1)</script>",
    '<p onclick="alert(1)" style="color:red">klik</p>',
    '<span lang="en" onmouseover="x()">word</span>',
    '<span lang="javascript:1">x</span>',
    '<a href="javascript:alert(1)">tautan</a>',
    "<style>p { color: red }</style>",
    '<img src="../media/a.png" alt="gambar" width="20" height="99999" onerror="x()"/>',
    '<img src="javascript:alert(1)"/>',
    '<img src="b.svg" alt="svg"/>',
    '<object data="c.png" type="image/png" width="5">teks</object>',
    '<object data="d.svg" type="image/svg+xml"><img src="e.png" alt="alt"/></object>',
    '<object data="f.pdf" type="application/pdf">hanya teks</object>',
    '<object data="g.png"><param name="x" value="y"/>fallback</object>',
    f'<math xmlns="{MATHML}"><mfrac><mi>a</mi><mn>2</mn></mfrac></math>',
    f'<math xmlns="{MATHML}"><mtext><script>1</script>t</mtext><mi onclick="x">y</mi></math>',
    f'<math xmlns="{MATHML}"><semantics><mi>x</mi>'
    '<annotation encoding="application/x-tex">x</annotation></semantics></math>',
    f'<m:math xmlns:m="{MATHML}"><m:msup><m:mi> x </m:mi><m:mn>2</m:mn></m:msup></m:math>',
    "<table><tr><td><table><tr><td>dalam</td></tr></table></td></tr></table>",
    '<table><tbody><tr><th scope="ROW" colspan="2">h</th><td rowspan="0">c</td></tr>'
    "</tbody></table>",
    "&amp;nbsp; &amp;lt;script&amp;gt; &lt;b&gt; &#160;&#x3c;",
    "<!-- komentar -->",
    "<?pi data?>",
    "<![CDATA[<script>1</script>]]>",
    "<div>\n  <p> a </p>\n  </div>",
    "<h2>judul</h2><b>tebal</b><i>miring</i>",
    "<ul><li>a<ul><li>b</li></ul></li></ul>",
    "<p><div>blok</div></p>",
    "<svg><circle/></svg>",
    "<iframe src='x'></iframe>",
    "<br/><br/>",
    "\u00a0 \t",
)

#: HTML put into the sanitizer's inputs (anything goes).
HTML_SNIPPETS = (
    *XML_SNIPPETS,
    "<script>",
    "<b><i>x</b></i>",
    "<td>lepas</td>",
    "<li>x",
    "</p>",
    "<p>",
    "<img src=/media/" + SHA + " onerror=alert(1)>",
    f'<img src="/media/{SHA}" alt="a&quot;b" width="10" height="20">',
    f'<img src="/media/{SHA.upper()}">',
    "<a href=javascript:alert(1)>x</a>",
    '<span lang="id">kata</span>',
    "<span>",
    "&nbsp;&amp;&lt;&gt;&quot;&#0;&#x1;&unknown;",
    "\r\n",
    "\x00\x08",
    "<math><mi>x</mi><annotation-xml encoding='text/html'><img src=x onerror=1>"
    "</annotation-xml></math>",
    "<math><mtext><table><tr><td>t</td></tr></table></mtext></math>",
    "<table><caption><table></table></caption></table>",
    "<noscript><p>n</p></noscript>",
    "<template><p>t</p></template>",
    "<div><div><div>",
    "<p>a<p>b",
    "<STRONG>besar</STRONG>",
    '<p title="x">atribut</p>',
    "<br>",
    "<em><em><em><em>empat</em></em></em></em>",
)

SIMPLE_TAGS = (
    *("p", "br", "strong", "em", "sub", "sup", "ul", "ol", "li", "img", "span", "div"),
    *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "b", "i"),
)
ATTRS = (
    'lang="en"',
    'lang="x"',
    f'src="/media/{SHA}"',
    'src="/media/x"',
    'alt="a &amp; b"',
    'width="10"',
    'height="0"',
    'colspan="3"',
    'rowspan="1001"',
    'scope="col"',
    'scope="Row"',
    'onclick="x"',
    'style="a"',
)
WORDS = ("kata", " ", "\n  ", "&amp;", "&lt;", "&gt;", "Ä", "\u00a0", "x y", "&quot;", "'")


def _random_simple(rng: random.Random, depth: int = 0, void: str = ">") -> str:
    """Random markup of the simple kind (the sanitizer's shortcut), often slightly off
    (``void``: how ``br`` and ``img`` end, ``"/>"`` for XML)."""
    parts = []
    for _ in range(rng.randint(0, 4)):
        if depth > 6 or rng.random() < 0.4:
            parts.append(rng.choice(WORDS))
            continue
        tag = rng.choice(SIMPLE_TAGS)
        attrs = "".join(" " + rng.choice(ATTRS) for _ in range(rng.choice((0, 0, 1, 2))))
        if tag in ("br", "img"):
            parts.append(f"<{tag}{attrs}{void}")
        else:
            parts.append(f"<{tag}{attrs}>{_random_simple(rng, depth + 1, void)}</{tag}>")
    return "".join(parts)


def _insert(rng: random.Random, text: str, snippet: str) -> str:
    """``snippet`` put in at a tag boundary of ``text`` (or at its start)."""
    cuts = [0, len(text)] + [i + 1 for i, char in enumerate(text) if char == ">"]
    cut = rng.choice(cuts)
    return text[:cut] + snippet + text[cut:]


def _damage(rng: random.Random, text: str) -> str:
    if not text:
        return text
    at = rng.randrange(len(text))
    if rng.random() < 0.5:
        return text[:at] + text[at + 1 :]
    return text[:at] + text[at] + text[at:]


def fragments() -> list[str]:
    """The XHTML fragments of the corpus."""
    sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
    from qti_import import labelled_package

    import itembank.qti_bridge.html as html_module
    from itembank.qti_bridge.convert import convert
    from tests.test_qti_import import TYPES, _targets
    from tests.test_qti_import_clean_html import own_package

    seen: list[str] = []
    convert_fragment = html_module.xhtml_to_html

    def recording(fragment: str, *args: Any) -> str:
        seen.append(fragment)
        return convert_fragment(fragment, *args)

    html_module.xhtml_to_html = recording  # type: ignore[assignment]
    try:
        for version in ("3.0", "2.1"):
            convert(own_package(version), TYPES)
        for _label, path in _targets():
            convert(path, TYPES)
        from itembank.plugins import PluginHost

        host = PluginHost(entry_points=False)
        for varied in (False, True):
            convert(labelled_package(40, host, varied=varied)[0], TYPES)
    finally:
        html_module.xhtml_to_html = convert_fragment  # type: ignore[assignment]
    return _with_mutations(16, list(dict.fromkeys(seen)), XML_SNIPPETS, (1200, 150, 800), "/>")


def _with_mutations(
    seed: int, texts: list[str], snippets: tuple[str, ...], counts: tuple[int, int, int], void: str
) -> list[str]:
    """``texts`` and, seeded, ``counts`` of: texts with one to three ``snippets`` put in,
    texts with a character deleted or doubled, random simple markup (each once)."""
    rng = random.Random(seed)
    inserted, damaged, simple = counts
    mutated = []
    for _ in range(inserted):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            text = _insert(rng, text, rng.choice(snippets))
        mutated.append(text)
    mutated += [_damage(rng, rng.choice(texts)) for _ in range(damaged)]
    mutated += [_random_simple(rng, void=void) for _ in range(simple)]
    return list(dict.fromkeys(texts + mutated))


def _image(src: str) -> str:
    if src.endswith(".svg"):
        return src  # not a bank image: the sanitizer drops it
    if "missing" in src:
        raise LookupError(src)
    return "/media/" + hashlib.sha256(src.encode()).hexdigest()


def _shows(media_type: str, data: str) -> bool:
    return data.endswith((".png", ".jpg", ".gif"))


def _outcome(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as exc:  # the same refusal as before
        return {"raises": f"{type(exc).__name__}: {exc}"}


def convert_outcome(html_module: Any, fragment: str) -> Any:
    """What ``xhtml_to_html`` gives for ``fragment`` (its HTML and scans)."""

    def run() -> Any:
        scans: dict[str, tuple[str, frozenset[str]]] = {}
        html = html_module.xhtml_to_html(fragment, _image, _shows, scans)
        return [html, {k: [t, sorted(m)] for k, (t, m) in scans.items()}]

    return [_outcome(run), _outcome(lambda: html_module.xhtml_to_html(fragment, _image))]


def sanitize_outcome(sanitize: Any, html: str) -> Any:
    """What each public function of the sanitizer gives for ``html``."""
    scan = _outcome(lambda: sanitize.sanitize_and_scan(html))
    clean = scan[0] if isinstance(scan, tuple) else None
    outcomes = [
        [scan[0], scan[1], sorted(scan[2])] if isinstance(scan, tuple) else scan,
        _outcome(lambda: sanitize.sanitize_html(html)),
        _outcome(lambda: sanitize.html_to_text(html)),
        _outcome(lambda: sanitize.html_to_xhtml(html)),
        _outcome(lambda: sorted(sanitize.media_references(html))),
        _outcome(lambda: sanitize.sanitize_inline_html(html)),
    ]
    # (1 for an output that is the clean HTML itself, to keep the file small)
    return [1 if index and out == clean else out for index, out in enumerate(outcomes)]


def _module(name: str, source: str, replace: dict[str, Any]) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__dict__["__name__"] = name
    saved = {key: sys.modules.get(key) for key in replace}
    sys.modules.update(replace)
    sys.modules[name] = module
    try:
        exec(compile(source, f"<{name}>", "exec"), module.__dict__)
    finally:
        for key, value in saved.items():
            if value is None:
                sys.modules.pop(key, None)
            else:
                sys.modules[key] = value
    return module


def reference(rev: str) -> tuple[Any, Any]:
    """``itembank.sanitize`` and ``itembank.qti_bridge.html`` as they are at ``rev``."""

    def show(path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{rev}:{path}"], check=True, capture_output=True, text=True
        ).stdout

    sanitize = _module("_golden_sanitize", show("itembank/sanitize.py"), {})
    html = _module(
        "_golden_html", show("itembank/qti_bridge/html.py"), {"itembank.sanitize": sanitize}
    )
    return sanitize, html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rev", default="main")
    args = parser.parse_args()
    xhtml = fragments()
    sanitize, html = reference(args.rev)
    # The sanitizer's inputs: what the converter hands it (recorded), its outputs, and
    # mutations of them.
    handed: list[str] = []
    scan = sanitize.sanitize_and_scan
    html.sanitize_and_scan = lambda text: (handed.append(text), scan(text))[1]
    html.sanitize_html = lambda text: (handed.append(text), sanitize.sanitize_html(text))[1]
    cases = [[fragment, convert_outcome(html, fragment)] for fragment in xhtml]
    html.sanitize_and_scan, html.sanitize_html = scan, sanitize.sanitize_html
    inputs = _with_mutations(17, list(dict.fromkeys(handed)), HTML_SNIPPETS, (1000, 300, 1000), ">")
    sanitized = [[text, sanitize_outcome(sanitize, text)] for text in inputs]
    data = {"rev": args.rev, "xhtml_to_html": cases, "sanitize": sanitized}
    GOLDEN.write_bytes(
        gzip.compress(json.dumps(data, ensure_ascii=False).encode(), mtime=0, compresslevel=9)
    )
    print(f"{len(cases)} fragments, {len(sanitized)} sanitizer inputs -> {GOLDEN}")


if __name__ == "__main__":
    main()
