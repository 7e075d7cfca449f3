"""The tidy layout of published figures: its columns and the source classes."""

TIDY_COLUMNS = (
    "region",
    "indicator",
    "period_start",
    "period_end",
    "value",
    "unit",
    "as_printed",
    "source_url",
    "source_title",
    "table",
    "published",
    "excerpt",
    "note",
    "source_class",
)
REQUIRED_COLUMNS = (
    "region",
    "indicator",
    "period_end",
    "value",
    "unit",
    "as_printed",
    "source_url",
)
SOURCE_CLASSES = ("official", "state_media", "reprint")
"""Kinds of publisher a figure can come from, best first (``source_class`` column).

``official``: statistical yearbooks, NBS, CNIPA and other government releases, also when the
table was read in a reproduction (the row's ``source_title`` names the yearbook and its
``source_url`` where it was read); ``state_media``: central state media reporting an official
figure; ``reprint``: any other page. Left empty, the class follows from the URL's host."""
