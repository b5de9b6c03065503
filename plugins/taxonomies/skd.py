"""The SKD CPNS test areas (Seleksi Kompetensi Dasar, PermenPANRB 27/2021).

Three tests delivered by BKN's CAT system, with the sub-areas items are written for:

- ``TWK`` Tes Wawasan Kebangsaan (national insight),
- ``TIU`` Tes Intelegensia Umum (general intelligence), split into verbal, numerical and
  figural question types,
- ``TKP`` Tes Karakteristik Pribadi (personal characteristics).

The nodes have no levels: SKD items are tagged by area only.
"""

from __future__ import annotations

from collections.abc import Callable

from itembank.hookspecs import hookimpl
from itembank.taxonomy import Node, Taxonomy

CODE = "skd-cpns"


def _node(
    code: str,
    name_id: str,
    name_en: str,
    description_id: str,
    description_en: str,
    children: list[Node] | None = None,
) -> Node:
    return Node(
        code=code,
        name={"id": name_id, "en": name_en},
        description={"id": description_id, "en": description_en},
        children=children or [],
    )


TWK = _node(
    "TWK",
    "Tes Wawasan Kebangsaan",
    "National insight test",
    "Wawasan kebangsaan dan nilai-nilai dasar negara; 30 soal, benar 5, salah atau kosong 0.",
    "Knowledge of the nation and the state's founding values; 30 items, 5 points for a "
    "correct answer, 0 for a wrong or blank one.",
    [
        _node(
            "TWK.NAS",
            "Nasionalisme",
            "Nationalism",
            "Rasa cinta dan kesetiaan kepada bangsa serta penerapannya dalam sikap sehari-hari.",
            "Love of and loyalty to the nation and how they show in everyday conduct.",
        ),
        _node(
            "TWK.INT",
            "Integritas",
            "Integrity",
            "Kejujuran, konsistensi, dan keteladanan sebagai warga negara dan aparatur.",
            "Honesty, consistency and setting an example as a citizen and public servant.",
        ),
        _node(
            "TWK.BN",
            "Bela negara",
            "Defending the state",
            "Sikap dan tindakan warga negara dalam menjaga kelangsungan hidup bangsa dan negara.",
            "Citizens' attitudes and actions that safeguard the nation and the state.",
        ),
        _node(
            "TWK.PN",
            "Pilar negara",
            "Pillars of the state",
            "Pancasila, UUD 1945, NKRI, dan Bhinneka Tunggal Ika.",
            "Pancasila, the 1945 Constitution, the unitary republic (NKRI) and Bhinneka "
            "Tunggal Ika (unity in diversity).",
        ),
        _node(
            "TWK.BI",
            "Bahasa Indonesia",
            "Indonesian language",
            "Penggunaan bahasa Indonesia yang baik dan benar sebagai bahasa persatuan.",
            "Correct and effective use of Indonesian as the national language.",
        ),
    ],
)

