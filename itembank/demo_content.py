"""Item content for the demo bank.

``DEMO_ITEMS`` is a list of original items in Indonesian, written the way a *penulis
soal* writes them against a *kisi-kisi*: SKD CPNS items (TWK, TIU, TKP), PPPK-style
managerial and socio-cultural situational-judgement items weighted 1..4 against the ASN
competency standard (PermenPANRB 38/2017), and a few items of every other built-in type.
The module is data only; the demo loader turns each entry into an item and replays its
review history.

Every entry is a dict::

    {
        "key": "tkp-pelayanan-01",       # unique slug
        "type": "weighted_options",      # item type id
        "versions": [                    # 1 to 3 versions, oldest first
            {
                "stem": "<p>...</p>",    # sanitizable HTML
                "content": {...},        # the item type's content document
                "metadata": {
                    "classifications": [
                        {"taxonomy": "skd-cpns", "node": "TKP.PP", "level": None},
                    ],
                    "difficulty": 0.55,  # estimated proportion correct p, or None
                    "tags": ["tkp", "pelayanan"],
                    "language": "id",
                    "notes": "catatan penulis",
                },
                "outcome": "approved",   # what happened to this version
                "comment": "",           # the reviewer's comment ("" when none)
            },
        ],
    }

``outcome`` of every version but the last is ``"approved"`` or ``"changes_requested"``:
the next version was written from it, and the differences between versions are the
revisions that answer the reviewer's ``comment``. The last version's outcome is one of
``"draft"`` (not yet submitted), ``"in_review"``, ``"changes_requested"``,
``"approved"``, ``"rejected"`` or ``"retired"`` (approved, later withdrawn from use;
``comment`` then gives the reason).

Classifications use the taxonomies ``asn-2017`` (``M.1``..``M.8``, ``SK.1``, level
1..5), ``skd-cpns`` (``TWK.*``, ``TIU.*``, ``TKP.*``, no level) and ``bloom-revised``
(``C1``..``C6``, no level). TKP items weight their five options 1..5, each weight once;
managerial and socio-cultural items weight their four options 1..4, each once.

Long texts are written with :func:`_t`, which only folds the source's line breaks and
indentation into single spaces.
"""

from __future__ import annotations

import copy
from typing import Any

# -- helpers (they only build plain dicts) -------------------------------------------------


def _t(text: str) -> str:
    """Fold whitespace, so long texts can be wrapped in the source."""
    return " ".join(text.split())


def _skd(node: str) -> dict[str, Any]:
    return {"taxonomy": "skd-cpns", "node": node, "level": None}


def _asn(node: str, level: int) -> dict[str, Any]:
    return {"taxonomy": "asn-2017", "node": node, "level": level}


def _bloom(node: str) -> dict[str, Any]:
    return {"taxonomy": "bloom-revised", "node": node, "level": None}


def _meta(
    classifications: list[dict[str, Any]],
    difficulty: float | None,
    tags: list[str],
    notes: str,
) -> dict[str, Any]:
    return {
        "classifications": classifications,
        "difficulty": difficulty,
        "tags": tags,
        "language": "id",
        "notes": _t(notes),
    }


def _version(
    stem: str,
    content: dict[str, Any],
    metadata: dict[str, Any],
    outcome: str,
    comment: str = "",
) -> dict[str, Any]:
    # Copies, so that no two versions share a mutable object.
    return {
        "stem": _t(stem),
        "content": copy.deepcopy(content),
        "metadata": copy.deepcopy(metadata),
        "outcome": outcome,
        "comment": _t(comment),
    }


def _options(*texts: str) -> list[dict[str, str]]:
    """Options with ids A, B, C, ..."""
    return [{"id": chr(ord("A") + i), "text": _t(text)} for i, text in enumerate(texts)]


def _single(key: str, *texts: str, points: int = 5) -> dict[str, Any]:
    return {"options": _options(*texts), "key": key, "points": points, "shuffle": False}


def _weighted(top: int, *options: tuple[str, int]) -> dict[str, Any]:
    return {
        "options": [
            {"id": chr(ord("A") + i), "text": _t(text), "weight": weight}
            for i, (text, weight) in enumerate(options)
        ],
        "scale": {"min": 1, "max": top},
        "shuffle": False,
    }


def _tkp(*options: tuple[str, int]) -> dict[str, Any]:
    """A TKP item: five options weighted 1..5."""
    return _weighted(5, *options)


def _sjt(*options: tuple[str, int]) -> dict[str, Any]:
    """A PPPK managerial / socio-cultural item: four options weighted 1..4."""
    return _weighted(4, *options)


def _likert(direction: str, *, neutral: bool = True) -> dict[str, Any]:
    scale = [
        {"id": "SS", "text": "Sangat setuju"},
        {"id": "S", "text": "Setuju"},
        {"id": "N", "text": "Netral"},
        {"id": "TS", "text": "Tidak setuju"},
        {"id": "STS", "text": "Sangat tidak setuju"},
    ]
    if not neutral:
        scale = [label for label in scale if label["id"] != "N"]
    return {"scale": scale, "direction": direction}


# -- TKP: Tes Karakteristik Pribadi (weights 1..5) ---------------------------------------

_TKP_PELAYANAN_01_STEM = """
<p>Sepuluh menit sebelum loket layanan tutup, seorang warga lanjut usia datang membawa
berkas permohonan yang ternyata belum lengkap. Sikap Anda adalah ...</p>
"""
_TKP_PELAYANAN_01_META = _meta(
    [_skd("TKP.PP")],
    0.58,
    ["tkp", "pelayanan-publik", "loket"],
    """Indikator: memberikan pelayanan yang ramah dan solutif meskipun di luar kondisi
    ideal. Bobot 5: warga tidak perlu datang ulang hanya untuk mengetahui kekurangan
    berkas.""",
)

_TKP_JEJARING_01_STEM = """
<p>Unit Anda ditugasi menyusun laporan bersama dengan sebuah dinas lain. Data dari
dinas tersebut selalu terlambat dikirim sehingga jadwal penyelesaian laporan terancam
mundur. Sikap Anda adalah ...</p>
"""

