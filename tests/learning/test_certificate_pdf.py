"""The certificate as the holder and a screen reader get it: a tagged PDF with title, language
and embedded fonts, legible, and in English for whoever took the English variant.

Page 1 of each goes to build/test-artefacts/, to look at.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Completion
from tests import pdfcheck
from tests.learning.conftest import RIGHT, Learner


def _certificate(make, client, auth, variant: str) -> bytes:
    unit = make.unit("Vård och omsorg")
    make.employee(unit=unit, email="asa@k.se", first_name="Åsa", last_name="Öberg-Ärlig")
    auth.login("asa@k.se")
    learner = Learner(client)
    learner.start(variant=variant)
    for i in (1, 2):
        assert learner.post(f"/kurser/example-intro/moduler/{i}/klar").status_code == 302
    learner.submit(learner.start_quiz(), RIGHT)
    completion = db.session.scalars(sa.select(Completion)).one()
    response = client.get(f"/intyg/{completion.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    return response.data


@pytest.mark.parametrize(
    ("variant", "lang", "words"),
    [
        (
            "",
            "sv",
            [
                "Intyg",
                "Härmed intygas att",
                "har genomfört",
                "Exempelkurs: så fungerar",
                "Giltigt till",
                "Kontrollkod",
            ],
        ),
        (
            "en",
            "en",
            [
                "Certificate",
                "This is to certify that",
                "has completed",
                "Example course: how a course in Värna works",
                "Valid until",
                "Verification code",
            ],
        ),
    ],
)
def test_the_certificate_is_tagged_in_the_language_of_the_variant_taken(
    make, example, client, auth, variant, lang, words
):
    data = _certificate(make, client, auth, variant)
    found = pdfcheck.structure(data)
    assert found["tagged"]
    assert found["marked"]
    assert found["lang"] == lang
    assert found["title"].startswith(words[0] + " – ")
    assert found["display_title"]
    assert "/H1" in found["types"]
    assert "/TH" in found["types"]
    assert found["fonts"]
    assert all(embedded for _, embedded in found["fonts"])
    text = pdfcheck.text(data)
    assert "Åsa Öberg-Ärlig" in text
    for word in words:
        assert word in text, word
    if lang == "en":
        assert "Intyg" not in text
        assert "Giltigt" not in text
    poor = [(w, round(c, 2)) for w, c in pdfcheck.word_contrasts(data) if c < 4.5]
    assert poor == []
    pdfcheck.save_first_page(data, f"certificate-{lang}")
