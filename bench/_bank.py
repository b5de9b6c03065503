"""A realistic bank for the benchmarks that read items from the database.

Three parts:

- :func:`plan_items` makes items as writers write them: every built-in type, stems of
  two to four Indonesian sentences about civil-service work (TIU arithmetic, TWK facts,
  TKP situations), options in full sentences, classified against SKD CPNS and (for the
  competency types) the ASN 2017 standard with a level, with a version history (1-3
  versions; earlier ones approved or sent back, the newest in any status) spread over
  the year before now.
- :func:`write_items` writes them in multi-row INSERTs with the rows the domain
  operations write: every version goes through :func:`prepare_version` (the same
  sanitizer, normalised content, content hash and ``search_text`` as by hand), items
  point at their newest and newest approved version, versions have their contributor,
  classifications and reviews. Audit events are left out (no benchmark reads them).
  :func:`check_writer` proves the rows match: it writes the same histories through the
  operations (``create_item``, ``submit_version``, ``review_version``, ...) and in
  bulk, and compares them column by column.
- :class:`Expected` works out in Python, from what was written, which items a listing
  must return (total and the page's identifiers) for each filter, so a benchmark
  checks the app's answer before it times it.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import _common  # noqa: F401  (puts the repository on sys.path)
import sqlalchemy as sa

from itembank.extensions import db
from itembank.models import (
    Bank,
    Item,
    ItemClassification,
    ItemVersion,
    Review,
    TaxonomyNode,
    TaxonomyRecord,
    User,
    VersionContributor,
)
from itembank.operations.content import NodeLookup, prepare_version, search_needle
from itembank.operations.reads import COUNT_LIMIT
from itembank.operations.relevance import RELEVANCE, WORD_RE
from itembank.plugins import PluginHost
from itembank.workflow import Status

# -- text ----------------------------------------------------------------------------------

SUBJECTS = (
    "Seorang pegawai di kantor kecamatan",
    "Anda sebagai kepala seksi pelayanan",
    "Seorang analis kebijakan di dinas pendidikan",
    "Petugas loket perizinan terpadu",
    "Koordinator kegiatan di balai pelatihan",
    "Seorang arsiparis di sekretariat daerah",
    "Bendahara pengeluaran di puskesmas",
    "Anggota tim pengadaan barang dan jasa",
    "Seorang pranata komputer di badan kepegawaian",
    "Penyuluh pertanian di kabupaten",
)
SITUATIONS = (
    "menerima keluhan warga tentang antrean layanan yang sangat panjang",
    "diminta menyusun laporan kinerja triwulan dalam waktu dua hari kerja",
    "menemukan selisih antara data anggaran dan dokumen pendukungnya",
    "harus menyelesaikan pekerjaan rekan yang sedang cuti sakit",
    "mendapat permintaan data pribadi pegawai dari pihak yang tidak dikenal",
    "melihat rekan kerja mengubah daftar hadir rapat koordinasi",
    "ditugaskan memimpin rapat koordinasi lintas bidang untuk pertama kali",
    "menerima berkas permohonan yang belum lengkap menjelang jam layanan berakhir",
    "diminta pimpinan menerapkan aplikasi layanan digital yang baru",
    "menerima masukan bahwa pengumuman seleksi sulit dipahami masyarakat",
    "mendapati arsip surat keputusan lama rusak terkena banjir",
    "diberi target menurunkan waktu tunggu layanan sebesar dua puluh persen",
)
CONTEXTS = (
    "Sementara itu, sistem aplikasi sedang mengalami gangguan sejak pagi.",
    "Pimpinan sedang bertugas ke luar kota dan sulit dihubungi.",
    "Beberapa rekan berpendapat bahwa masalah itu bukan tanggung jawab unit Anda.",
    "Waktu pelaksanaan kegiatan tinggal tiga hari lagi.",
    "Anggaran kegiatan tahun ini sudah dipotong untuk penanganan bencana.",
    "Sebagian besar warga yang datang sudah lanjut usia dan belum terbiasa dengan layanan daring.",
    "Standar operasional prosedur untuk keadaan seperti ini belum pernah disusun.",
    "Unit Anda baru saja mendapat dua pegawai baru yang belum berpengalaman.",
)
QUESTIONS = (
    "Apa yang sebaiknya Anda lakukan?",
    "Tindakan mana yang paling tepat?",
    "Bagaimana sikap Anda menghadapi keadaan tersebut?",
    "Langkah pertama apa yang Anda ambil?",
)
RESPONSES = (
    "Menjelaskan duduk persoalannya dengan ramah, lalu mencari jalan keluar bersama.",
    "Melaporkan keadaan itu kepada pimpinan dan menunggu arahan lebih lanjut.",
    "Menyelesaikan sendiri pekerjaan itu walaupun harus bekerja lembur.",
    "Meminta rekan lain mengambil alih karena hal itu bukan tugas Anda.",
    "Menunda penanganan sampai keadaan kembali normal.",
    "Mengajak tim menyusun langkah perbaikan dan membagi tugas dengan jelas.",
    "Mencatat kejadian tersebut dan membahasnya pada rapat koordinasi berikutnya.",
    "Menolak dengan sopan sambil menjelaskan aturan yang berlaku.",
    "Mempelajari aturan yang relevan terlebih dahulu sebelum mengambil keputusan.",
    "Menyampaikan informasi secara terbuka kepada warga melalui papan pengumuman.",
)
#: (statement, true?) for TWK items.
FACTS = (
    ("Pancasila ditetapkan sebagai dasar negara pada tanggal 18 Agustus 1945.", True),
    ("Sidang pertama BPUPKI membahas rumusan dasar negara.", True),
    ("Semboyan Bhinneka Tunggal Ika tertulis pada pita yang dicengkeram Garuda.", True),
    ("Sumpah Pemuda diikrarkan pada tanggal 28 Oktober 1928.", True),
    ("Kedaulatan berada di tangan rakyat dan dilaksanakan menurut Undang-Undang Dasar.", True),
    ("Bahasa negara ialah bahasa Indonesia.", True),
    ("Undang-Undang Dasar 1945 telah diamendemen sebanyak lima kali.", False),
    ("Presiden dipilih oleh Majelis Permusyawaratan Rakyat sejak amendemen keempat.", False),
    ("Lambang negara ditetapkan dengan peraturan menteri.", False),
    ("Sila keempat Pancasila dilambangkan dengan rantai.", False),
    ("Dekrit Presiden 5 Juli 1959 memberlakukan kembali UUD Sementara 1950.", False),
    ("Hari Kebangkitan Nasional diperingati setiap tanggal 2 Mei.", False),
)
ATTITUDES = (
    "Saya tetap menyelesaikan pekerjaan sesuai rencana walaupun ada perubahan mendadak.",
    "Saya senang mempelajari aplikasi baru yang membantu pelayanan masyarakat.",
    "Saya meminta pendapat rekan sebelum mengambil keputusan penting.",
    "Saya menolak pemberian dalam bentuk apa pun dari pihak yang saya layani.",
    "Saya merasa nyaman bekerja sama dengan rekan dari latar belakang berbeda.",
    "Saya mencatat setiap janji layanan agar tidak ada yang terlewat.",
)
PROCEDURES = (
    (
        "Urutkan tahapan pembentukan undang-undang berikut dari yang pertama.",
        ("Perencanaan", "Penyusunan", "Pembahasan", "Pengesahan atau penetapan", "Pengundangan"),
    ),
    (
        "Urutkan tahapan pengadaan barang dan jasa pemerintah berikut dari yang pertama.",
        (
            "Perencanaan pengadaan",
            "Persiapan pengadaan",
            "Pemilihan penyedia",
            "Pelaksanaan kontrak",
            "Serah terima hasil pekerjaan",
        ),
    ),
    (
        "Urutkan langkah penanganan pengaduan masyarakat berikut dari yang pertama.",
        (
            "Menerima dan mencatat pengaduan",
            "Memeriksa kelengkapan laporan",
            "Meneruskan kepada unit yang berwenang",
            "Menindaklanjuti pengaduan",
            "Menyampaikan hasil kepada pelapor",
        ),
    ),
)
#: A sentence one item in 200 has in its stems (the 4th, the 204th, ...; their newest
#: version approved): what a search for a rare word finds, in a bank of 100 items too.
RARE = "Rekanan itu juga menyinggung soal gratifikasi yang pernah ditolak unit lain."
RARE_WORD = "gratifikasi"
#: A word in many stems (it is in two of the situations and in the responses).
COMMON_WORD = "koordinasi"
#: Two and three words found together in many stems (two situations and a response):
#: what the relevance order scores by the words' distance as well as their occurrences.
TWO_WORDS = "rapat koordinasi"
THREE_WORDS = "pada rapat koordinasi"

SKD = {
    "tiu": ("TIU.NUM.BERHITUNG", "TIU.NUM.CERITA", "TIU.NUM.DERET", "TIU.VER.SILOGISME"),
    "twk": ("TWK.NAS", "TWK.INT", "TWK.BN", "TWK.PN", "TWK.BI"),
    "tkp": ("TKP.PP", "TKP.JK", "TKP.SB", "TKP.TIK", "TKP.PROF", "TKP.AR"),
}
ASN = ("M.1", "M.2", "M.3", "M.4", "M.5", "M.6", "M.7", "M.8", "SK.1")

#: (item type, share of the bank): a working SKD/ASN bank, mostly choice and TKP items.
TYPE_SHARES = (
    ("single_choice", 34),
    ("weighted_options", 25),
    ("multiple_response", 8),
    ("true_false", 8),
    ("short_text", 6),
    ("likert", 5),
    ("extended_text", 5),
    ("ordering", 5),
    ("matching", 4),
)
#: The newest version's status in a working bank, and an earlier version's.
NEWEST_STATUS = (
    (Status.APPROVED, 55),
    (Status.DRAFT, 15),
    (Status.IN_REVIEW, 12),
    (Status.CHANGES_REQUESTED, 8),
    (Status.REJECTED, 5),
    (Status.WITHDRAWN, 5),
)
EARLIER_STATUS = ((Status.APPROVED, 80), (Status.CHANGES_REQUESTED, 15), (Status.WITHDRAWN, 5))


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _p(*sentences: str) -> str:
    return "<p>" + " ".join(sentences) + "</p>"


def _letters(count: int) -> list[str]:
    return [chr(ord("A") + k) for k in range(count)]


class Writer:
    """Stems and content for each built-in type, from a seeded random generator."""

    def __init__(self, rng: random.Random, host: PluginHost):
        self.rng = rng
        self.examples = {t: host.item_type(t).example_content() for t in host.item_types}

    def situation(self) -> str:
        rng = self.rng
        sentences = [f"{rng.choice(SUBJECTS)} {rng.choice(SITUATIONS)}."]
        sentences += rng.sample(CONTEXTS, rng.choice((1, 1, 2)))
        return _p(*sentences)

    def arithmetic(self) -> tuple[str, int]:
        rng = self.rng
        reams, price = rng.randint(3, 60), rng.randrange(42_000, 68_000, 500)
        discount, shipping = rng.choice((5, 10, 15, 20)), rng.randrange(10_000, 50_000, 2500)
        total = reams * price * (100 - discount) // 100 + shipping
        stem = _p(
            f"Sebuah kantor membeli {reams} rim kertas seharga {rupiah(price)} per rim dan "
            f"mendapat potongan {discount} persen karena membayar tunai.",
            f"Ongkos kirim sebesar {rupiah(shipping)} ditanggung pembeli.",
        ) + _p("Berapa rupiah yang harus dibayar kantor tersebut?")
        return stem, total

    def content(self, item_type: str) -> tuple[str, dict[str, Any], str, str | None]:
        """(stem, content, SKD area, ASN node or None) for one version."""
        rng = self.rng
        example = self.examples[item_type]
        if item_type == "single_choice":
            if rng.random() < 0.5:
                stem, total = self.arithmetic()
                near = [total + step * 2500 for step in range(-8, 9) if step]
                answers = [total, *rng.sample(near, 4)]
                rng.shuffle(answers)
                options = [
                    {"id": letter, "text": f"<p>{rupiah(value)}</p>"}
                    for letter, value in zip(_letters(5), answers, strict=True)
                ]
                key = _letters(5)[answers.index(total)]
                return stem, {**example, "options": options, "key": key}, "tiu", None
            true = [f for f, ok in FACTS if ok]
            false = [f for f, ok in FACTS if not ok]
            answers = [rng.choice(true), *rng.sample(false, 4)]
            right = answers[0]
            rng.shuffle(answers)
            options = [
                {"id": letter, "text": f"<p>{text}</p>"}
                for letter, text in zip(_letters(5), answers, strict=True)
            ]
            stem = _p(
                "Pemahaman sejarah dan konstitusi menjadi bekal setiap aparatur sipil negara.",
                "Perhatikan pernyataan-pernyataan berikut dengan saksama.",
            ) + _p("Pernyataan yang benar adalah ...")
            key = _letters(5)[answers.index(right)]
            return stem, {**example, "options": options, "key": key, "points": 5}, "twk", None
        if item_type == "weighted_options":
            texts = rng.sample(RESPONSES, 5)
            weights = [1, 2, 3, 4, 5]
            rng.shuffle(weights)
            options = [
                {"id": letter, "text": f"<p>{text}</p>", "weight": weight}
                for letter, text, weight in zip(_letters(5), texts, weights, strict=True)
            ]
            stem = self.situation() + _p(rng.choice(QUESTIONS))
            return stem, {**example, "options": options}, "tkp", rng.choice(ASN)
        if item_type == "multiple_response":
            chosen = rng.sample(FACTS, 5)
            if not any(ok for _, ok in chosen):
                chosen[0] = next(f for f in FACTS if f[1])
            options = [
                {"id": letter, "text": f"<p>{text}</p>"}
                for letter, (text, _) in zip(_letters(5), chosen, strict=True)
            ]
            keys = [letter for letter, (_, ok) in zip(_letters(5), chosen, strict=True) if ok]
            stem = _p(
                "Beberapa pernyataan berikut berkaitan dengan wawasan kebangsaan.",
                "Tidak semua pernyataan itu benar.",
            ) + _p("Pilih semua pernyataan yang benar.")
            return stem, {**example, "options": options, "keys": keys}, "twk", None
        if item_type == "true_false":
            text, ok = rng.choice(FACTS)
            stem = _p("Tentukan apakah pernyataan berikut benar atau salah.") + _p(text)
            return stem, {**example, "key": ok}, "twk", None
        if item_type == "short_text":
            first, step = rng.randint(2, 40), rng.randint(2, 9)
            terms = [first + step * k * (k + 1) // 2 for k in range(5)]
            nxt = first + step * 5 * 6 // 2
            stem = _p(
                "Perhatikan deret bilangan berikut: " + ", ".join(map(str, terms)) + ", ...",
                "Selisih antarsuku deret itu bertambah secara teratur.",
            ) + _p("Tuliskan bilangan berikutnya.")
            return stem, {**example, "accepted": [str(nxt)]}, "tiu", None
        if item_type == "likert":
            stem = _p(
                "Pernyataan berikut menggambarkan cara Anda bekerja sehari-hari.",
                rng.choice(ATTITUDES),
            ) + _p("Seberapa sesuai pernyataan itu dengan diri Anda?")
            direction = rng.choice(("positive", "negative"))
            return stem, {**example, "direction": direction}, "tkp", rng.choice(ASN)
        if item_type == "extended_text":
            stem = self.situation() + _p(
                "Uraikan langkah yang akan Anda tempuh beserta alasannya dalam satu sampai dua "
                "paragraf."
            )
            return stem, dict(example), "tkp", rng.choice(ASN)
        if item_type == "ordering":
            question, steps = rng.choice(PROCEDURES)
            shown = list(zip(_letters(5), steps, strict=True))
            rng.shuffle(shown)
            options = [
                {"id": letter, "text": f"<p>{text}</p>"}
                for letter, (_, text) in zip(_letters(5), shown, strict=True)
            ]
            by_step = {text: letter for letter, (_, text) in zip(_letters(5), shown, strict=True)}
            order = [by_step[text] for text in steps]
            stem = _p("Setiap tahapan memiliki dasar hukum dan penanggung jawabnya.", question)
            return stem, {**example, "options": options, "correct_order": order}, "twk", None
        if item_type == "matching":
            stem = _p(
                "Setiap sila Pancasila dilambangkan dengan gambar pada perisai Garuda.",
                "Pasangkan sila berikut dengan lambangnya.",
            )
            return stem, dict(example), "twk", None
        raise ValueError(f"no generator for item type {item_type!r}")

    def version(self, item_type: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
        """(stem, content, metadata) of one version: classified under an SKD node and,
        for the competency types, an ASN 2017 competency at a level."""
        rng = self.rng
        stem, content, area, asn = self.content(item_type)
        classifications: list[dict[str, Any]] = [
            {"taxonomy": "skd-cpns", "node": rng.choice(SKD[area])}
        ]
        if asn:
            classifications.append(
                {"taxonomy": "asn-2017", "node": asn, "level": rng.randint(1, 5)}
            )
        metadata = {
            "classifications": classifications,
            "tags": [f"paket-{rng.randint(1, 12)}", area],
            "difficulty": round(rng.uniform(0.2, 0.9), 2),
        }
        return stem, content, metadata


# -- plans -----------------------------------------------------------------------------------


@dataclass
class VersionPlan:
    status: Status
    stem: str
    content: dict[str, Any]
    metadata: dict[str, Any]
    created_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None


@dataclass
class ItemPlan:
    item_type: str
    created_at: datetime
    updated_at: datetime
    versions: list[VersionPlan]


def _weighted(rng: random.Random, choices: Iterable[tuple[Any, int]]) -> Any:
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def plan_items(
    count: int,
    host: PluginHost,
    *,
    seed: int = 1,
    now: datetime | None = None,
    days: int = 365,
    approved_only: bool = False,
    images: list[str] = (),  # type: ignore[assignment]
) -> list[ItemPlan]:
    """``count`` items created over the ``days`` before ``now`` (default: the current
    time), with their version histories. ``approved_only``: one approved version each,
    and every type in turn (what a form is made of). ``images``: SHA-256 of images in
    the bank; every tenth item shows one."""
    rng = random.Random(seed)
    writer = Writer(rng, host)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    start = now - timedelta(days=days)
    types = [t for t, _ in TYPE_SHARES if t in host.item_types]
    plans = []
    for index in range(count):
        if approved_only:
            item_type = types[index % len(types)]
            statuses = [Status.APPROVED]
        else:
            item_type = _weighted(rng, ((t, s) for t, s in TYPE_SHARES if t in host.item_types))
            history = rng.choice((1, 1, 1, 1, 2, 2, 3))
            statuses = [_weighted(rng, EARLIER_STATUS) for _ in range(history - 1)]
            statuses.append(_weighted(rng, NEWEST_STATUS))
        rare = index % 200 == 3
        if rare:
            statuses[-1] = Status.APPROVED
        image = images[(index // 10) % len(images)] if images and index % 10 == 0 else None
        # Leave a month at the end for the history (no event after ``now``).
        when = start + timedelta(seconds=rng.randrange(max(1, (days - 30) * 86_400)))
        plans.append(plan_item(writer, item_type, statuses, when, image=image, rare=rare))
    return plans


def plan_item(
    writer: Writer,
    item_type: str,
    statuses: list[Status],
    when: datetime,
    *,
    image: str | None = None,
    rare: bool = False,
) -> ItemPlan:
    """One item of ``item_type`` created at ``when`` whose versions end in ``statuses``
    (each submitted hours after it was written, decided hours or days later); ``image``:
    the SHA-256 of a bank image its stems show; ``rare``: its stems have :data:`RARE`."""
    rng = writer.rng
    created = when
    versions = []
    for number, status in enumerate(statuses, start=1):
        stem, content, metadata = writer.version(item_type)
        if rare:
            stem += _p(RARE)
        if image:
            stem += f'<p><img src="/media/{image}" alt="Gambar pendukung soal"></p>'
        submitted = decided = None
        if status is not Status.DRAFT:
            submitted = when + timedelta(hours=rng.randint(1, 48))
            when = submitted
        if submitted is not None and status is not Status.IN_REVIEW:
            decided = submitted + timedelta(hours=rng.randint(2, 72))
            when = decided
        versions.append(VersionPlan(status, stem, content, metadata, created, submitted, decided))
        if number < len(statuses):
            when += timedelta(hours=rng.randint(1, 96))
            created = when
    return ItemPlan(item_type, versions[0].created_at, when, versions)


# -- writing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """What a listing filters on for one version."""

    id: int
    number: int
    status: str
    search_text: str
    classifications: frozenset[tuple[int, int | None]]


@dataclass(frozen=True)
class WrittenItem:
    id: int
    external_id: str
    item_type: str
    created_at: datetime
    updated_at: datetime
    newest: Listed
    approved: Listed | None


def write_items(
    bank: Bank,
    plans: list[ItemPlan],
    *,
    author: User,
    reviewer: User,
    host: PluginHost,
    chunk: int = 1000,
) -> list[WrittenItem]:
    """Write ``plans`` into ``bank`` as ``author`` (versions) and ``reviewer``
    (decisions), ``chunk`` items per set of INSERTs; the caller commits."""
    lookup = NodeLookup(bank)
    required = bank.required_approvals
    written: list[WrittenItem] = []
    for offset in range(0, len(plans), chunk):
        part = plans[offset : offset + chunk]
        with _memoized_sanitizer():
            prepared = [
                [
                    prepare_version(
                        bank,
                        host.item_type(plan.item_type),
                        version.stem,
                        version.content,
                        version.metadata,
                        lookup=lookup,
                    )
                    for version in plan.versions
                ]
                for plan in part
            ]
        # Numbers as next_item_number takes them: one counter update for the chunk.
        last = db.session.execute(
            sa.update(Bank)
            .where(Bank.id == bank.id)
            .values(item_counter=Bank.item_counter + len(part))
            .returning(Bank.item_counter)
        ).scalar_one()
        first = int(last) - len(part) + 1
        externals = [f"{bank.code}-{first + k:06d}" for k in range(len(part))]
        item_ids = list(
            db.session.execute(
                sa.insert(Item).returning(Item.id, sort_by_parameter_order=True),
                [
                    {
                        "bank_id": bank.id,
                        "number": first + k,
                        "external_id": externals[k],
                        "item_type": plan.item_type,
                        "created_by_id": author.id,
                        "created_at": plan.created_at,
                        "updated_at": plan.updated_at,
                    }
                    for k, plan in enumerate(part)
                ],
            ).scalars()
        )
        version_ids: list[list[int]] = [[] for _ in part]
        for number in range(max(len(plan.versions) for plan in part)):
            owners = [k for k, plan in enumerate(part) if number < len(plan.versions)]
            rows = []
            for k in owners:
                plan, ready = part[k].versions[number], prepared[k][number]
                submitted = plan.submitted_at is not None
                rows.append(
                    {
                        "item_id": item_ids[k],
                        "number": number + 1,
                        "status": plan.status.value,
                        "stem": ready.stem,
                        "content": ready.content,
                        "meta": ready.metadata,
                        "content_hash": ready.content_hash,
                        "search_text": ready.search_text,
                        "revision": 1,
                        "based_on_id": version_ids[k][-1] if number else None,
                        "created_by_id": author.id,
                        "created_at": plan.created_at,
                        "updated_by_id": author.id,
                        "updated_at": plan.created_at,
                        "submitted_by_id": author.id if submitted else None,
                        "submitted_at": plan.submitted_at,
                        "required_approvals": required if submitted else None,
                        "decided_at": plan.decided_at,
                    }
                )
            new_ids = db.session.execute(
                sa.insert(ItemVersion).returning(ItemVersion.id, sort_by_parameter_order=True),
                rows,
            ).scalars()
            for k, version_id in zip(owners, new_ids, strict=True):
                version_ids[k].append(version_id)
        table = Item.__table__
        pointers = []
        for k, plan in enumerate(part):
            approved = [
                vid
                for vid, v in zip(version_ids[k], plan.versions, strict=True)
                if v.status is Status.APPROVED
            ]
            pointers.append(
                {
                    "target": item_ids[k],
                    "newest": version_ids[k][-1],
                    "approved": approved[-1] if approved else None,
                }
            )
        db.session.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("target"))
            .values(
                newest_version_id=sa.bindparam("newest"),
                approved_version_id=sa.bindparam("approved"),
            ),
            pointers,
        )
        pairs = [
            (vid, version, ready)
            for k, plan in enumerate(part)
            for vid, version, ready in zip(version_ids[k], plan.versions, prepared[k], strict=True)
        ]
        db.session.execute(
            sa.insert(VersionContributor),
            [{"version_id": vid, "user_id": author.id} for vid, _, _ in pairs],
        )
        db.session.execute(
            sa.insert(ItemClassification),
            [
                {"version_id": vid, "node_id": node.id, "level": level}
                for vid, _, ready in pairs
                for node, level in ready.nodes
            ],
        )
        reviews = [
            {
                "version_id": vid,
                "reviewer_id": reviewer.id,
                "decision": DECISIONS[version.status][0],
                "comment": DECISIONS[version.status][1],
                "created_at": version.decided_at,
            }
            for vid, version, _ in pairs
            if version.status in DECISIONS
        ]
        if reviews:
            db.session.execute(sa.insert(Review), reviews)
        for k, plan in enumerate(part):
            listed = [
                Listed(
                    vid,
                    number,
                    version.status.value,
                    ready.search_text,
                    frozenset((node.id, level) for node, level in ready.nodes),
                )
                for number, (vid, version, ready) in enumerate(
                    zip(version_ids[k], plan.versions, prepared[k], strict=True), start=1
                )
            ]
            approved_listed = [v for v in listed if v.status == Status.APPROVED.value]
            written.append(
                WrittenItem(
                    item_ids[k],
                    externals[k],
                    plan.item_type,
                    plan.created_at,
                    plan.updated_at,
                    listed[-1],
                    approved_listed[-1] if approved_listed else None,
                )
            )
        db.session.flush()
    return written


@contextmanager
def _memoized_sanitizer() -> Iterator[None]:
    """:func:`prepare_version` with the sanitizer's two pure functions remembering their
    answers: option texts and sentences repeat across generated items, and sanitizing
    them again and again would make a 100,000-item bank take ten minutes to write. The
    output is the same (:func:`check_writer` compares it with the operations')."""
    from itembank.operations import content

    originals = content.sanitize_and_scan, content.html_to_text
    content.sanitize_and_scan = functools.lru_cache(maxsize=200_000)(originals[0])  # type: ignore[assignment]
    content.html_to_text = functools.lru_cache(maxsize=200_000)(originals[1])  # type: ignore[assignment]
    try:
        yield
    finally:
        content.sanitize_and_scan, content.html_to_text = originals


#: The review a decided version has: (decision, comment).
DECISIONS = {
    Status.APPROVED: ("approve", ""),
    Status.CHANGES_REQUESTED: ("request_changes", "Perjelas pokok soal dan periksa kunci."),
    Status.REJECTED: ("reject", "Materi soal tidak sesuai dengan kisi-kisi."),
}


# -- the writer against the operations ---------------------------------------------------------


def check_writer(host: PluginHost, author: User, reviewer: User) -> int:
    """Write the same version histories through the domain operations and through
    :func:`write_items`, each in a bank of its own, and compare the rows column by
    column (ids and times aside). Raises SystemExit naming the first difference;
    returns how many histories were compared."""
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_bank
    from itembank.operations.items import create_item, start_new_draft, update_draft
    from itembank.operations.reviews import review_version, submit_version, withdraw_version

    histories = (
        (Status.DRAFT,),
        (Status.IN_REVIEW,),
        (Status.APPROVED,),
        (Status.CHANGES_REQUESTED,),
        (Status.REJECTED,),
        (Status.WITHDRAWN,),
        (Status.APPROVED, Status.DRAFT),
        (Status.APPROVED, Status.APPROVED),
        (Status.CHANGES_REQUESTED, Status.IN_REVIEW),
        (Status.WITHDRAWN, Status.APPROVED, Status.REJECTED),
    )
    writer = Writer(random.Random(99), host)
    types = [t for t, _ in TYPE_SHARES if t in host.item_types]
    when = datetime.now(UTC).replace(microsecond=0) - timedelta(days=30)
    plans = [
        plan_item(writer, types[index % len(types)], list(statuses), when)
        for index, statuses in enumerate(histories)
    ]

    banks = []
    for code in ("REF-OPS", "REF-BULK"):
        bank = create_bank(code, f"Pembanding penulisan ({code})", actor=None)
        add_member(bank, author, Role.AUTHOR, actor=None)
        add_member(bank, reviewer, Role.REVIEWER, actor=None)
        banks.append(bank)
    db.session.flush()
    by_hand = []
    for plan in plans:
        first = plan.versions[0]
        item = create_item(
            banks[0],
            actor=author,
            plugins=host,
            item_type=plan.item_type,
            stem=first.stem,
            content=first.content,
            metadata=first.metadata,
        )
        for number, version in enumerate(plan.versions, start=1):
            draft = item.latest_version
            if number > 1:
                draft = start_new_draft(item, actor=author)
                draft = update_draft(
                    draft,
                    actor=author,
                    plugins=host,
                    base_revision=draft.revision,
                    stem=version.stem,
                    content=version.content,
                    metadata=version.metadata,
                )
            if version.status is Status.DRAFT:
                continue
            submit_version(draft, actor=author)
            if version.status is Status.WITHDRAWN:
                withdraw_version(draft, actor=author)
            elif version.status in DECISIONS:
                decision, comment = DECISIONS[version.status]
                review_version(draft, actor=reviewer, decision=decision, comment=comment)
        by_hand.append(item.id)
    db.session.flush()
    bulk = [w.id for w in write_items(banks[1], plans, author=author, reviewer=reviewer, host=host)]
    db.session.flush()
    db.session.expire_all()
    for statuses, hand_id, bulk_id in zip(histories, by_hand, bulk, strict=True):
        name = " -> ".join(s.value for s in statuses)
        hand, made = _rows(hand_id), _rows(bulk_id)
        if hand != made:
            differences = [
                f"{key}: by the operations {hand[key]!r}, in bulk {made.get(key)!r}"
                for key in hand
                if hand[key] != made.get(key)
            ]
            raise SystemExit(
                f"bench check failed: the bulk writer differs from the operations for the "
                f"history {name}: " + "; ".join(differences[:5])
            )
    return len(histories)


#: Columns whose values differ between two writes of the same history by design.
_VOLATILE = {"id", "bank_id", "item_id", "number", "external_id", "revision", "version_id"}


def _rows(item_id: int) -> dict[str, Any]:
    """An item's rows as comparable values: which columns are filled, the content
    columns' values, which version each pointer names, and each version's children."""
    item = db.session.get(Item, item_id)
    assert item is not None
    numbers = {v.id: v.number for v in item.versions}
    out: dict[str, Any] = {
        "item columns filled": _filled(Item.__table__, item),
        "newest version": numbers.get(item.newest_version_id),  # type: ignore[arg-type]
        "approved version": numbers.get(item.approved_version_id),  # type: ignore[arg-type]
        "versions": len(item.versions),
    }
    for version in item.versions:
        prefix = f"v{version.number}"
        out[f"{prefix} columns filled"] = _filled(ItemVersion.__table__, version)
        for column in (
            "status",
            "stem",
            "content",
            "meta",
            "content_hash",
            "search_text",
            "required_approvals",
        ):
            out[f"{prefix} {column}"] = getattr(version, column)
        out[f"{prefix} based on"] = numbers.get(version.based_on_id)  # type: ignore[arg-type]
        out[f"{prefix} contributors"] = sorted(c.user_id for c in version.contributors)
        out[f"{prefix} classifications"] = sorted(
            (c.node_id, c.level or 0) for c in version.classifications
        )
        out[f"{prefix} reviews"] = sorted(
            (r.reviewer_id, r.decision, r.comment) for r in version.reviews
        )
    return out


def _filled(table: sa.Table, row: Any) -> list[str]:
    mapper = sa.inspect(type(row))
    return sorted(
        column.key
        for column in table.columns
        if column.key not in _VOLATILE
        and getattr(row, mapper.get_property_by_column(column).key) is not None
    )


# -- what a listing must return -----------------------------------------------------------------


@dataclass(frozen=True)
class NodeInfo:
    taxonomy_id: int
    taxonomy: str
    code: str
    path: str


def node_index() -> dict[int, NodeInfo]:
    """Every taxonomy node by id (global taxonomies and the banks' own)."""
    rows = db.session.execute(
        sa.select(
            TaxonomyNode.id,
            TaxonomyNode.taxonomy_id,
            TaxonomyRecord.code,
            TaxonomyNode.code,
            TaxonomyNode.path,
        ).join(TaxonomyRecord, TaxonomyRecord.id == TaxonomyNode.taxonomy_id)
    )
    return {row[0]: NodeInfo(*row[1:]) for row in rows}


@dataclass(frozen=True)
class Page:
    total: int
    total_exact: bool
    ids: tuple[str, ...]
    #: For the relevance order: the first tier's items (of the whole listing) and how
    #: many of the page are in it; its order within a tier is the engine's.
    first_tier: frozenset[str] | None = None
    in_first: int = 0

    def check(self, what: str, ids: tuple[str, ...]) -> None:
        """``ids``, a page of the listing, is this page: the same items in the same
        order, or for the relevance order the first tier's items first (as many as the
        page has of them) and the page's items otherwise the expected ones, each once."""
        from _common import expect

        if self.first_tier is None:
            expect(f"{what}: items", ids, self.ids)
            return
        expect(f"{what}: items, each once", len(set(ids)), len(ids))
        expect(f"{what}: page size", len(ids), len(self.ids))
        expect(
            f"{what}: first-tier items first",
            tuple(i in self.first_tier for i in ids),
            tuple(n < self.in_first for n in range(len(ids))),
        )
        # The second tier is in the default order: exactly as expected.
        expect(f"{what}: second tier", ids[self.in_first :], self.ids[self.in_first :])


@dataclass
class Expected:
    """The listing's answers worked out from what :func:`write_items` wrote."""

    items: list[WrittenItem]
    nodes: dict[int, NodeInfo] = field(default_factory=node_index)

    def page(
        self,
        *,
        only_approved: bool,
        status: str | None = None,
        type: str | None = None,
        node: str | None = None,
        taxonomy: str | None = None,
        level: int | None = None,
        q: str | None = None,
        updated_since: datetime | None = None,
        sort: str = "-updated_at",
        page: int = 1,
        per_page: int = 20,
    ) -> Page:
        targets = [
            info
            for info in self.nodes.values()
            if info.code == node and (taxonomy is None or info.taxonomy == taxonomy)
        ]
        needle = search_needle(q) if q else None

        def classified(listed: Listed) -> bool:
            for node_id, node_level in listed.classifications:
                info = self.nodes[node_id]
                if level is not None and node_level != level:
                    continue
                if node is None or any(
                    info.taxonomy_id == t.taxonomy_id and info.path.startswith(t.path)
                    for t in targets
                ):
                    return True
            return False

        matching = []
        for item in self.items:
            listed = item.approved if only_approved else item.newest
            if listed is None:
                continue
            if status and listed.status != status:
                continue
            if type and item.item_type != type:
                continue
            if updated_since and item.updated_at < updated_since:
                continue
            if (node or level is not None) and not classified(listed):
                continue
            if needle and needle not in listed.search_text:
                continue
            matching.append(item)
        if sort == RELEVANCE:
            return self._relevance_page(matching, only_approved, needle or "", page, per_page)
        key = sort.lstrip("-")
        descending = sort.startswith("-")
        if key == "external_id":
            matching.sort(key=lambda i: i.external_id, reverse=descending)
        else:
            matching.sort(key=lambda i: (getattr(i, key), i.id), reverse=descending)
        window = matching[(page - 1) * per_page : page * per_page]
        return Page(
            min(len(matching), COUNT_LIMIT),
            len(matching) <= COUNT_LIMIT,
            tuple(i.external_id for i in window),
        )

    def _relevance_page(
        self, matching: list[WrittenItem], only_approved: bool, needle: str, page: int, size: int
    ) -> Page:
        """The relevance order's page as far as it is fixed without the engine's score:
        its first-tier items (every word of the query a whole word of the listed text)
        in the default order, then the rest in the default order (``Page.tiers`` says
        how many of the page are first-tier; the checker compares the page as sets
        within each tier)."""

        def words_of(text: str) -> set[str]:
            return set(WORD_RE.findall(text))

        wanted = set(WORD_RE.findall(needle))
        matching.sort(key=lambda i: (i.updated_at, i.id), reverse=True)
        first, rest = [], []
        for item in matching:
            listed = item.approved if only_approved else item.newest
            assert listed is not None
            (first if wanted and wanted <= words_of(listed.search_text) else rest).append(item)
        start = (page - 1) * size
        window = (first + rest)[start : start + size]
        in_first = max(0, min(len(first) - start, size))
        return Page(
            min(len(matching), COUNT_LIMIT),
            len(matching) <= COUNT_LIMIT,
            tuple(i.external_id for i in window),
            first_tier=frozenset(i.external_id for i in first),
            in_first=in_first,
        )


# -- a bank ready to list -------------------------------------------------------------------


def fill_bank(
    code: str,
    count: int,
    host: PluginHost,
    *,
    author: User,
    reviewer: User,
    seed: int = 1,
    members: Iterable[tuple[User, str]] = (),
) -> tuple[Bank, list[WrittenItem]]:
    """A new bank ``code`` with ``count`` planned items written by ``author`` and
    decided by ``reviewer`` (plus ``members`` with their roles), committed."""
    from itembank.models import Role
    from itembank.operations.accounts import add_member, create_bank

    bank = create_bank(code, f"Bank uji kinerja {code}", actor=None)
    add_member(bank, author, Role.AUTHOR, actor=None)
    add_member(bank, reviewer, Role.REVIEWER, actor=None)
    for user, role in members:
        add_member(bank, user, role, actor=None)
    db.session.flush()
    written = write_items(
        bank, plan_items(count, host, seed=seed), author=author, reviewer=reviewer, host=host
    )
    db.session.commit()
    return bank, written


def analyze() -> None:
    """Gather the planner's statistics as a bank in steady state has them (on
    PostgreSQL also the visibility map a vacuum sets, as autovacuum would). Commits the
    session first (on SQLite its open transaction would hold the write lock)."""
    db.session.commit()
    with db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        postgres = db.engine.dialect.name == "postgresql"
        connection.exec_driver_sql("VACUUM ANALYZE" if postgres else "ANALYZE")
