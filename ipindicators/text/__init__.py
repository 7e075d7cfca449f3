"""Quantified targets found in Chinese plan text, each with its sentence (:mod:`.extract`)."""
