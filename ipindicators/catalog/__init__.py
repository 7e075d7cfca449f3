"""The catalogs: indicators, regions, documents and plan targets.

Each catalog is a YAML file of package data (``catalog/*.yaml``) checked against a typed model
(:mod:`pydantic`) by one generic :class:`~ipindicators.catalog.registry.Registry`; the JSON
Schemas in ``catalog/schemas/`` let editors check the files as they are written. Units and their
conversions are in :mod:`ipindicators.catalog.units`.
"""
