"""Every quantity in the five policy texts is either a catalogued target or a known non-target.

The texts live in shared/policies/ beside the project; these tests skip without them.
"""

from __future__ import annotations

import re

import pytest

import ipindicators as ipi

QUANTITY = re.compile(r"\d+(?:\.\d+)?(?:-\d+)?(?:件|亿元|万元|%|个|家|人次|人|期|年)")
DATE_LIKE = re.compile(r"^\d{4}(?:-\d+)?年$")

# Quantities that are not targets, with the reason.
NOT_TARGETS = {
    "002_371e778960edf182.txt": {
        "3年": "length of project support, not a goal",
        "50万元": "grant size (funding rule)",
        "80万元": "grant size (funding rule)",
        "3个": "support for 3 years (3个年度), a funding rule",
        "5年": "validity period of the document",
    },
    "004_ea6c7ef1eb077f93.txt": {"70%": "subsidy rate for trademark registration abroad"},
}

EXPECTED_COUNTS = {
    "000_80cd1bba055f4166.txt": 6,
    "001_ac11a834c7ff5f04.txt": 3,
    "002_371e778960edf182.txt": 1,
    "003_65ee71ac7b3c2f4e.txt": 6,
    "004_ea6c7ef1eb077f93.txt": 0,
}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _targets_of_file(file_name: str) -> list[ipi.Target]:
    return [
        ipi.target(t)
        for t in ipi.targets().index
        if ipi.document(ipi.target(t).document).file == file_name
    ]


@pytest.mark.parametrize("file_name", sorted(EXPECTED_COUNTS))
def test_target_quotes_appear_verbatim_in_their_document(policies, file_name):
    text = _squash((policies / file_name).read_text(encoding="utf-8"))
    chosen = _targets_of_file(file_name)
    assert len(chosen) == EXPECTED_COUNTS[file_name]
    for item in chosen:
        assert _squash(item.quote) in text, item.id
        if item.value is not None:
            printed = f"{item.value:g}"
            assert printed in _squash(item.quote), (item.id, printed)


@pytest.mark.parametrize("file_name", sorted(EXPECTED_COUNTS))
def test_every_quantity_in_a_document_is_accounted_for(policies, file_name):
    text = _squash((policies / file_name).read_text(encoding="utf-8"))
    quotes = [_squash(t.quote) for t in _targets_of_file(file_name)]
    covered = []
    for quote in quotes:
        start = text.find(quote)
        covered.append((start, start + len(quote)))
    uncovered = set()
    for match in QUANTITY.finditer(text):
        if DATE_LIKE.match(match.group()):
            continue
        if not any(a <= match.start() and match.end() <= b for a, b in covered):
            uncovered.add(match.group())
    assert uncovered == set(NOT_TARGETS.get(file_name, {}))


def test_haidong_per_10k_reading_is_explained():
    note = ipi.target("haidong-2025-invention-patents-per-10k").note
    assert "每万人口" in note
