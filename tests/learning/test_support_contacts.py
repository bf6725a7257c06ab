"""Support contacts: each in the language it is written in; a number once, in ours if we can."""

from __future__ import annotations

from flask_babel import force_locale

from app.learning.services import support_contacts

CONFIG = "Kvinnofridslinjen|020-50 50 50|Dygnet runt;Polisen vid akut fara|112|"
ENGLISH_COURSE = [
    {"name": "Kvinnofridslinjen (helpline)", "phone": "020-50 50 50", "text": "Day and night."},
    {"name": "Emergency", "phone": "112", "text": "Call 112."},
    {"name": "Brottsofferjouren (victim support)", "phone": "116 006", "text": "Free."},
]


def _shown(contacts):
    return [(c["name"], str(c["text"]), c["lang"]) for c in contacts]


def test_the_english_course_in_the_english_interface_keeps_its_own_entries(app_ctx):
    with force_locale("en"):
        shown = _shown(support_contacts(CONFIG, ENGLISH_COURSE, course_lang="en", ui_lang="en"))
    assert shown == [
        ("Kvinnofridslinjen (helpline)", "Day and night.", "en"),
        ("Emergency", "Call 112.", "en"),
        ("Brottsofferjouren (victim support)", "Free.", "en"),
    ]


def test_the_english_course_in_the_swedish_interface_marks_its_entries_english(app_ctx):
    with force_locale("sv"):
        shown = _shown(support_contacts(CONFIG, ENGLISH_COURSE, course_lang="en", ui_lang="sv"))
    assert shown == [
        ("Kvinnofridslinjen", "Dygnet runt, gratis och anonymt.", "sv"),
        ("Polisen vid akut fara", "", "sv"),
        ("Brottsofferjouren (victim support)", "Free.", "en"),
    ]


def test_a_swedish_course_in_the_english_interface_translates_the_helpline_only(app_ctx):
    swedish = [{"name": "Brottsofferjouren", "phone": "116 006", "text": "Gratis."}]
    with force_locale("en"):
        shown = _shown(support_contacts(CONFIG, swedish, course_lang="sv", ui_lang="en"))
    assert shown == [
        ("Kvinnofridslinjen", "Day and night, free and anonymous.", "en"),
        ("Polisen vid akut fara", "", "sv"),
        ("Brottsofferjouren", "Gratis.", "sv"),
    ]
