"""Importers: one streaming parser per source, one writer shared by all."""
