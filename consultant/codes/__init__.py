"""Code sets: normal forms, the store, importers, lookup and search."""
