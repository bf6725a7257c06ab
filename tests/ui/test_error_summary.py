"""The one error summary (app/templates/macros/forms.html, issue 20 point 3): every error
links to an input that can take focus, and the page title then starts with "Fel: "."""

from __future__ import annotations

import re

from flask import render_template_string
from werkzeug.datastructures import MultiDict

from app import dates
from app.api.tokens import TokenForm

PAGE = """{% extends "base.html" %}{% from "macros/forms.html" import error_summary %}
{% block title %}Nycklar{% endblock %}
{% block content %}{{ error_summary(form) }}{{ form.scopes() }}{% endblock %}"""


def _render(app, data: dict) -> str:
    with app.test_request_context("/", method="POST"):
        form = TokenForm(formdata=MultiDict(data), meta={"csrf": False})
        form.validate()
        return render_template_string(PAGE, form=form)


def test_each_error_links_to_an_input_and_the_title_says_fel(app):
    html = _render(app, {})
    links = dict(re.findall(r'<a href="#([\w-]+)">([^<:]+):', html))
    # a list of checkboxes has its id on the <ul>: the link goes to its first box
    assert links["name"] == "Namn på nyckeln"
    assert links["scopes-0"] == "Vad nyckeln får läsa"
    assert "scopes" not in links
    assert re.search(r'<input[^>]*id="scopes-0"', html)
    assert 'role="alert" tabindex="-1" data-error-summary' in html
    assert "<title>Fel: Nycklar – Värna" in html


def test_no_errors_no_summary_and_no_fel(app):
    expires = dates.add_months(dates.today(), 6).isoformat()
    html = _render(app, {"name": "Lönesystemet", "scopes": "completions", "expires_on": expires})
    assert "data-error-summary" not in html
    assert "<title>Nycklar – Värna" in html


def test_the_words_in_text_do_not_make_an_error_page(app):
    with app.test_request_context("/"):
        html = render_template_string(
            '{% extends "base.html" %}{% block title %}Enhet{% endblock %}'
            "{% block content %}<h1>{{ name }}</h1>{% endblock %}",
            name="Enhet <p data-error-summary>",
        )
    assert "<title>Enhet – Värna" in html
