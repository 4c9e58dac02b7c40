"""Statements are Markdown, rendered sanitised: a script never reaches a page."""

import pytest
from django.urls import reverse

from challenges.markdown import render_markdown
from tests.challenges.factories import ChallengeFactory, ProgrammeFactory, published_programme


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


HOSTILE_DESCRIPTION = (
    "The **2027** call. <script>alert('description')</script>"
    '<img src=x onerror="alert(1)"> [details](javascript:alert(2))'
)


def _assert_sanitised(html: str) -> None:
    assert "<strong>2027</strong> call." in html
    assert "alert(" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


@pytest.mark.django_db
def test_programme_page_never_contains_a_script_from_the_description(client):
    programme = published_programme(description=HOSTILE_DESCRIPTION)

    response = client.get(programme.get_absolute_url())

    assert response.status_code == 200
    _assert_sanitised(response.content.decode())


def _preview_section(body: str) -> str:
    """The rendered preview only: the form below it echoes the typed text, escaped."""
    return body.split('aria-labelledby="preview-heading"', 1)[1].split("</section>", 1)[0]


@pytest.mark.django_db
@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_staff_programme_preview_is_sanitised(role_client, editing):
    from accounts.enums import Role

    programme = ProgrammeFactory(slug="draft")
    url = (
        reverse("challenges:staff_programme_edit", kwargs={"slug": "draft"})
        if editing
        else reverse("challenges:staff_programme_create")
    )

    response = role_client(Role.PROGRAMME_MANAGER).post(url, {"_preview": "1", "description": HOSTILE_DESCRIPTION})

    assert response.status_code == 200
    body = response.content.decode()
    _assert_sanitised(_preview_section(body))
    assert "<script>alert(" not in body  # nor anywhere else on the page
    programme.refresh_from_db()
    assert programme.description == "A test programme."  # a preview saves nothing