TIU = _node(
    "TIU",
    "Tes Intelegensia Umum",
    "General intelligence test",
    "Kemampuan verbal, numerik, dan figural; 35 soal, benar 5, salah atau kosong 0.",
    "Verbal, numerical and figural reasoning; 35 items, 5 points for a correct answer, "
    "0 for a wrong or blank one.",
    [
        _node(
            "TIU.VER",
            "Verbal",
            "Verbal",
            "Penalaran dengan kata dan pernyataan.",
            "Reasoning with words and statements.",
            [
                _node(
                    "TIU.VER.ANALOGI",
                    "Analogi",
                    "Analogies",
                    "Menemukan pasangan kata yang hubungannya setara.",
                    "Finding word pairs that share the same relationship.",
                ),
                _node(
                    "TIU.VER.SILOGISME",
                    "Silogisme",
                    "Syllogisms",
                    "Menarik kesimpulan yang sah dari premis-premis.",
                    "Drawing valid conclusions from premises.",
                ),
            ],
        ),
        _node(
            "TIU.NUM",
            "Numerik",
            "Numerical",
            "Penalaran dengan angka dan hitungan.",
            "Reasoning with numbers and calculation.",
            [
                _node(
                    "TIU.NUM.BERHITUNG",
                    "Berhitung",
                    "Arithmetic",
                    "Operasi hitung, pecahan, persen, dan akar.",
                    "Arithmetic operations, fractions, percentages and roots.",
                ),
                _node(
                    "TIU.NUM.DERET",
                    "Deret angka",
                    "Number series",
                    "Menemukan pola dan melanjutkan deret bilangan.",
                    "Finding the pattern in a sequence of numbers and continuing it.",
                ),
                _node(
                    "TIU.NUM.KUANT",
                    "Perbandingan kuantitatif",
                    "Quantitative comparison",
                    "Membandingkan dua besaran, misalnya x dan y.",
                    "Comparing two quantities, such as x and y.",
                ),
                _node(
                    "TIU.NUM.CERITA",
                    "Soal cerita",
                    "Word problems",
                    "Menyelesaikan masalah hitungan yang disajikan dalam bentuk cerita.",
                    "Solving calculation problems set in a short everyday scenario.",
                ),
            ],
        ),
        _node(
            "TIU.FIG",
            "Figural",
            "Figural",
            "Penalaran dengan gambar dan bentuk.",
            "Reasoning with pictures and shapes.",
            [
                _node(
                    "TIU.FIG.ANALOGI",
                    "Analogi gambar",
                    "Figural analogies",
                    "Menemukan gambar yang hubungannya setara dengan pasangan contoh.",
                    "Finding the figure that relates to another as the example pair does.",
                ),
                _node(
                    "TIU.FIG.BEDA",
                    "Ketidaksamaan",
                    "Odd one out",
                    "Menemukan gambar yang tidak mengikuti pola gambar lainnya.",
                    "Finding the figure that breaks the pattern of the others.",
                ),
                _node(
                    "TIU.FIG.SERIAL",
                    "Serial gambar",
                    "Figure series",
                    "Melanjutkan urutan gambar sesuai polanya.",
                    "Continuing a sequence of figures by its pattern.",
                ),
            ],
        ),
    ],
)

TKP = _node(
    "TKP",
    "Tes Karakteristik Pribadi",
    "Personal characteristics test",
    "Sikap dan perilaku dalam situasi kerja; 45 soal, setiap pilihan berbobot 1 sampai 5, "
    "kosong 0.",
    "Attitudes and behaviour in work situations; 45 items, every option weighted 1 to 5, "
    "0 for a blank answer.",
    [
        _node(
            "TKP.PP",
            "Pelayanan publik",
            "Public service",
            "Sikap melayani masyarakat dengan ramah, cepat, dan adil.",
            "Serving the public in a friendly, prompt and fair way.",
        ),
        _node(
            "TKP.JK",
            "Jejaring kerja",
            "Networking",
            "Membangun dan memelihara hubungan kerja yang saling menguntungkan.",
            "Building and keeping working relationships that benefit both sides.",
        ),
        _node(
            "TKP.SB",
            "Sosial budaya",
            "Social and cultural",
            "Menyesuaikan diri dan bekerja sama dalam lingkungan yang beragam.",
            "Adapting to and working well in a diverse environment.",
        ),
        _node(
            "TKP.TIK",
            "Teknologi informasi dan komunikasi",
            "Information and communication technology",
            "Memanfaatkan teknologi informasi untuk pekerjaan secara tepat dan aman.",
            "Using information technology at work appropriately and safely.",
        ),
        _node(
            "TKP.PROF",
            "Profesionalisme",
            "Professionalism",
            "Bekerja sesuai standar dengan tanggung jawab dan kemauan untuk berkembang.",
            "Working to standard, responsibly and with a will to keep improving.",
        ),
        _node(
            "TKP.AR",
            "Anti radikalisme",
            "Anti-radicalism",
            "Menolak paham yang bertentangan dengan Pancasila dan menjaga sikap moderat.",
            "Rejecting ideologies opposed to Pancasila and keeping a moderate stance.",
        ),
    ],
)

TAXONOMY = Taxonomy(
    code=CODE,
    name={
        "id": "Seleksi Kompetensi Dasar CPNS (PermenPANRB 27/2021)",
        "en": "CPNS basic competency selection test (PermenPANRB 27/2021)",
    },
    nodes=[TWK, TIU, TKP],
    source="Peraturan Menteri PANRB Nomor 27 Tahun 2021 tentang Pengadaan Pegawai Negeri Sipil",
    version="2021",
)
"""The SKD CPNS test areas."""


@hookimpl
def itembank_register_taxonomies(register: Callable[[Taxonomy], None]) -> None:
    register(TAXONOMY)
