"""Built-in taxonomies: classification frameworks available to every bank.

- :mod:`plugins.taxonomies.asn`: the ASN job competency standard (PermenPANRB 38/2017),
  managerial and socio-cultural competencies with five levels each.
- :mod:`plugins.taxonomies.skd`: the SKD CPNS test areas (PermenPANRB 27/2021).
- :mod:`plugins.taxonomies.bloom`: the revised Bloom's taxonomy, cognitive levels C1-C6.

Each module implements :func:`itembank.hookspecs.itembank_register_taxonomies` and
registers exactly one :class:`itembank.taxonomy.Taxonomy`.
"""
