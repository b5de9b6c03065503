"""Excerpts in lists keep what superscripts and subscripts say."""

from __future__ import annotations

from typing import Any

import pytest

from itembank.ui.excerpt import rich_text_excerpt
from tests.factories import World, make_item
from tests.ui.conftest import text


@pytest.mark.parametrize(
    ("html", "excerpt"),
    [
        ("<p>2<sup>5</sup> + 3<sup>4</sup> = ...</p>", "2⁵ + 3⁴ = ..."),
        ("<p>H<sub>2</sub>SO<sub>4</sub></p>", "H₂SO₄"),
        ("<p>x<sup>n+1</sup> dan a<sub>ij</sub></p>", "xⁿ⁺¹ dan aᵢⱼ"),
        ("<p>x<sup>a+b</sup>, y<sub>β</sub></p>", "x^(a+b), y_β"),
        ("<p>10<sup>&minus;3</sup> m</p>", "10⁻³ m"),
        ("<p>a<sup><em>2</em></sup></p>", "a²"),
        ("<p>Tanpa pangkat.</p>", "Tanpa pangkat."),
    ],
)
def test_scripts_are_written_with_unicode_or_plain_notation(html: str, excerpt: str) -> None:
    assert rich_text_excerpt(html, 160) == excerpt


def test_excerpts_are_cut_at_the_limit() -> None:
    assert rich_text_excerpt("<p>" + "kata " * 50 + "</p>", 20) == "kata kata kata kata…"


def test_the_item_list_shows_the_right_sum(as_user: Any, world: World, plugins: Any) -> None:
    make_item(world, plugins, stem="<p>Hasil dari 2<sup>5</sup> + 3<sup>4</sup> adalah ...</p>")
    page = text(as_user("author").get(f"/banks/{world.bank.code}/items"))
    assert "Hasil dari 2⁵ + 3⁴ adalah ..." in page
    assert "25 + 34" not in page
