"""The bridge between the pure ``qti`` package and the bank's item types (no Flask, no
database): reading foreign QTI items into bank content (:mod:`.convert`), the scoring proof
that the result scores every response as the source does (:mod:`.proof`), QTI XHTML to the
bank's sanitized HTML (:mod:`.html`) and the per-file, per-item import report (:mod:`.report`).
"""
