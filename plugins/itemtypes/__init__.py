"""The built-in item types, one plugin module per type.

Each module defines an :class:`itembank.itemtypes.ItemType` subclass and registers one
instance through the ``itembank_register_item_types`` hook; ``_common`` holds the schema
pieces, checks and preview helpers they share.
"""
