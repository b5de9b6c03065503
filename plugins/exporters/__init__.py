"""The built-in exporters, one plugin module per family of formats."""
