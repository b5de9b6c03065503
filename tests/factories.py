"""Test data builders shared by the test modules."""

from __future__ import annotations

import uuid
from typing import Any

from itembank.models import Bank, Role, User
from itembank.plugins import PluginHost

PASSWORD = "correct-horse-9"


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


class World:
    """A bank with one user per role, plus an outsider, for workflow tests."""

    def __init__(self, required_approvals: int = 1) -> None:
        from itembank.operations.accounts import add_member, create_bank, create_user

        code = unique("T").upper()[:20]
        self.bank: Bank = create_bank(
            code, f"Bank {code}", actor=None, required_approvals=required_approvals
        )
        self.users: dict[str, User] = {}
        for name, roles in {
            "author": [Role.AUTHOR],
            "author2": [Role.AUTHOR],
            "reviewer": [Role.REVIEWER],
            "reviewer2": [Role.REVIEWER],
            "reviewer3": [Role.REVIEWER],
            "author_reviewer": [Role.AUTHOR, Role.REVIEWER],
            "assembler": [Role.ASSEMBLER],
            "bank_admin": [Role.BANK_ADMIN],
            "outsider": [],
        }.items():
            user = create_user(unique(name + "-"), PASSWORD, actor=None)
            self.users[name] = user
            for role in roles:
                add_member(self.bank, user, role, actor=None)

    def __getattr__(self, name: str) -> User:
        try:
            return self.users[name]
        except KeyError:
            raise AttributeError(name) from None


SINGLE_CHOICE = {
    "options": [
        {"id": "A", "text": "Rp518.400"},
        {"id": "B", "text": "Rp583.200"},
        {"id": "C", "text": "Rp637.200"},
        {"id": "D", "text": "Rp648.000"},
    ],
    "key": "B",
    "points": 5,
}
STEM = (
    "<p>Kantor membeli 12 rim kertas seharga Rp54.000/rim. Pembelian di atas 10 rim "
    "mendapat diskon 10%. Berapa yang harus dibayar?</p>"
)


def make_item(world: World, plugins: PluginHost, **overrides: Any) -> Any:
    from itembank.operations.items import create_item

    args: dict[str, Any] = {
        "item_type": "single_choice",
        "stem": STEM,
        "content": SINGLE_CHOICE,
        "metadata": {"classifications": [{"taxonomy": "skd-cpns", "node": "TIU.NUM"}]},
    }
    args.update(overrides)
    actor = args.pop("actor", world.author)
    upload_example_media(world.bank, world.author, args["content"])
    return create_item(world.bank, actor=actor, plugins=plugins, **args)


def upload_example_media(bank: Bank, author: User, content: Any) -> dict[str, bytes]:
    """Upload the images the graphic types' example content shows to ``bank`` when
    ``content`` shows them; returns the media it uses (``{sha256: bytes}``, for packages)."""
    import json

    from itembank.operations.media import upload_media
    from plugins.itemtypes._graphic import EXAMPLE_MEDIA

    text = json.dumps(content)
    used = {sha: data for sha, data in EXAMPLE_MEDIA.items() if sha in text}
    for data in used.values():
        upload_media(bank, data, actor=author, max_bytes=len(data))
    return used


#: A TKP item (Pelayanan Publik) weighted 1..5.
TKP = {
    "options": [
        {"id": "A", "text": "Meminta warga kembali besok pagi.", "weight": 3},
        {"id": "B", "text": "Menjelaskan kekurangan dan menerima berkas yang ada.", "weight": 5},
        {"id": "C", "text": "Menolak melayani.", "weight": 1},
        {"id": "D", "text": "Memberi daftar persyaratan tertulis.", "weight": 4},
        {"id": "E", "text": "Menyarankan bertanya ke meja informasi.", "weight": 2},
    ],
    "scale": {"min": 1, "max": 5},
}
