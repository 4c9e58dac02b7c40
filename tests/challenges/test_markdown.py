"""Statements are Markdown, rendered sanitised: a script never reaches a page."""

import pytest
from django.urls import reverse

from challenges.markdown import render_markdown
from tests.challenges.factories import ChallengeFactory


def test_markdown_renders_formatting():
    html = render_markdown("Drones **must** fly.\n\n- one\n- two\n\n[NATO](https://www.nato.int)")
    assert "<strong>must</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert '<a href="https://www.nato.int" rel="noopener noreferrer nofollow">NATO</a>' in html


def test_markdown_headings_start_below_the_page_sections():
    assert render_markdown("# Title\n\n## Sub").startswith("<h3>Title</h3>\n<h4>Sub</h4>")


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("<script>alert('x')</script>", "<script"),
        ("<script>alert('x')</script>", "alert("),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[click](javascript:alert(1))", "javascript:"),
        ('<a href="javascript:alert(1)">click</a>', "javascript:"),
        ('<p style="color:red">styled</p>', "style="),
        ("<iframe src='https://evil.example'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "display:none"),
        ('<svg onload="alert(1)"></svg>', "onload"),
    ],
)
def test_markdown_strips_dangerous_html(source, forbidden):
    assert forbidden not in render_markdown(f"Intro\n\n{source}\n\nOutro")


def test_markdown_of_nothing_is_empty():
    assert render_markdown("") == ""


@pytest.mark.django_db
def test_challenge_page_never_contains_a_script_from_the_statement(client):
    challenge = ChallengeFactory(
        programme__published=True,
        problem="Real text <script>alert('problem')</script>",
        operational_context="<script>alert('context')</script>",
        desired_outcomes='<img src=x onerror="alert(1)">**Outcome**',
        constraints="[x](javascript:alert(1))",
    )

    response = client.get(challenge.get_absolute_url())

    body = response.content.decode()
    assert response.status_code == 200
    assert "Real text" in body
    assert "<strong>Outcome</strong>" in body
    assert "alert(" not in body
    assert "onerror" not in body
    assert "javascript:" not in body


@pytest.mark.django_db
def test_staff_preview_is_sanitised_too(role_client):
    from accounts.enums import Role

    challenge = ChallengeFactory()
    client = role_client(Role.PROGRAMME_MANAGER)
    url = reverse(
        "challenges:staff_challenge_edit",
        kwargs={"slug": challenge.programme.slug, "challenge_slug": challenge.slug},
    )

    response = client.post(url, {"_preview": "1", "title": "T", "problem": "**Bold** <script>alert('p')</script>"})

    body = response.content.decode()
    assert "<strong>Bold</strong>" in body
    assert "alert('p')</script>" not in body
