"""Built-in importers: files from other systems and from item writers into items."""
