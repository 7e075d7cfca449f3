"""Statistics: reading raw tables (tidy, wide, Excel), validating them, and building the tidy
observations that the models use (:mod:`.readers`, :mod:`.build`, :mod:`.store`)."""