TKP_ITEMS: list[dict[str, Any]] = [
    {
        "key": "tkp-pelayanan-01",
        "type": "weighted_options",
        "versions": [
            _version(
                _TKP_PELAYANAN_01_STEM,
                _tkp(
                    ("Meminta warga kembali besok pagi dengan berkas yang lengkap.", 2),
                    (
                        """Menjelaskan dengan ramah kekurangannya, menerima berkas yang ada,
                        dan memberi daftar tertulis kekurangan beserta cara melengkapinya
                        secara daring.""",
                        5,
                    ),
                    ("Menolak melayani karena waktu layanan hampir habis.", 1),
                    (
                        """Menjelaskan dengan ramah kekurangannya dan memberi daftar tertulis
                        persyaratan agar warga dapat kembali besok.""",
                        4,
                    ),
                    ("Menyarankan warga bertanya ke meja informasi.", 3),
                ),
                _TKP_PELAYANAN_01_META,
                "changes_requested",
                """Bobot opsi A dan E perlu ditinjau. Mengarahkan warga ke meja informasi
                (E) tanpa menjelaskan kekurangan berkas adalah bentuk melempar tanggung
                jawab, sedangkan A setidaknya memberi kepastian kapan dan dengan apa warga
                harus kembali. Usul: A = 3, E = 2.""",
            ),
            _version(
                _TKP_PELAYANAN_01_STEM,
                _tkp(
                    ("Meminta warga kembali besok pagi dengan berkas yang lengkap.", 3),
                    (
                        """Menjelaskan dengan ramah kekurangannya, menerima berkas yang ada,
                        dan memberi daftar tertulis kekurangan beserta cara melengkapinya
                        secara daring.""",
                        5,
                    ),
                    ("Menolak melayani karena waktu layanan hampir habis.", 1),
                    (
                        """Menjelaskan dengan ramah kekurangannya dan memberi daftar tertulis
                        persyaratan agar warga dapat kembali besok.""",
                        4,
                    ),
                    ("Menyarankan warga bertanya ke meja informasi.", 2),
                ),
                _TKP_PELAYANAN_01_META,
                "approved",
            ),
        ],
    },
    {
        "key": "tkp-pelayanan-02",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda bertugas di unit layanan perizinan. Seorang pemohon mengeluh
                dengan nada tinggi karena izinnya belum terbit, padahal waktu penyelesaian
                menurut standar pelayanan sudah lewat dua hari. Tindakan Anda adalah ...</p>""",
                _tkp(
                    (
                        """Meminta pemohon menurunkan suaranya terlebih dahulu sebelum Anda
                        bersedia melayaninya.""",
                        2,
                    ),
                    (
                        """Meminta maaf, memeriksa posisi berkas saat itu juga, menjelaskan
                        penyebab keterlambatan, dan memberi kepastian tanggal terbit.""",
                        5,
                    ),
                    (
                        """Menjelaskan bahwa keterlambatan terjadi di bagian lain sehingga
                        bukan tanggung jawab Anda.""",
                        1,
                    ),
                    ("Meminta maaf dan mencatat keluhan untuk diteruskan kepada atasan.", 3),
                    (
                        """Meminta maaf, memeriksa posisi berkas, lalu menjelaskan penyebab
                        keterlambatannya.""",
                        4,
                    ),
                ),
                _meta(
                    [_skd("TKP.PP")],
                    0.61,
                    ["tkp", "pelayanan-publik", "keluhan"],
                    """Indikator: menangani keluhan secara tuntas. B dan E sama-sama
                    memeriksa berkas; pembeda bobot 5 adalah kepastian waktu bagi
                    pemohon.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tkp-jejaring-01",
        "type": "weighted_options",
        "versions": [
            _version(
                _TKP_JEJARING_01_STEM,
                _tkp(
                    (
                        """Menyusun laporan dengan data yang ada dan mencatat bahwa data
                        dinas tersebut belum masuk.""",
                        3,
                    ),
                    (
                        """Menghubungi langsung pengelola data di dinas tersebut untuk
                        memahami kendala yang mereka hadapi, lalu bersama-sama menyepakati
                        jadwal dan format pengiriman data yang lebih mudah bagi kedua
                        pihak.""",
                        4,
                    ),
                    (
                        """Melaporkan keterlambatan tersebut kepada atasan agar atasan menegur
                        dinas terkait.""",
                        2,
                    ),
                    ("Mengirim surat resmi pengingat kepada dinas tersebut.", 5),
                    ("Menunggu data masuk karena itu tanggung jawab dinas lain.", 1),
                ),
                _meta(
                    [_skd("TKP.JK")],
                    0.47,
                    ["tkp", "jejaring-kerja", "koordinasi"],
                    """Indikator: membangun hubungan kerja lintas instansi untuk
                    menyelesaikan tugas bersama.""",
                ),
                "changes_requested",
                """Bobot B dan D tampaknya tertukar. Aspek jejaring kerja menekankan
                membangun hubungan kerja dan menyelesaikan kendala bersama mitra; opsi B
                (menghubungi langsung dan menyepakati mekanisme) lebih mencerminkan
                indikator itu daripada D (surat pengingat formal). Usul: B = 5, D = 4.""",
            ),
            _version(
                _TKP_JEJARING_01_STEM,
                _tkp(
                    (
                        """Menyusun laporan dengan data yang ada dan mencatat bahwa data
                        dinas tersebut belum masuk.""",
                        3,
                    ),
                    (
                        """Menghubungi langsung pengelola data di dinas tersebut untuk
                        memahami kendala yang mereka hadapi, lalu bersama-sama menyepakati
                        jadwal dan format pengiriman data yang lebih mudah bagi kedua
                        pihak.""",
                        5,
                    ),
                    (
                        """Melaporkan keterlambatan tersebut kepada atasan agar atasan menegur
                        dinas terkait.""",
                        2,
                    ),
                    ("Mengirim surat resmi pengingat kepada dinas tersebut.", 4),
                    ("Menunggu data masuk karena itu tanggung jawab dinas lain.", 1),
                ),
                _meta(
                    [_skd("TKP.JK")],
                    0.47,
                    ["tkp", "jejaring-kerja", "koordinasi"],
                    """Indikator: membangun hubungan kerja lintas instansi untuk
                    menyelesaikan tugas bersama. Revisi 2: bobot B dan D ditukar sesuai
                    telaah.""",
                ),
                "changes_requested",
                """Bobot sudah sesuai. Namun opsi B kini jauh lebih panjang dan rinci
                daripada opsi lain sehingga menjadi petunjuk bagi peserta yang menebak
                "opsi terpanjang". Ringkas B dan perkaya opsi lain agar panjangnya
                sebanding, tanpa mengubah bobot.""",
            ),
            _version(
                _TKP_JEJARING_01_STEM,
                _tkp(
                    (
                        """Menyusun laporan dengan data yang tersedia dan memberi catatan
                        bahwa data dinas tersebut menyusul.""",
                        3,
                    ),
                    (
                        """Menghubungi pengelola data dinas tersebut untuk memahami kendalanya
                        dan menyepakati jadwal kirim bersama.""",
                        5,
                    ),
                    (
                        """Melaporkan keterlambatan kepada atasan agar atasan yang menegur
                        dinas tersebut.""",
                        2,
                    ),
                    (
                        """Mengirim surat resmi berisi pengingat tenggat pengiriman data
                        kepada dinas tersebut.""",
                        4,
                    ),
                    (
                        """Menunggu data masuk karena kelengkapan data merupakan tanggung
                        jawab dinas tersebut.""",
                        1,
                    ),
                ),
                _meta(
                    [_skd("TKP.JK")],
                    0.45,
                    ["tkp", "jejaring-kerja", "koordinasi"],
                    """Indikator: membangun hubungan kerja lintas instansi untuk
                    menyelesaikan tugas bersama. Revisi 3: panjang kelima opsi
                    diseimbangkan agar panjang opsi tidak menjadi petunjuk.""",
                ),
                "in_review",
            ),
        ],
    },
    {
        "key": "tkp-sosbud-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda baru ditempatkan di kantor kecamatan yang adat istiadat warganya
                berbeda dengan daerah asal Anda. Dalam rapat desa, warga biasa bermusyawarah
                cukup lama sebelum mengambil keputusan, sedangkan Anda terbiasa bekerja
                cepat. Sikap Anda adalah ...</p>""",
                _tkp(
                    (
                        """Mengikuti musyawarah sambil mempelajari kebiasaan setempat, lalu
                        mengusulkan cara agar musyawarah tetap menghasilkan keputusan tepat
                        waktu.""",
                        5,
                    ),
                    ("Mengikuti musyawarah sesuai kebiasaan setempat.", 4),
                    (
                        """Mengikuti musyawarah, tetapi menyampaikan kepada warga bahwa cara
                        tersebut kurang efisien.""",
                        3,
                    ),
                    ("Meminta atasan agar Anda tidak dilibatkan dalam rapat desa.", 2),
                    ("Mengambil keputusan sendiri agar pekerjaan tidak tertunda.", 1),
                ),
                _meta(
                    [_skd("TKP.SB")],
                    0.63,
                    ["tkp", "sosial-budaya", "adaptasi"],
                    """Indikator: menyesuaikan diri dengan budaya setempat tanpa
                    mengorbankan tujuan kerja.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tkp-tik-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Instansi Anda mulai menerapkan tanda tangan elektronik untuk naskah
                dinas. Sebagian rekan senior masih meminta naskah dicetak agar dapat
                ditandatangani basah. Sikap Anda adalah ...</p>""",
                _tkp(
                    (
                        """Mempelajari aplikasi tersebut dan bersedia mendampingi rekan senior
                        menggunakannya hingga terbiasa.""",
                        5,
                    ),
                    ("Menggunakan aplikasi tersebut untuk naskah yang saya susun sendiri.", 4),
                    ("Menggunakan aplikasi tersebut jika diminta oleh atasan.", 3),
                    ("Tetap mencetak naskah agar rekan senior tidak tersinggung.", 2),
                    (
                        """Menganggap aplikasi tersebut merepotkan dan menunggu sampai
                        penggunaannya benar-benar diwajibkan.""",
                        1,
                    ),
                ),
                _meta(
                    [_skd("TKP.TIK")],
                    None,
                    ["tkp", "tik", "tanda-tangan-elektronik"],
                    """Draf. Indikator: memanfaatkan TIK untuk pekerjaan dan membantu
                    rekan beradaptasi. Belum yakin D lebih tinggi daripada E; minta
                    pendapat penelaah.""",
                ),
                "draft",
            ),
        ],
    },
    {
        "key": "tkp-profesional-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Menjelang tenggat, Anda menemukan kesalahan angka pada laporan yang
                kemarin sudah Anda kirim kepada atasan. Atasan belum membaca laporan
                tersebut. Tindakan Anda adalah ...</p>""",
                _tkp(
                    (
                        """Segera memberi tahu atasan, mengirim laporan yang sudah diperbaiki,
                        dan menjelaskan bagian yang berubah.""",
                        5,
                    ),
                    ("Mengirim laporan perbaikan dan meminta atasan memakai versi terbaru.", 4),
                    ("Memperbaiki laporan dan menunggu sampai atasan menanyakannya.", 3),
                    ("Membiarkannya karena selisih angkanya kecil.", 1),
                    ("Meminta rekan yang menyiapkan data untuk memberi tahu atasan.", 2),
                ),
                _meta(
                    [_skd("TKP.PROF")],
                    0.66,
                    ["tkp", "profesionalisme", "tanggung-jawab"],
                    """Indikator: bertanggung jawab atas hasil kerja sendiri dan terbuka
                    terhadap kesalahan.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tkp-antiradikal-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Dalam grup percakapan kantor, seorang rekan membagikan tulisan yang
                menyatakan bahwa Pancasila tidak perlu lagi menjadi dasar negara, dan
                mengajak anggota grup menyebarkannya. Sikap Anda adalah ...</p>""",
                _tkp(
                    (
                        """Mengingatkan rekan tersebut secara pribadi bahwa ajakan itu
                        bertentangan dengan sumpah ASN, dan melaporkannya melalui saluran
                        pengaduan instansi bila ajakan berlanjut.""",
                        5,
                    ),
                    (
                        """Menanggapi di grup bahwa tulisan tersebut bertentangan dengan dasar
                        negara dan meminta anggota tidak menyebarkannya.""",
                        4,
                    ),
                    ("Melaporkan kepada atasan tanpa menegur rekan tersebut.", 3),
                    ("Keluar dari grup agar tidak ikut terseret.", 2),
                    ("Membiarkannya karena setiap orang berhak berpendapat.", 1),
                ),
                _meta(
                    [_skd("TKP.AR")],
                    0.52,
                    ["tkp", "anti-radikalisme", "media-sosial"],
                    """Indikator: menolak dan mencegah penyebaran paham yang bertentangan
                    dengan Pancasila di lingkungan kerja, dengan cara yang proporsional.""",
                ),
                "in_review",
            ),
        ],
    },
    {
        "key": "tkp-profesional-02",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda mengetahui seorang rekan kerja sering pulang sebelum jam kerja
                berakhir. Tindakan yang paling sesuai dengan ketentuan disiplin PNS adalah
                ...</p>""",
                _tkp(
                    (
                        """Mengingatkan rekan tersebut secara langsung dengan merujuk
                        ketentuan jam kerja dalam peraturan disiplin PNS.""",
                        5,
                    ),
                    (
                        """Melaporkan rekan tersebut kepada atasan langsung agar diproses
                        sesuai peraturan disiplin PNS.""",
                        4,
                    ),
                    (
                        """Mencatat jam pulang rekan tersebut sebagai bukti bila suatu saat
                        diperlukan.""",
                        3,
                    ),
                    ("Menanyakan kepada rekan lain apakah mereka melihat hal yang sama.", 2),
                    ("Membiarkannya karena bukan urusan Anda.", 1),
                ),
                _meta(
                    [_skd("TKP.PROF")],
                    0.40,
                    ["tkp", "profesionalisme", "disiplin"],
                    "Indikator: menegakkan disiplin kerja di lingkungan unit.",
                ),
                "rejected",
                """Butir ini menguji pengetahuan tentang peraturan disiplin (frasa "paling
                sesuai dengan ketentuan"), bukan karakteristik pribadi: peserta yang hafal
                aturan akan memilih kunci tanpa menunjukkan sikapnya. Opsi A dan B juga
                sama-sama dapat dibela sebagai yang paling tepat. Tidak sesuai kisi-kisi
                TKP; tulis sebagai butir TWK integritas atau butir TKP baru.""",
            ),
        ],
    },
]

# -- Managerial and socio-cultural SJT (PPPK, weights 1..4) ------------------------------

_SJT_M8_STEM = """
<p>Anda Kepala Bidang Pelayanan. Aplikasi antrean daring dijadwalkan diluncurkan dua
minggu lagi, tetapi uji coba menunjukkan 15% transaksi gagal pada jam sibuk. Pimpinan
meminta peluncuran tetap tepat waktu. Apa yang Anda lakukan?</p>
"""

_SJT_SK1_META_TAGS = ["pppk", "sosial-kultural", "perekat-bangsa", "keberagaman"]

SJT_ITEMS: list[dict[str, Any]] = [
    {
        "key": "sjt-integritas-l1-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda pelaksana di bagian pengadaan barang dan jasa. Seorang calon
                penyedia yang sedang mengikuti proses pengadaan datang ke kantor dan
                menitipkan bingkisan untuk Anda sebagai "tanda terima kasih atas bantuan
                selama ini". Apa yang Anda lakukan?</p>""",
                _sjt(
                    (
                        """Menolak dengan sopan, menjelaskan larangan menerima pemberian dari
                        penyedia, dan melaporkan kejadian tersebut sesuai ketentuan
                        pengendalian gratifikasi instansi.""",
                        4,
                    ),
                    ("Menolak bingkisan tersebut dengan sopan tanpa menjelaskan alasannya.", 3),
                    (
                        """Menerima bingkisan, lalu menyerahkannya kepada atasan agar atasan
                        yang memutuskan.""",
                        2,
                    ),
                    (
                        """Menerima bingkisan karena Anda tidak memengaruhi hasil
                        pengadaan.""",
                        1,
                    ),
                ),
                _meta(
                    [_asn("M.1", 1)],
                    0.71,
                    ["pppk", "manajerial", "integritas", "gratifikasi"],
                    """Level 1, indikator 1.3: tidak menerima/memberikan sesuatu yang
                    bertentangan dengan aturan organisasi. Jabatan sasaran: pelaksana.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "sjt-kerjasama-l2-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda Kepala Subbagian Umum dan memimpin tim kecil penyusunan rencana
                kebutuhan barang. Dalam rapat, dua anggota tim yang lebih muda jarang
                berbicara, sementara seorang anggota senior mendominasi pembahasan. Apa
                yang Anda lakukan?</p>""",
                _sjt(
                    (
                        """Meminta setiap anggota menyiapkan usulan tertulis singkat sebelum
                        rapat, lalu memberi giliran menyampaikannya dan menghargai setiap
                        masukan.""",
                        4,
                    ),
                    ("Menanyakan langsung pendapat kedua anggota muda di tengah rapat.", 3),
                    (
                        """Membiarkan anggota senior memimpin pembahasan karena lebih
                        berpengalaman.""",
                        2,
                    ),
                    ("Menyusun sendiri rencana kebutuhan agar rapat tidak berlarut-larut.", 1),
                ),
                _meta(
                    [_asn("M.2", 2), _bloom("C3")],
                    0.56,
                    ["pppk", "manajerial", "kerja-sama", "partisipasi"],
                    """Level 2: menumbuhkan tim kerja yang partisipatif. Jabatan sasaran:
                    pengawas.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "sjt-komunikasi-l3-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda Kepala Bidang. Hasil evaluasi menunjukkan kinerja salah satu
                kepala seksi menurun tajam selama enam bulan terakhir, dan beberapa stafnya
                mengeluh. Kepala seksi tersebut dikenal mudah tersinggung. Anda perlu
                menyampaikan hasil evaluasi ini kepadanya. Apa yang Anda lakukan?</p>""",
                _sjt(
                    (
                        """Mengajak bicara empat mata, menyampaikan data kinerja secara lugas
                        dan spesifik, mendengarkan penjelasannya, lalu menyepakati rencana
                        perbaikan beserta tenggatnya.""",
                        4,
                    ),
                    (
                        """Mengajak bicara empat mata dan menyampaikan hasil evaluasi secara
                        umum saja agar ia tidak tersinggung.""",
                        2,
                    ),
                    (
                        """Mengirim hasil evaluasi secara tertulis dan meminta tanggapannya
                        secara tertulis pula.""",
                        3,
                    ),
                    (
                        """Menyampaikan hasil evaluasi dalam rapat bidang agar semua seksi
                        dapat belajar darinya.""",
                        1,
                    ),
                ),
                _meta(
                    [_asn("M.3", 3)],
                    0.50,
                    ["pppk", "manajerial", "komunikasi", "umpan-balik"],
                    """Level 3: berkomunikasi secara asertif tentang hal yang sensitif.
                    Jabatan sasaran: administrator.""",
                ),
                "changes_requested",
                """Bobot B (2) dan C (3) diperdebatkan dalam rapat telaah. Pada level 3
                perilaku kuncinya adalah menyampaikan hal sensitif secara asertif; C sama
                sekali tidak berkomunikasi langsung, sedangkan B setidaknya bertatap muka.
                Pertajam pembedanya (misalnya B dibuat jelas menghindari inti masalah) dan
                tuliskan rasional bobot setiap opsi di catatan penulis.""",
            ),
        ],
    },
    {
        "key": "sjt-orientasi-hasil-l2-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Target seksi Anda tahun ini adalah menyelesaikan 90% permohonan dalam
                lima hari kerja. Pada akhir triwulan ketiga capaian seksi sudah 92%. Apa
                yang Anda lakukan?</p>""",
                _sjt(
                    (
                        """Menganalisis permohonan yang masih melewati lima hari untuk
                        menemukan penyebabnya, lalu menetapkan target yang lebih tinggi
                        beserta langkah perbaikannya.""",
                        4,
                    ),
                    ("Mempertahankan cara kerja yang ada agar capaian tetap di atas target.", 2),
                    ("Mengusulkan kepada atasan agar target tahun depan dinaikkan.", 3),
                    ("Mengurangi pemantauan karena target tahunan sudah tercapai.", 1),
                ),
                _meta(
                    [_asn("M.4", 2)],
                    0.62,
                    ["pppk", "manajerial", "orientasi-hasil", "target"],
                    """Level 2: berupaya meningkatkan hasil kerja melebihi standar yang
                    ditetapkan. Jabatan sasaran: pengawas.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "sjt-pelayanan-l3-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda Kepala Bidang Pelayanan di dinas kependudukan dan pencatatan
                sipil. Survei kepuasan menunjukkan keluhan utama warga adalah waktu tunggu
                yang tidak pasti, padahal rata-rata waktu penyelesaian dokumen masih sesuai
                standar pelayanan. Apa yang Anda lakukan?</p>""",
                _sjt(
                    (
                        """Meninjau standar pelayanan bersama tim dan perwakilan pengguna
                        layanan, lalu menambahkan estimasi waktu dan pemberitahuan status
                        permohonan ke dalamnya.""",
                        4,
                    ),
                    (
                        """Meminta petugas loket menjelaskan kepada setiap warga bahwa waktu
                        penyelesaian sudah sesuai standar.""",
                        2,
                    ),
                    (
                        """Memasang papan informasi yang memuat waktu penyelesaian setiap
                        jenis layanan.""",
                        3,
                    ),
                    ("Tidak mengubah apa pun karena kinerja sudah memenuhi standar.", 1),
                ),
                _meta(
                    [_asn("M.5", 3), _bloom("C4")],
                    0.58,
                    ["pppk", "manajerial", "pelayanan-publik", "standar-pelayanan"],
                    """Level 3: membuat keputusan operasional berdasarkan masukan untuk
                    meningkatkan standar pelayanan di unit. Jabatan sasaran:
                    administrator.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "sjt-pengembangan-l3-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Anda Kepala Bagian. Seorang analis baru di bagian Anda menyusun
                telaahan staf yang isinya benar, tetapi sulit dipahami pimpinan karena
                terlalu panjang dan tidak runtut. Apa yang Anda lakukan?</p>""",
                _sjt(
                    (
                        """Duduk bersama analis tersebut, menunjukkan bagian yang perlu
                        diperbaiki beserta alasannya, memberi contoh telaahan yang baik, lalu
                        meninjau draf berikutnya.""",
                        4,
                    ),
                    ("Mengembalikan draf dengan coretan perbaikan dan meminta ia merevisinya.", 3),
                    (
                        """Menyarankan ia mengikuti pelatihan penulisan naskah dinas bila ada
                        kesempatan.""",
                        2,
                    ),
                    ("Memperbaiki sendiri telaahan tersebut agar cepat sampai ke pimpinan.", 1),
                ),
                _meta(
                    [_asn("M.6", 3)],
                    None,
                    ["pppk", "manajerial", "pengembangan-diri", "coaching"],
                    """Draf. Level 3: memberikan umpan balik dan membimbing. Jabatan
                    sasaran: administrator.""",
                ),
                "draft",
            ),
        ],
    },
    {
        "key": "sjt-perubahan-l2-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Instansi Anda akan beralih dari surat-menyurat kertas ke aplikasi
                naskah dinas elektronik (<span lang="en">e-office</span>) mulai bulan depan.
                Anda pelaksana di bagian persuratan. Apa yang Anda lakukan?</p>""",
                _sjt(
                    (
                        """Mempelajari panduan aplikasi lebih awal, mencoba fiturnya di
                        lingkungan uji coba, dan mencatat kendala untuk disampaikan kepada
                        tim pengelola.""",
                        4,
                    ),
                    (
                        """Mengikuti sosialisasi yang dijadwalkan dan mulai menggunakan
                        aplikasi saat diberlakukan.""",
                        3,
                    ),
                    ("Menunggu rekan lain mencobanya lebih dulu, lalu bertanya kepada mereka.", 2),
                    (
                        """Tetap mencetak setiap surat sebagai cadangan karena khawatir
                        aplikasi belum stabil.""",
                        1,
                    ),
                ),
                _meta(
                    [_asn("M.7", 2)],
                    0.64,
                    ["pppk", "manajerial", "mengelola-perubahan", "e-office"],
                    """Level 2: proaktif beradaptasi mengikuti perubahan. Jabatan sasaran:
                    pelaksana/pengawas.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "sjt-keputusan-l3-01",
        "type": "weighted_options",
        "versions": [
            _version(
                _SJT_M8_STEM,
                _sjt(
                    (
                        """Meluncurkan penuh sesuai jadwal; masalah diperbaiki sambil
                        berjalan.""",
                        1,
                    ),
                    (
                        """Mengumpulkan informasi dari tim TI, lalu menyerahkan keputusan
                        kepada pimpinan.""",
                        2,
                    ),
                    (
                        """Menganalisis log kegagalan bersama tim TI, lalu memutuskan sesuai
                        pedoman peluncuran.""",
                        3,
                    ),
                    (
                        """Membandingkan opsi tunda, peluncuran bertahap dengan jalur manual
                        cadangan, dan peluncuran penuh beserta risikonya; memilih peluncuran
                        bertahap dengan rencana mitigasi dan melaporkannya kepada
                        pimpinan.""",
                        4,
                    ),
                ),
                _meta(
                    [_asn("M.8", 3), _bloom("C5")],
                    0.44,
                    ["pppk", "manajerial", "pengambilan-keputusan", "risiko"],
                    """Level 3: membandingkan alternatif dan menimbang risiko. Jabatan
                    sasaran: administrator.""",
                ),
                "changes_requested",
                """Bobot sudah tepat, tetapi opsi D lebih dari dua kali panjang opsi lain dan
                paling rinci sehingga mudah ditebak sebagai kunci. Opsi A terlalu lemah
                untuk menarik peserta. Samakan panjang keempat opsi tanpa mengubah
                bobot.""",
            ),
            _version(
                _SJT_M8_STEM,
                _sjt(
                    (
                        """Meluncurkan penuh sesuai jadwal karena sudah diminta pimpinan,
                        dan memperbaiki kegagalan sambil berjalan.""",
                        1,
                    ),
                    (
                        """Meminta tim TI menyiapkan laporan hasil uji coba, lalu
                        menyerahkan keputusan peluncuran kepada pimpinan.""",
                        2,
                    ),
                    (
                        """Menganalisis log kegagalan bersama tim TI, lalu memutuskan sesuai
                        kriteria dalam pedoman peluncuran.""",
                        3,
                    ),
                    (
                        """Menimbang risiko setiap opsi, memilih peluncuran bertahap dengan
                        jalur manual cadangan, lalu melaporkannya kepada pimpinan.""",
                        4,
                    ),
                ),
                _meta(
                    [_asn("M.8", 3), _bloom("C5")],
                    0.41,
                    ["pppk", "manajerial", "pengambilan-keputusan", "risiko"],
                    """Level 3: membandingkan alternatif dan menimbang risiko. Jabatan
                    sasaran: administrator. Revisi: panjang opsi diseimbangkan; A diberi
                    alasan yang masuk akal.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "sjt-perekat-bangsa-l2-01",
        "type": "weighted_options",
        "versions": [
            _version(
                """<p>Di unit Anda, beberapa rekan sering bercanda dengan menirukan logat
                seorang pegawai baru dari Indonesia timur. Pegawai tersebut tampak
                tersenyum, tetapi belakangan jarang ikut makan siang bersama. Apa yang Anda
                lakukan?</p>""",
                _sjt(
                    (
                        """Mengajak pegawai baru tersebut dalam kegiatan tim dan secara
                        pribadi mengingatkan rekan-rekan bahwa candaan tentang logat dapat
                        menyinggung.""",
                        4,
                    ),
                    ("Mengingatkan rekan-rekan agar berhenti bercanda tentang logat.", 3),
                    (
                        """Menanyakan kepada pegawai baru tersebut apakah ia keberatan dengan
                        candaan itu.""",
                        2,
                    ),
                    (
                        """Tidak ikut bercanda, tetapi juga tidak menanggapinya karena
                        pegawai tersebut terlihat tidak keberatan.""",
                        1,
                    ),
                ),
                _meta(
                    [_asn("SK.1", 2)],
                    0.60,
                    _SJT_SK1_META_TAGS,
                    """Level 2: aktif mengembangkan sikap saling menghargai dan menekankan
                    persamaan.""",
                ),
                "changes_requested",
                """Frasa "dari Indonesia timur" tidak diperlukan untuk konstruk dan
                berisiko memperkuat stereotip wilayah (bias). Cukup "dari daerah lain".
                Selain itu sebagian penelaah menilai C (menanyakan langsung) lebih baik
                daripada B; tuliskan rasional bobot B dan C di catatan.""",
            ),
            _version(
                """<p>Di unit Anda, beberapa rekan sering bercanda dengan menirukan logat
                seorang pegawai baru yang berasal dari daerah lain. Pegawai tersebut tampak
                tersenyum, tetapi belakangan jarang ikut makan siang bersama. Apa yang Anda
                lakukan?</p>""",
                _sjt(
                    (
                        """Mengajak pegawai baru tersebut dalam kegiatan tim dan secara
                        pribadi mengingatkan rekan-rekan bahwa candaan tentang logat dapat
                        menyinggung.""",
                        4,
                    ),
                    ("Mengingatkan rekan-rekan agar berhenti bercanda tentang logat.", 3),
                    (
                        """Menanyakan kepada pegawai baru tersebut apakah ia keberatan dengan
                        candaan itu.""",
                        2,
                    ),
                    (
                        """Tidak ikut bercanda, tetapi juga tidak menanggapinya karena
                        pegawai tersebut terlihat tidak keberatan.""",
                        1,
                    ),
                ),
                _meta(
                    [_asn("SK.1", 2)],
                    0.60,
                    _SJT_SK1_META_TAGS,
                    """Level 2: aktif mengembangkan sikap saling menghargai dan menekankan
                    persamaan. Rasional: B (3) langsung menghentikan perilaku yang
                    berpotensi menyinggung; C (2) membebankan kepada korban untuk
                    menyatakan keberatan di depan kelompok, sehingga tidak menunjukkan
                    peran aktif. Revisi: frasa asal daerah dinetralkan.""",
                ),
                "draft",
            ),
        ],
    },
]

# -- TWK: Tes Wawasan Kebangsaan (single key, 5 points) --------------------------------------

_TWK_BI_STEM = "<p>Kalimat yang seluruh katanya baku adalah ...</p>"

TWK_ITEMS: list[dict[str, Any]] = [
    {
        "key": "twk-nasionalisme-01",
        "type": "single_choice",
        "versions": [
            _version(
                """<p>Ikrar Sumpah Pemuda 28 Oktober 1928 merupakan tonggak penting
                nasionalisme Indonesia. Nilai utama yang terkandung dalam ikrar tersebut
                adalah ...</p>""",
                _single(
                    "B",
                    "Kebebasan setiap daerah menentukan bahasa resminya sendiri",
                    "Persatuan bangsa di atas kepentingan suku dan daerah",
                    "Perjuangan bersenjata melawan pemerintah kolonial",
                    "Pembentukan negara federal",
                    "Penghapusan bahasa daerah",
                ),
                _meta(
                    [_skd("TWK.NAS"), _bloom("C2")],
                    0.85,
                    ["twk", "nasionalisme", "sumpah-pemuda"],
                    "Indikator: memahami nilai persatuan dalam Sumpah Pemuda.",
                ),
                "changes_requested",
                """Pengecoh A, D, dan E terlalu mudah dieliminasi sehingga tidak berfungsi,
                dan butir hanya menguji hafalan (perkiraan p 0,85). Sesuai kisi-kisi TWK
                nasionalisme, jadikan kontekstual: penerapan semangat Sumpah Pemuda dalam
                situasi kerja ASN.""",
            ),
            _version(
                """<p>Seorang ASN ditugaskan menyosialisasikan program pemerintah di desa
                yang sebagian besar warganya lebih fasih berbahasa daerah daripada bahasa
                Indonesia. Sikap yang paling mencerminkan semangat Sumpah Pemuda adalah
                ...</p>""",
                _single(
                    "B",
                    """Menggunakan bahasa Indonesia sepenuhnya karena bahasa Indonesia
                    adalah bahasa persatuan.""",
                    """Menggunakan bahasa Indonesia sebagai bahasa pengantar dan menjelaskan
                    bagian yang sulit dengan bahasa daerah.""",
                    "Menggunakan bahasa daerah sepenuhnya karena lebih dekat dengan warga.",
                    """Meminta perangkat desa menyampaikan seluruh materi agar ASN tidak
                    perlu hadir.""",
                    "Menunda sosialisasi sampai warga lebih fasih berbahasa Indonesia.",
                ),
                _meta(
                    [_skd("TWK.NAS"), _bloom("C3")],
                    0.68,
                    ["twk", "nasionalisme", "sumpah-pemuda", "bahasa"],
                    """Indikator: menerapkan nilai persatuan dalam Sumpah Pemuda. Kunci B:
                    menjunjung bahasa persatuan tanpa menafikan bahasa daerah. Pengecoh A
                    menarik bagi peserta yang memaknai ikrar secara harfiah.""",
                ),
                "in_review",
            ),
        ],
    },
    {
        "key": "twk-integritas-01",
        "type": "single_choice",
        "versions": [
            _version(
                """<p>Seorang pegawai mengetahui bahwa perjalanan dinas yang tercatat atas
                namanya tidak pernah dilaksanakan, tetapi uang hariannya sudah masuk ke
                rekeningnya. Sikap yang mencerminkan integritas adalah ...</p>""",
                _single(
                    "B",
                    "Menyimpan uang tersebut sampai ada pemeriksaan.",
                    """Mengembalikan uang ke kas negara sesuai mekanisme yang berlaku dan
                    melaporkan kekeliruan pencatatan kepada atasan.""",
                    "Menggunakan uang tersebut untuk kegiatan kantor agar tetap bermanfaat.",
                    """Membagi uang tersebut dengan rekan yang mengurus administrasi
                    perjalanan dinas.""",
                    """Mengembalikan uang secara tunai kepada bendahara tanpa tanda terima
                    agar masalah tidak berlarut.""",
                ),
                _meta(
                    [_skd("TWK.INT")],
                    0.79,
                    ["twk", "integritas", "keuangan-negara"],
                    """Indikator: jujur dan bertanggung jawab atas keuangan negara.
                    Pengecoh E menguji pemahaman bahwa pengembalian harus tercatat.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "twk-bela-negara-01",
        "type": "single_choice",
        "versions": [
            _version(
                """<p>Ketentuan bahwa setiap warga negara berhak dan wajib ikut serta dalam
                upaya pembelaan negara tercantum dalam UUD Negara Republik Indonesia Tahun
                1945 ...</p>""",
                _single(
                    "B",
                    "Pasal 27 ayat (1)",
                    "Pasal 27 ayat (3)",
                    "Pasal 28",
                    "Pasal 30 ayat (2)",
                    "Pasal 31 ayat (1)",
                ),
                _meta(
                    [_skd("TWK.BN"), _bloom("C1")],
                    0.57,
                    ["twk", "bela-negara", "uud-1945"],
                    """Kunci: Pasal 27 ayat (3) hasil perubahan kedua. Pasal 30 ayat (1)
                    sengaja tidak dipakai sebagai pengecoh karena isinya serupa (usaha
                    pertahanan dan keamanan negara).""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "twk-pilar-negara-01",
        "type": "single_choice",
        "versions": [
            _version(
                """<p>Majelis Permusyawaratan Rakyat melakukan perubahan Undang-Undang Dasar
                1945 sebanyak empat kali, yaitu dalam kurun waktu ...</p>""",
                _single(
                    "B",
                    "1998–2001",
                    "1999–2002",
                    "2000–2003",
                    "1999–2004",
                    "2001–2004",
                ),
                _meta(
                    [_skd("TWK.PN"), _bloom("C1")],
                    0.73,
                    ["twk", "pilar-negara", "uud-1945", "amandemen"],
                    "Perubahan pertama 1999, kedua 2000, ketiga 2001, keempat 2002.",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "twk-bahasa-01",
        "type": "single_choice",
        "versions": [
            _version(
                _TWK_BI_STEM,
                _single(
                    "B",
                    "Petugas apotik memberikan nasihat tentang resiko obat.",
                    "Hasil analisa data menunjukkan kualitas layanan meningkat.",
                    "Kami sudah mengajukan ijin praktek kepada dinas kesehatan.",
                    "Jadual pemeriksaan sistim antrean diumumkan besok.",
                    "Frekwensi kunjungan ke obyek wisata itu menurun.",
                ),
                _meta(
                    [_skd("TWK.BI")],
                    0.48,
                    ["twk", "bahasa-indonesia", "kata-baku"],
                    """Setiap pengecoh memuat dua kata tidak baku yang sering muncul dalam
                    naskah dinas.""",
                ),
                "changes_requested",
                """Kunci B memuat kata "analisa" yang tidak baku menurut KBBI (bentuk
                bakunya "analisis"), sehingga tidak ada pilihan yang benar. Perbaiki opsi
                kunci.""",
            ),
            _version(
                _TWK_BI_STEM,
                _single(
                    "B",
                    "Petugas apotik memberikan nasihat tentang resiko obat.",
                    "Hasil analisis data menunjukkan kualitas layanan meningkat.",
                    "Kami sudah mengajukan ijin praktek kepada dinas kesehatan.",
                    "Jadual pemeriksaan sistim antrean diumumkan besok.",
                    "Frekwensi kunjungan ke obyek wisata itu menurun.",
                ),
                _meta(
                    [_skd("TWK.BI")],
                    0.52,
                    ["twk", "bahasa-indonesia", "kata-baku"],
                    """Setiap pengecoh memuat dua kata tidak baku yang sering muncul dalam
                    naskah dinas (apotik/resiko, ijin/praktek, jadual/sistim,
                    frekwensi/obyek). Revisi: "analisa" pada kunci diganti
                    "analisis".""",
                ),
                "approved",
            ),
        ],
    },
]

# -- TIU: Tes Intelegensia Umum (single key, 5 points) --------------------------------------

_SILOGISME_STEM = """
<p>Semua pegawai yang lulus pelatihan dasar diangkat menjadi PNS.<br>
Sebagian peserta angkatan XII tidak diangkat menjadi PNS.</p>
<p>Kesimpulan yang tepat adalah ...</p>
"""

_KERTAS_STEM = """
<p>Sebuah kantor membeli 12 rim kertas dengan harga Rp54.000 per rim. Pembelian lebih
dari 10 rim mendapat diskon 10% dari total harga. Jumlah yang harus dibayar kantor
tersebut adalah ...</p>
"""

_TABEL_PERMOHONAN = """
<table>
<thead><tr><th>Layanan</th><th>Triwulan I</th><th>Triwulan II</th><th>Triwulan III</th>
<th>Triwulan IV</th></tr></thead>
<tbody>
<tr><td>KTP-el</td><td>420</td><td>480</td><td>510</td><td>590</td></tr>
<tr><td>Kartu Keluarga</td><td>300</td><td>330</td><td>360</td><td>310</td></tr>
<tr><td>Akta Kelahiran</td><td>180</td><td>190</td><td>240</td><td>300</td></tr>
</tbody>
</table>
"""

TIU_ITEMS: list[dict[str, Any]] = [
    {
        "key": "tiu-analogi-01",
        "type": "single_choice",
        "versions": [
            _version(
                "<p>TERMOMETER : SUHU = HIGROMETER : ...</p>",
                _single(
                    "C",
                    "Tekanan udara",
                    "Kecepatan angin",
                    "Kelembapan udara",
                    "Curah hujan",
                    "Intensitas cahaya",
                ),
                _meta(
                    [_skd("TIU.VER.ANALOGI")],
                    0.74,
                    ["tiu", "verbal", "analogi"],
                    """Hubungan: alat ukur : besaran yang diukur. Pengecoh adalah besaran
                    cuaca yang diukur alat lain (barometer, anemometer, penakar hujan,
                    luksmeter).""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tiu-analogi-02",
        "type": "single_choice",
        "versions": [
            _version(
                "<p>GURU : SEKOLAH = ... : ...</p>",
                _single(
                    "A",
                    "Dokter : Rumah sakit",
                    "Petani : Sawah",
                    "Hakim : Pengadilan",
                    "Nelayan : Laut",
                    "Pilot : Pesawat",
                ),
                _meta(
                    [_skd("TIU.VER.ANALOGI")],
                    0.35,
                    ["tiu", "verbal", "analogi"],
                    "Hubungan: profesi : lembaga tempat bekerja.",
                ),
                "rejected",
                """Hubungan "profesi : tempat bekerja" berlaku untuk A, B, C, dan D
                sekaligus; tidak ada dasar tunggal untuk memilih A (C sama-sama berupa
                lembaga). Pola ini tidak dapat diperbaiki hanya dengan mengganti satu
                pengecoh. Tulis ulang sebagai butir baru dengan hubungan yang lebih
                spesifik.""",
            ),
        ],
    },
    {
        "key": "tiu-silogisme-01",
        "type": "single_choice",
        "versions": [
            _version(
                _SILOGISME_STEM,
                _single(
                    "B",
                    "Semua peserta angkatan XII tidak lulus pelatihan dasar.",
                    "Sebagian peserta angkatan XII tidak lulus pelatihan dasar.",
                    "Sebagian peserta angkatan XII lulus pelatihan dasar.",
                    "Ada peserta angkatan XII yang tidak lulus pelatihan dasar.",
                    "Semua pegawai yang diangkat menjadi PNS adalah peserta angkatan XII.",
                ),
                _meta(
                    [_skd("TIU.VER.SILOGISME"), _bloom("C4")],
                    0.55,
                    ["tiu", "verbal", "silogisme"],
                    "Bentuk: semua P adalah Q; sebagian S bukan Q; maka sebagian S bukan P.",
                ),
                "changes_requested",
                """Opsi B dan D setara secara logika ("sebagian ... tidak" sama dengan "ada
                ... yang tidak"), sehingga butir berkunci ganda. Ganti D dengan pengecoh
                yang salah secara logika tetapi tetap menarik.""",
            ),
            _version(
                _SILOGISME_STEM,
                _single(
                    "B",
                    "Semua peserta angkatan XII tidak lulus pelatihan dasar.",
                    "Sebagian peserta angkatan XII tidak lulus pelatihan dasar.",
                    "Sebagian peserta angkatan XII lulus pelatihan dasar.",
                    """Sebagian peserta angkatan XII yang lulus pelatihan dasar tidak
                    diangkat menjadi PNS.""",
                    "Semua pegawai yang diangkat menjadi PNS adalah peserta angkatan XII.",
                ),
                _meta(
                    [_skd("TIU.VER.SILOGISME"), _bloom("C4")],
                    0.51,
                    ["tiu", "verbal", "silogisme"],
                    """Bentuk: semua P adalah Q; sebagian S bukan Q; maka sebagian S bukan
                    P. Revisi: D kini bertentangan dengan premis pertama; A, C, dan E
                    tidak dapat disimpulkan.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tiu-berhitung-01",
        "type": "single_choice",
        "versions": [
            _version(
                """<p>Hasil dari 2<sup>5</sup> + 3<sup>4</sup> − 12<sup>2</sup> : 16 adalah
                ...</p>""",
                _single("C", "95", "101", "104", "113", "122"),
                _meta(
                    [_skd("TIU.NUM.BERHITUNG")],
                    0.69,
                    ["tiu", "numerik", "berhitung", "pangkat"],
                    """32 + 81 − 144 : 16 = 32 + 81 − 9 = 104. Pengecoh: 113 (suku
                    terakhir terlewat), 101 (12 kuadrat dibagi 16 dianggap 12), 122 (9
                    ditambahkan).""",
                ),
                "in_review",
            ),
        ],
    },
    {
        "key": "tiu-deret-01",
        "type": "single_choice",
        "versions": [
            _version(
                "<p>5, 8, 10, 16, 15, ...</p><p>Bilangan berikutnya adalah ...</p>",
                _single("D", "20", "24", "30", "32", "64"),
                _meta(
                    [_skd("TIU.NUM.DERET")],
                    0.50,
                    ["tiu", "numerik", "deret", "deret-berselang"],
                    "Deret berselang: suku ganjil +5, suku genap ×2.",
                ),
                "changes_requested",
                """Suku genap hanya dua (8, 16), sehingga pola ×2 (kunci 32) dan pola +8
                (pengecoh B = 24) sama-sama sah. Tambahkan suku agar pola setiap kelompok
                tampak minimal tiga kali.""",
            ),
            _version(
                "<p>5, 8, 10, 16, 15, 32, 20, ...</p><p>Bilangan berikutnya adalah ...</p>",
                _single("D", "25", "40", "48", "64", "128"),
                _meta(
                    [_skd("TIU.NUM.DERET")],
                    0.46,
                    ["tiu", "numerik", "deret", "deret-berselang"],
                    """Deret berselang: suku ganjil 5, 10, 15, 20 (+5); suku genap 8, 16,
                    32, 64 (×2). Pengecoh: 25 (melanjutkan suku ganjil), 40 (20 × 2), 48
                    (32 + 16).""",
                ),
                "approved",
            ),
            _version(
                "<p>5, 8, 10, 16, 15, 32, 20, ...</p><p>Bilangan berikutnya adalah ...</p>",
                _single("D", "25", "40", "48", "64", "52"),
                _meta(
                    [_skd("TIU.NUM.DERET")],
                    0.44,
                    ["tiu", "numerik", "deret", "deret-berselang"],
                    """Deret berselang: suku ganjil 5, 10, 15, 20 (+5); suku genap 8, 16,
                    32, 64 (×2). Revisi setelah analisis butir uji coba: pengecoh 128
                    dipilih kurang dari 1% peserta, diganti 52 (32 + 20, menjumlahkan dua
                    suku sebelumnya).""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tiu-deret-02",
        "type": "single_choice",
        "versions": [
            _version(
                """<p>Pada suatu barisan aritmetika diketahui U<sub>3</sub> = 11 dan
                U<sub>7</sub> = 27. Nilai U<sub>10</sub> adalah ...</p>""",
                _single("B", "35", "39", "40", "43", "51"),
                _meta(
                    [_skd("TIU.NUM.DERET"), _bloom("C3")],
                    None,
                    ["tiu", "numerik", "deret", "barisan-aritmetika"],
                    """b = (27 − 11) : 4 = 4; a = 11 − 2 × 4 = 3; U10 = 3 + 9 × 4 = 39.
                    Pengecoh 43: a + 10b. Perlu dicek apakah notasi Un masih lazim di
                    kisi-kisi TIU terbaru.""",
                ),
                "draft",
            ),
        ],
    },
    {
        "key": "tiu-cerita-01",
        "type": "single_choice",
        "versions": [
            _version(
                _KERTAS_STEM,
                _single("A", "Rp518.400", "Rp583.200", "Rp637.200", "Rp642.600", "Rp648.000"),
                _meta(
                    [_skd("TIU.NUM.CERITA")],
                    0.72,
                    ["tiu", "numerik", "soal-cerita", "diskon"],
                    "Soal cerita persentase dalam konteks pengadaan kantor.",
                ),
                "changes_requested",
                """Kunci salah. 12 × Rp54.000 = Rp648.000; diskon 10% = Rp64.800; yang
                dibayar Rp583.200 (opsi B). Opsi A (Rp518.400) adalah hasil diskon 20%.""",
            ),
            _version(
                _KERTAS_STEM,
                _single("B", "Rp518.400", "Rp583.200", "Rp637.200", "Rp642.600", "Rp648.000"),
                _meta(
                    [_skd("TIU.NUM.CERITA")],
                    0.72,
                    ["tiu", "numerik", "soal-cerita", "diskon"],
                    """12 × 54.000 = 648.000; 648.000 − 64.800 = 583.200. Pengecoh:
                    518.400 (diskon 20%), 637.200 (diskon hanya untuk 2 rim di atas 10),
                    642.600 (diskon 10% dari satu rim), 648.000 (tanpa diskon).""",
                ),
                "retired",
                """Dipensiunkan: butir ini ditemukan beredar di situs latihan soal daring
                sehingga keterpaparannya tinggi. Digantikan butir soal cerita baru.""",
            ),
        ],
    },
    {
        "key": "tiu-cerita-02",
        "type": "single_choice",
        "versions": [
            _version(
                "<p>Perhatikan tabel berikut.</p>"
                + _TABEL_PERMOHONAN
                + """<p>Layanan yang mengalami kenaikan terbesar dari Triwulan I ke Triwulan
                IV adalah ...</p>""",
                _single(
                    "C",
                    "KTP-el",
                    "Kartu Keluarga",
                    "Akta Kelahiran",
                    "KTP-el dan Akta Kelahiran sama besar",
                    "Tidak dapat ditentukan",
                ),
                _meta(
                    [_skd("TIU.NUM.CERITA"), _bloom("C4")],
                    0.45,
                    ["tiu", "numerik", "tabel", "persentase"],
                    "Membaca tabel dan membandingkan kenaikan.",
                ),
                "changes_requested",
                """"Kenaikan terbesar" ambigu: secara absolut KTP-el naik 170 permohonan
                (terbesar), sedangkan secara persentase Akta Kelahiran naik 66,7%. Kunci C
                hanya benar untuk tafsiran persentase. Tegaskan jenis kenaikan yang
                ditanyakan; sebaiknya jadikan soal hitungan.""",
            ),
            _version(
                "<p>Perhatikan tabel berikut.</p>"
                + _TABEL_PERMOHONAN
                + """<p>Persentase kenaikan jumlah permohonan akta kelahiran dari Triwulan I
                ke Triwulan IV adalah ...</p>""",
                _single("C", "40%", "60%", "66,67%", "120%", "166,67%"),
                _meta(
                    [_skd("TIU.NUM.CERITA"), _bloom("C3")],
                    0.55,
                    ["tiu", "numerik", "tabel", "persentase"],
                    """(300 − 180) : 180 × 100% = 66,67%. Pengecoh: 40% (dibagi nilai
                    Triwulan IV), 60% (180 : 300), 120% (selisih dibaca sebagai persen),
                    166,67% (300 : 180).""",
                ),
                "changes_requested",
                """Kunci sudah benar. Dua catatan: (1) tabel belum memiliki judul dan
                satuan; (2) 120 : 180 menghasilkan desimal berulang, jadi cantumkan aturan
                pembulatan di pokok soal dan tulis semua opsi dengan format yang sama
                (satu angka di belakang koma).""",
            ),
            _version(
                """<p><strong>Jumlah permohonan layanan administrasi kependudukan di
                Kecamatan Sukamaju tahun 2023 (berkas)</strong></p>"""
                + _TABEL_PERMOHONAN
                + """<p>Persentase kenaikan jumlah permohonan akta kelahiran dari Triwulan I
                ke Triwulan IV, dibulatkan sampai satu angka di belakang koma, adalah
                ...</p>""",
                _single("C", "40,0%", "60,0%", "66,7%", "120,0%", "166,7%"),
                _meta(
                    [_skd("TIU.NUM.CERITA"), _bloom("C3")],
                    0.55,
                    ["tiu", "numerik", "tabel", "persentase"],
                    """(300 − 180) : 180 × 100% = 66,666...% ≈ 66,7%. Pengecoh: 40,0%
                    (dibagi nilai Triwulan IV), 60,0% (180 : 300), 120,0% (selisih dibaca
                    sebagai persen), 166,7% (300 : 180). Revisi: judul tabel, satuan, dan
                    aturan pembulatan ditambahkan.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tiu-cerita-03",
        "type": "single_choice",
        "versions": [
            _version(
                """<p>Tim A dapat menyelesaikan verifikasi 1.200 berkas dalam 6 hari,
                sedangkan Tim B dapat menyelesaikan jumlah berkas yang sama dalam 4 hari.
                Jika kedua tim bekerja bersama-sama, 1.200 berkas tersebut akan selesai
                dalam ...</p>""",
                _single("B", "2 hari", "2,4 hari", "2,5 hari", "5 hari", "10 hari"),
                _meta(
                    [_skd("TIU.NUM.CERITA")],
                    0.60,
                    ["tiu", "numerik", "soal-cerita", "kecepatan-kerja"],
                    """200 + 300 = 500 berkas per hari; 1.200 : 500 = 2,4 hari. Pengecoh:
                    5 hari (rata-rata), 10 hari (jumlah).""",
                ),
                "changes_requested",
                """Tambahkan asumsi bahwa kedua tim bekerja serentak dengan kecepatan
                tetap dan tidak memverifikasi berkas yang sama. Jawaban "2,4 hari" juga
                janggal untuk satuan hari kerja; tanyakan dalam jam (1 hari kerja = 8 jam,
                jadi 19,2 jam) atau ubah angka agar hasilnya bulat.""",
            ),
        ],
    },
]

# -- Other item types ------------------------------------------------------------------

_DATA_PRIBADI_STEM = """
<p>Anda mengelola berkas permohonan yang memuat data pribadi warga (NIK, alamat, dan nomor
telepon). Pilih <strong>semua</strong> tindakan yang tepat untuk melindungi data
tersebut.</p>
"""

_PENGADUAN_STEM = """
<p>Anda Kepala Seksi Pelayanan di sebuah kantor pelayanan perizinan. Rekapitulasi
pengaduan tiga bulan terakhir menunjukkan:</p>
<ul>
<li>42% pengaduan: persyaratan di laman resmi berbeda dengan yang diminta petugas
loket;</li>
<li>35% pengaduan: waktu tunggu antrean lebih dari dua jam;</li>
<li>23% pengaduan: sikap petugas yang dinilai kurang ramah.</li>
</ul>
<p>Uraikan analisis Anda atas masalah tersebut dan rencana perbaikan yang akan Anda
lakukan dalam tiga bulan ke depan, termasuk cara Anda mengukur keberhasilannya.</p>
"""

_PASAL_PREMISES = [
    {"id": "P1", "text": "Pasal 1 ayat (3)"},
    {"id": "P2", "text": "Pasal 27 ayat (3)"},
    {"id": "P3", "text": "Pasal 31 ayat (1)"},
    {"id": "P4", "text": "Pasal 33 ayat (3)"},
    {"id": "P5", "text": "Pasal 36A"},
]
_PASAL_RESPONSES = [
    {"id": "R1", "text": "Lambang negara Garuda Pancasila dengan semboyan Bhinneka Tunggal Ika"},
    {"id": "R2", "text": "Negara Indonesia adalah negara hukum"},
    {"id": "R3", "text": "Hak dan kewajiban warga negara ikut serta dalam upaya pembelaan negara"},
    {"id": "R4", "text": "Hak setiap warga negara untuk mendapat pendidikan"},
    {
        "id": "R5",
        "text": _t(
            """Bumi, air, dan kekayaan alam dikuasai negara dan dipergunakan untuk
            sebesar-besar kemakmuran rakyat"""
        ),
    },
]
_PASAL_PAIRS = [["P1", "R2"], ["P2", "R3"], ["P3", "R4"], ["P4", "R5"], ["P5", "R1"]]

OTHER_ITEMS: list[dict[str, Any]] = [
    # multiple_response
    {
        "key": "mr-nilai-dasar-asn-01",
        "type": "multiple_response",
        "versions": [
            _version(
                """<p>Pilih <strong>semua</strong> yang termasuk nilai dasar ASN
                BerAKHLAK.</p>""",
                {
                    "options": _options(
                        "Berorientasi Pelayanan",
                        "Akuntabel",
                        "Kreatif",
                        "Harmonis",
                        "Loyal",
                        "Disiplin",
                        "Kolaboratif",
                        "Transparan",
                    ),
                    "keys": ["A", "B", "D", "E", "G"],
                    "points": 4,
                    "scoring": "all_or_nothing",
                    "min_choices": 1,
                    "max_choices": 0,
                    "shuffle": True,
                },
                _meta(
                    [_skd("TWK.INT"), _bloom("C1")],
                    0.62,
                    ["twk", "berakhlak", "nilai-dasar-asn"],
                    """Tujuh nilai BerAKHLAK: Berorientasi Pelayanan, Akuntabel, Kompeten,
                    Harmonis, Loyal, Adaptif, Kolaboratif. Pengecoh adalah nilai yang
                    lazim disebut dalam budaya kerja instansi tetapi bukan bagian dari
                    akronim.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "mr-data-pribadi-01",
        "type": "multiple_response",
        "versions": [
            _version(
                _DATA_PRIBADI_STEM,
                {
                    "options": _options(
                        "Mengunci layar komputer setiap kali meninggalkan meja.",
                        """Mengirim pindaian KTP pemohon ke grup percakapan kantor agar cepat
                        diverifikasi.""",
                        "Menggunakan kata sandi yang kuat dan tidak membagikannya kepada rekan.",
                        """Menyimpan salinan berkas di diska lepas (<span lang="en">flash
                        disk</span>) pribadi untuk dikerjakan di rumah.""",
                        """Memverifikasi identitas penelepon sebelum memberikan informasi
                        status permohonan.""",
                        """Membuka tautan dalam surel yang mengaku dari pusat data nasional
                        untuk memperbarui akun.""",
                    ),
                    "keys": ["A", "C", "E"],
                    "points": 4,
                    "scoring": "all_or_nothing",
                    "min_choices": 0,
                    "max_choices": 0,
                    "shuffle": True,
                },
                _meta(
                    [_skd("TKP.TIK"), _bloom("C3")],
                    0.48,
                    ["tik", "keamanan-informasi", "data-pribadi"],
                    "Indikator: menerapkan praktik dasar pelindungan data pribadi.",
                ),
                "changes_requested",
                """Opsi E ambigu: memberikan status permohonan lewat telepon setelah
                verifikasi identitas bisa tepat atau tidak, tergantung SOP instansi.
                Rumuskan ulang E agar tidak bergantung pada SOP lokal. Untuk enam opsi
                dengan tiga kunci, gunakan penskoran parsial agar butir lebih
                informatif.""",
            ),
            _version(
                _DATA_PRIBADI_STEM,
                {
                    "options": _options(
                        "Mengunci layar komputer setiap kali meninggalkan meja.",
                        """Mengirim pindaian KTP pemohon ke grup percakapan kantor agar cepat
                        diverifikasi.""",
                        "Menggunakan kata sandi yang kuat dan tidak membagikannya kepada rekan.",
                        """Menyimpan salinan berkas di diska lepas (<span lang="en">flash
                        disk</span>) pribadi untuk dikerjakan di rumah.""",
                        """Menghancurkan salinan cetak berkas yang tidak diperlukan lagi
                        dengan mesin penghancur kertas.""",
                        """Membuka tautan dalam surel yang mengaku dari pusat data nasional
                        untuk memperbarui akun.""",
                    ),
                    "keys": ["A", "C", "E"],
                    "points": 4,
                    "scoring": "partial",
                    "min_choices": 0,
                    "max_choices": 0,
                    "shuffle": True,
                },
                _meta(
                    [_skd("TKP.TIK"), _bloom("C3")],
                    0.52,
                    ["tik", "keamanan-informasi", "data-pribadi"],
                    """Indikator: menerapkan praktik dasar pelindungan data pribadi.
                    Revisi: E diganti tindakan yang berlaku umum; penskoran parsial.""",
                ),
                "in_review",
            ),
        ],
    },
    # true_false
    {
        "key": "tf-negara-hukum-01",
        "type": "true_false",
        "versions": [
            _version(
                """<p>Menurut Pasal 1 ayat (3) UUD Negara Republik Indonesia Tahun 1945,
                Negara Indonesia adalah negara hukum.</p>""",
                {"key": True, "points": 1},
                _meta(
                    [_skd("TWK.PN"), _bloom("C1")],
                    0.88,
                    ["twk", "pilar-negara", "uud-1945"],
                    "Butir pemanasan untuk paket latihan.",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tf-pembukaan-uud-01",
        "type": "true_false",
        "versions": [
            _version(
                """<p>Dalam perubahan UUD 1945 pada tahun 1999–2002, MPR juga mengubah
                rumusan Pembukaan UUD 1945.</p>""",
                {"key": False, "points": 1},
                _meta(
                    [_skd("TWK.PN"), _bloom("C2")],
                    0.70,
                    ["twk", "pilar-negara", "uud-1945", "amandemen"],
                    """Salah: salah satu kesepakatan dasar MPR dalam perubahan UUD 1945
                    adalah tidak mengubah Pembukaan.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "tf-bhinneka-01",
        "type": "true_false",
        "versions": [
            _version(
                """<p>Semboyan Bhinneka Tunggal Ika berasal dari kitab Negarakertagama
                karya Mpu Prapanca.</p>""",
                {"key": False, "points": 1},
                _meta(
                    [_skd("TWK.PN"), _bloom("C1")],
                    0.66,
                    ["twk", "pilar-negara", "bhinneka-tunggal-ika"],
                    "Salah: semboyan tersebut berasal dari Kakawin Sutasoma karya Mpu Tantular.",
                ),
                "changes_requested",
                """Pernyataan memuat dua klaim sekaligus (nama karya dan pengarangnya).
                Peserta yang hanya mengetahui salah satunya tetap dapat menjawab benar,
                sehingga butir tidak membedakan. Pisahkan menjadi satu klaim dan gunakan
                istilah "kakawin" agar akurat.""",
            ),
        ],
    },
    # short_text
    {
        "key": "st-mahkamah-konstitusi-01",
        "type": "short_text",
        "versions": [
            _version(
                """<p>Lembaga negara yang berwenang menguji undang-undang terhadap
                Undang-Undang Dasar menurut Pasal 24C UUD Negara Republik Indonesia Tahun
                1945 adalah ...</p>""",
                {
                    "accepted": [
                        "Mahkamah Konstitusi",
                        "MK",
                        "Mahkamah Konstitusi (MK)",
                        "Mahkamah Konstitusi Republik Indonesia",
                        "MKRI",
                    ],
                    "case_sensitive": False,
                    "points": 1,
                    "expected_length": 40,
                },
                _meta(
                    [_skd("TWK.PN"), _bloom("C1")],
                    0.81,
                    ["twk", "pilar-negara", "lembaga-negara"],
                    """Penelaah memeriksa 200 jawaban uji coba; varian di atas mencakup
                    semua jawaban benar yang muncul.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "st-persentase-01",
        "type": "short_text",
        "versions": [
            _version(
                """<p>Anggaran alat tulis kantor sebuah seksi sebesar Rp2.400.000. Sebesar
                15% dari anggaran tersebut dipotong untuk efisiensi. Berapa rupiah
                anggaran yang dipotong? Tuliskan angkanya saja.</p>""",
                {
                    "accepted": ["360000", "360.000"],
                    "case_sensitive": False,
                    "points": 1,
                    "expected_length": 12,
                },
                _meta(
                    [_skd("TIU.NUM.BERHITUNG")],
                    0.75,
                    ["tiu", "numerik", "persentase", "isian"],
                    "15% × 2.400.000 = 360.000.",
                ),
                "changes_requested",
                """Pertanyaan "berapa rupiah" mendorong peserta menulis "Rp360.000",
                "Rp 360.000", atau "360.000,00", padahal instruksi "angkanya saja" mudah
                terlewat. Tambahkan varian yang lazim ke jawaban yang diterima, atau ubah
                pertanyaannya.""",
            ),
        ],
    },
    # extended_text
    {
        "key": "et-pelayanan-l3-01",
        "type": "extended_text",
        "versions": [
            _version(
                _PENGADUAN_STEM,
                {
                    "rubric": [
                        {
                            "id": "R1",
                            "criterion": "<p>Jawaban bagus dan lengkap.</p>",
                            "max_points": 4,
                        },
                        {
                            "id": "R2",
                            "criterion": "<p>Bahasa baik dan runtut.</p>",
                            "max_points": 2,
                        },
                    ],
                    "expected_length": 300,
                },
                _meta(
                    [_asn("M.5", 3), _bloom("C5")],
                    None,
                    ["esai", "manajerial", "pelayanan-publik", "pengaduan"],
                    "Esai untuk seleksi jabatan pengawas/administrator.",
                ),
                "changes_requested",
                """Kriteria rubrik tidak dapat diamati ("bagus", "lengkap", "baik"),
                sehingga dua penilai akan memberi skor berbeda. Rumuskan kriteria
                berdasarkan perilaku yang tampak dan deskripsikan setiap rentang skor,
                sesuai indikator M.5 level 3 (memperbaiki standar pelayanan di unit).""",
            ),
            _version(
                _PENGADUAN_STEM,
                {
                    "rubric": [
                        {
                            "id": "R1",
                            "criterion": _t(
                                """<p>Mengidentifikasi penyebab setiap jenis pengaduan dan
                                menetapkan prioritas berdasarkan data (ketidaksesuaian
                                informasi persyaratan sebagai masalah terbesar). 0: tidak
                                ada analisis; 1–2: menyebut masalah tanpa penyebab; 3–4:
                                menjelaskan penyebab dan prioritas.</p>"""
                            ),
                            "max_points": 4,
                        },
                        {
                            "id": "R2",
                            "criterion": _t(
                                """<p>Mengusulkan perbaikan standar pelayanan yang konkret dan
                                dapat dilaksanakan di tingkat seksi, misalnya penyelarasan
                                persyaratan di laman dan loket, pengaturan antrean, dan
                                pembinaan petugas. 0: tidak ada usulan; 1–2: usulan umum;
                                3–4: usulan konkret untuk setiap masalah.</p>"""
                            ),
                            "max_points": 4,
                        },
                        {
                            "id": "R3",
                            "criterion": _t(
                                """<p>Menetapkan ukuran keberhasilan yang terukur beserta cara
                                pemantauannya, misalnya target penurunan jumlah pengaduan
                                atau hasil survei kepuasan. 0: tidak ada; 1: ukuran tidak
                                terukur; 2–3: ukuran terukur dengan cara pemantauan.</p>"""
                            ),
                            "max_points": 3,
                        },
                        {
                            "id": "R4",
                            "criterion": _t(
                                """<p>Melibatkan pengguna layanan atau pihak terkait dan
                                mengomunikasikan perubahan secara terbuka kepada
                                masyarakat. 0: tidak disebut; 1: disebut sepintas; 2:
                                dijelaskan caranya.</p>"""
                            ),
                            "max_points": 2,
                        },
                    ],
                    "expected_length": 300,
                },
                _meta(
                    [_asn("M.5", 3), _bloom("C5")],
                    None,
                    ["esai", "manajerial", "pelayanan-publik", "pengaduan"],
                    """Esai untuk seleksi jabatan pengawas/administrator. Revisi: rubrik
                    analitik empat kriteria (skor maksimum 13) dengan deskripsi setiap
                    rentang skor.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "et-perubahan-l4-01",
        "type": "extended_text",
        "versions": [
            _version(
                """<p>Anda Kepala Bagian Umum. Instansi Anda wajib beralih sepenuhnya ke
                naskah dinas elektronik dalam enam bulan. Survei awal menunjukkan sekitar
                40% pegawai, sebagian besar pegawai senior, belum pernah menggunakan
                aplikasi tersebut dan khawatir pekerjaannya menjadi lambat.</p>
                <p>Susun rencana Anda untuk memimpin perubahan ini di bagian Anda:
                tahapan, cara menangani penolakan, dan cara memastikan layanan persuratan
                tidak terganggu selama masa transisi.</p>""",
                {
                    "rubric": [
                        {
                            "id": "R1",
                            "criterion": _t(
                                """<p>Menyusun tahapan yang realistis dalam enam bulan
                                (persiapan, uji coba, penerapan, evaluasi) dengan penanggung
                                jawab yang jelas.</p>"""
                            ),
                            "max_points": 3,
                        },
                        {
                            "id": "R2",
                            "criterion": _t(
                                """<p>Mengidentifikasi sumber penolakan dan menyiapkan
                                strategi pendampingan, misalnya agen perubahan atau
                                pendampingan sejawat bagi pegawai senior.</p>"""
                            ),
                            "max_points": 4,
                        },
                        {
                            "id": "R3",
                            "criterion": _t(
                                """<p>Menyiapkan langkah mitigasi agar layanan tetap berjalan,
                                misalnya prosedur cadangan dan pemantauan waktu proses
                                surat.</p>"""
                            ),
                            "max_points": 3,
                        },
                    ],
                    "expected_length": 400,
                },
                _meta(
                    [_asn("M.7", 4), _bloom("C6")],
                    None,
                    ["esai", "manajerial", "mengelola-perubahan", "e-office"],
                    """Draf. Level 4: memimpin perubahan pada unit kerja. Rubrik belum
                    memuat deskripsi per rentang skor.""",
                ),
                "draft",
            ),
        ],
    },
    # ordering
    {
        "key": "ord-sejarah-01",
        "type": "ordering",
        "versions": [
            _version(
                """<p>Urutkan peristiwa berikut dari yang paling awal sampai yang paling
                akhir.</p>""",
                {
                    "options": _options(
                        "Ikrar Sumpah Pemuda",
                        "Berdirinya Budi Utomo",
                        "Proklamasi Kemerdekaan Indonesia",
                        "Dekret Presiden yang menyatakan berlakunya kembali UUD 1945",
                        "Perubahan pertama UUD 1945",
                        "Sidang pertama BPUPKI",
                    ),
                    "correct_order": ["B", "A", "F", "C", "D", "E"],
                    "points": 2,
                    "shuffle": True,
                },
                _meta(
                    [_skd("TWK.NAS"), _bloom("C2")],
                    0.64,
                    ["twk", "nasionalisme", "sejarah"],
                    """1908, 1928, Mei–Juni 1945, 17 Agustus 1945, 5 Juli 1959, 1999.
                    Tahun sengaja tidak dicantumkan.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "ord-paragraf-01",
        "type": "ordering",
        "versions": [
            _version(
                "<p>Susunlah kalimat-kalimat berikut menjadi paragraf yang padu.</p>",
                {
                    "options": _options(
                        "Oleh karena itu, kantor mulai menyediakan layanan antrean daring.",
                        "Selama ini warga harus datang sejak subuh untuk mendapat nomor antrean.",
                        """Akibatnya, banyak warga kehilangan waktu kerja hanya untuk
                        mengurus dokumen.""",
                        "Dengan layanan tersebut, warga cukup datang sesuai jadwal yang dipilih.",
                        "Layanan ini juga mengurangi kepadatan di ruang tunggu kantor.",
                    ),
                    "correct_order": ["B", "C", "A", "D", "E"],
                    "points": 2,
                    "shuffle": True,
                },
                _meta(
                    [_skd("TWK.BI"), _bloom("C4")],
                    0.58,
                    ["twk", "bahasa-indonesia", "paragraf", "kohesi"],
                    """Penanda kohesi: "Akibatnya", "Oleh karena itu", "Dengan layanan
                    tersebut", "juga".""",
                ),
                "changes_requested",
                """Urutan D dan E dapat dipertukarkan tanpa merusak kepaduan, karena
                "Layanan ini" pada E merujuk langsung ke layanan daring di A. Kunci urutan
                tidak tunggal. Tambahkan penanda kohesi yang mengikat urutan, atau gabungkan
                D dan E menjadi satu kalimat.""",
            ),
        ],
    },
    # matching
    {
        "key": "mt-pasal-uud-01",
        "type": "matching",
        "versions": [
            _version(
                """<p>Pasangkan setiap pasal UUD Negara Republik Indonesia Tahun 1945
                dengan isinya.</p>""",
                {
                    "premises": _PASAL_PREMISES,
                    "responses": _PASAL_RESPONSES,
                    "pairs": _PASAL_PAIRS,
                    "points": 3,
                    "scoring": "all_or_nothing",
                    "shuffle": True,
                },
                _meta(
                    [_skd("TWK.PN"), _bloom("C1")],
                    0.47,
                    ["twk", "pilar-negara", "uud-1945"],
                    "Pasal-pasal yang sering dirujuk dalam materi wawasan kebangsaan.",
                ),
                "changes_requested",
                """Jumlah respons sama dengan jumlah premis sehingga pasangan terakhir
                selalu dapat ditebak dengan eliminasi. Tambahkan minimal satu respons
                pengecoh yang masuk akal (misalnya isi Pasal 28E ayat (3)) dan gunakan
                penskoran parsial.""",
            ),
            _version(
                """<p>Pasangkan setiap pasal UUD Negara Republik Indonesia Tahun 1945
                dengan isinya. Satu isi tidak memiliki pasangan.</p>""",
                {
                    "premises": _PASAL_PREMISES,
                    "responses": [
                        *_PASAL_RESPONSES,
                        {
                            "id": "R6",
                            "text": _t(
                                """Kemerdekaan berserikat, berkumpul, dan mengeluarkan
                                pendapat"""
                            ),
                        },
                    ],
                    "pairs": _PASAL_PAIRS,
                    "points": 3,
                    "scoring": "partial",
                    "shuffle": True,
                },
                _meta(
                    [_skd("TWK.PN"), _bloom("C1")],
                    0.52,
                    ["twk", "pilar-negara", "uud-1945"],
                    """Pasal-pasal yang sering dirujuk dalam materi wawasan kebangsaan.
                    Revisi: respons pengecoh R6 (isi Pasal 28E ayat (3)) dan penskoran
                    parsial.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "mt-berakhlak-01",
        "type": "matching",
        "versions": [
            _version(
                """<p>Pasangkan setiap nilai dasar ASN BerAKHLAK dengan contoh perilaku
                yang sesuai. Ada dua contoh perilaku yang tidak memiliki pasangan.</p>""",
                {
                    "premises": [
                        {"id": "P1", "text": "Berorientasi Pelayanan"},
                        {"id": "P2", "text": "Akuntabel"},
                        {"id": "P3", "text": "Kompeten"},
                        {"id": "P4", "text": "Harmonis"},
                        {"id": "P5", "text": "Adaptif"},
                    ],
                    "responses": [
                        {
                            "id": "R1",
                            "text": "Memahami dan memenuhi kebutuhan masyarakat dengan solutif",
                        },
                        {
                            "id": "R2",
                            "text": _t(
                                """Menggunakan barang milik negara secara bertanggung jawab,
                                efektif, dan efisien"""
                            ),
                        },
                        {
                            "id": "R3",
                            "text": "Terus meningkatkan kemampuan diri untuk menjawab tantangan",
                        },
                        {"id": "R4", "text": "Menghargai setiap orang apa pun latar belakangnya"},
                        {"id": "R5", "text": "Cepat menyesuaikan diri menghadapi perubahan"},
                        {
                            "id": "R6",
                            "text": "Menjaga nama baik sesama ASN, pimpinan, instansi, dan negara",
                        },
                        {
                            "id": "R7",
                            "text": "Memberi kesempatan kepada berbagai pihak untuk berkontribusi",
                        },
                    ],
                    "pairs": [["P1", "R1"], ["P2", "R2"], ["P3", "R3"], ["P4", "R4"], ["P5", "R5"]],
                    "points": 5,
                    "scoring": "partial",
                    "shuffle": True,
                },
                _meta(
                    [_skd("TWK.INT"), _bloom("C2")],
                    0.60,
                    ["twk", "berakhlak", "nilai-dasar-asn"],
                    """R6 (Loyal) dan R7 (Kolaboratif) adalah pengecoh: perilaku nilai
                    BerAKHLAK yang tidak ada di premis.""",
                ),
                "in_review",
            ),
        ],
    },
    # likert
    {
        "key": "lk-ketelitian-01",
        "type": "likert",
        "versions": [
            _version(
                """<p>Saya memeriksa kembali angka dan ejaan sebelum mengirim laporan kepada
                atasan.</p>""",
                _likert("positive"),
                _meta(
                    [_asn("M.4", 1)],
                    None,
                    ["profil", "skala-sikap", "ketelitian"],
                    """Butir skala profil (kuesioner mandiri); tidak berkunci. Pasangan
                    butir negatifnya sedang disusun.""",
                ),
                "approved",
            ),
        ],
    },
    {
        "key": "lk-adaptasi-01",
        "type": "likert",
        "versions": [
            _version(
                """<p>Saya merasa terganggu ketika harus mempelajari aplikasi kerja yang
                baru.</p>""",
                _likert("negative", neutral=False),
                _meta(
                    [_asn("M.7", 1)],
                    None,
                    ["profil", "skala-sikap", "adaptasi", "literasi-digital"],
                    """Draf. Butir berarah negatif; skala empat pilihan tanpa titik tengah
                    untuk mengurangi kecenderungan memilih netral.""",
                ),
                "draft",
            ),
        ],
    },
]

DEMO_ITEMS: list[dict[str, Any]] = [*TKP_ITEMS, *SJT_ITEMS, *TWK_ITEMS, *TIU_ITEMS, *OTHER_ITEMS]
"""Every demo item, in the order the demo loader creates them."""


# -- assembly: a blueprint (kisi-kisi), a form (paket soal) and an enemy pair ---------------

DEMO_BLUEPRINT: dict[str, Any] = {
    "code": "CACT-DEMO-KISI-1",
    "title": "Kisi-kisi Paket Demo CACT ASN",
    "description": _t(
        """Paket latihan singkat: SKD (TWK, TIU, TKP) dan kompetensi manajerial. Bobot TWK
        dan TIU 5/0, TKP 1..5, manajerial 1..4."""
    ),
    "total_length": 12,
    "time_limit_minutes": 30,
    "sections": [
        {
            "title": "Tes Wawasan Kebangsaan (TWK)",
            "rows": [
                {
                    "taxonomy": "skd-cpns",
                    "node": "TWK",
                    "item_types": ["single_choice"],
                    "count": 3,
                    "points": 5,
                },
                {
                    "taxonomy": "skd-cpns",
                    "node": "TWK.PN",
                    "item_types": ["true_false"],
                    "count": 1,
                    "points": 1,
                },
            ],
        },
        {
            "title": "Tes Intelegensia Umum (TIU)",
            "rows": [
                {
                    "taxonomy": "skd-cpns",
                    "node": "TIU.NUM",
                    "item_types": ["single_choice"],
                    "count": 2,
                    "points": 5,
                },
                {
                    "taxonomy": "skd-cpns",
                    "node": "TIU.VER",
                    "item_types": ["single_choice"],
                    "count": 1,
                    "points": 5,
                },
            ],
        },
        {
            "title": "Tes Karakteristik Pribadi (TKP)",
            "rows": [
                {
                    "taxonomy": "skd-cpns",
                    "node": "TKP",
                    "item_types": ["weighted_options"],
                    "count": 2,
                    "points": 5,
                },
            ],
        },
        {
            "title": "Kompetensi Manajerial",
            "rows": [
                {
                    "taxonomy": "asn-2017",
                    "node": "M.8",
                    "level": 3,
                    "item_types": ["weighted_options"],
                    "count": 1,
                    "points": 4,
                },
                {
                    "taxonomy": "asn-2017",
                    "node": "MANAJERIAL",
                    "item_types": ["weighted_options"],
                    "count": 2,
                    "points": 4,
                },
            ],
        },
    ],
}
"""The demo bank's blueprint: every row can be filled from the approved demo items."""

DEMO_FORM: dict[str, Any] = {
    "title": "Paket Demo CACT 1",
    # item keys per blueprint section, in delivery order
    "sections": [
        ["twk-integritas-01", "twk-bela-negara-01", "twk-pilar-negara-01", "tf-negara-hukum-01"],
        ["tiu-deret-01", "tiu-cerita-02", "tiu-analogi-01"],
        ["tkp-pelayanan-01", "tkp-sosbud-01"],
        ["sjt-keputusan-l3-01", "sjt-integritas-l1-01", "sjt-kerjasama-l2-01"],
    ],
}
"""The demo form, built from approved items and locked: its report has no errors."""

DEMO_ENEMIES: list[tuple[str, str, str]] = [
    (
        "tkp-pelayanan-01",
        "tkp-pelayanan-02",
        "Skenario layanan yang sama (warga datang menjelang tutup); jangan dalam satu paket.",
    ),
]
"""Pairs of demo items never to appear in the same form: (item key, item key, reason)."""
