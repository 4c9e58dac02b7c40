"""WCAG 2.1 AA on the key pages of each role, checked by axe-core in chromium.

Public-sector users (NATO, ministries) expect WCAG 2.1 AA. axe-core checks the
machine-checkable part of it (contrast, names, labels, ids, ARIA...); it cannot
judge the rest, such as whether a label makes sense or the keyboard order is
logical, so these tests are a floor, not a conformance claim.

axe comes from the app's own static files (vendored from npm by `make setup`),
injected by Playwright: the CSP allows scripts from 'self', and the templates
stay free of inline scripts. Each role walks its pages and the audit collects
every violation, so one failure lists all of them, page by page.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.db.models import F
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from applications.models import Application
from applications.sections import SECTIONS
from challenges.models import Challenge, Programme
from diana_portal.management.commands.seed_demo import Command as SeedDemo
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_SCRIPT = "/static/vendor/axe/axe.min.js"
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
TARGETS_SHOWN = 3
INNOVATOR = "innovator@demo.example"


@dataclass
class AxeAudit:
    """Runs axe on each page it is given and keeps the violations, page by page."""

    page: Page
    base_url: str
    violations: dict[str, list[dict]] = field(default_factory=dict)

    def check(self, name: str) -> None:
        """Audit the page as it stands now (after a click, a search, a failed form...)."""
        self.page.wait_for_load_state("load")
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.add_script_tag(url=f"{self.base_url}{AXE_SCRIPT}")
        results = self.page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        self.violations[f"{name} ({self.page.url.removeprefix(self.base_url)})"] = results["violations"]

    def visit(self, name: str, path: str, *, status: int = 200) -> None:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None
        assert response.status == status, f"{name}: GET {path} answered {response.status}, not {status}"
        self.check(name)

    def report(self) -> str:
        lines = []
        for page_name, violations in self.violations.items():
            for violation in violations:
                nodes = violation["nodes"]
                targets = ", ".join(" ".join(node["target"]) for node in nodes[:TARGETS_SHOWN])
                more = f" (+{len(nodes) - TARGETS_SHOWN} more)" if len(nodes) > TARGETS_SHOWN else ""
                why = " ".join(nodes[0]["failureSummary"].split())
                lines.append(
                    f"- {page_name}: {violation['id']} [{violation['impact']}] {violation['help']}\n"
                    f"    at {targets}{more}\n"
                    f"    first: {nodes[0]['html'][:120]}\n"
                    f"    {why[:300]}\n"
                    f"    {violation['helpUrl']}"
                )
        return "\n".join(lines)

    def assert_clean(self) -> None:
        assert self.violations, "no page was audited"
        report = self.report()
        if report:
            pytest.fail(f"axe found WCAG 2.1 AA violations:\n{report}", pytrace=False)


@pytest.fixture
def audit(page, live_server):
    page.set_default_timeout(10_000)
    return AxeAudit(page=page, base_url=live_server.url)


@pytest.fixture
def demo():
    # Transactional tests flush the rows migrations created (Allies, technology areas);
    # the demo seed is idempotent and puts them back with everything else.
    SeedDemo().handle()


def test_the_audit_reports_a_violation_with_rule_impact_and_target(page, audit):
    audit.visit("sign-in", reverse("account_login"))
    assert audit.report() == ""
    # An unlabelled field, as a template that forgot its <label> would render it.
    page.evaluate("document.querySelector('main').append(document.createElement('textarea'))")

    audit.check("sign-in, broken")

    assert audit.report().splitlines()[:3] == [
        "- sign-in, broken (/accounts/login/): label [critical] Form elements must have labels",
        "    at textarea",
        "    first: <textarea></textarea>",
    ]
    with pytest.raises(pytest.fail.Exception, match=re.escape("axe found WCAG 2.1 AA violations:")):
        audit.assert_clean()


def test_anonymous_pages_meet_wcag_21_aa(page, live_server, demo, audit, screenshot):
    challenge = Challenge.objects.filter(published=True, programme__published=True).order_by("id").first()
    assert challenge is not None

    audit.visit("home, anonymous", "/")
    screenshot("a11y-anonymous-home")
    audit.visit("sign-in", reverse("account_login"))
    page.get_by_label("Email").fill("nobody@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    audit.check("sign-in, refused")
    audit.visit("sign-up", reverse("account_signup"))
    page.get_by_label("Email").fill("astrid@fjordlys.example")
    page.get_by_label("Full name").fill("Astrid Fjeld")
    page.get_by_label(re.compile(r"^\s*Password\*?\s*$")).fill("short")
    page.get_by_label("Password (again)").fill("short")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_text("This password is too short.", exact=False)).to_be_visible()
    audit.check("sign-up, refused")

    audit.visit("challenges", reverse("challenges:list"))
    page.get_by_label("Search").fill("orbit")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"\d+ challenges? found"))
    audit.check("challenges, searched")

    audit.visit("challenge detail", challenge.get_absolute_url())
    audit.visit("programmes", reverse("challenges:programme_list"))
    audit.visit("programme detail", challenge.programme.get_absolute_url())
    audit.visit("not found", "/no-such-page/", status=404)

    audit.assert_clean()


def test_innovator_pages_meet_wcag_21_aa(page, live_server, demo, audit, screenshot):
    draft = Application.objects.get(created_by__email=INNOVATOR, status="draft")
    # The demo's reviewers were assigned by the solver, so the submitted one is in review.
    submitted = Application.objects.get(created_by__email=INNOVATOR, status="in_review")

    sign_in(page, live_server, INNOVATOR, DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Ingrid Solberg")).to_be_visible()
    audit.check("home, signed in")

    audit.visit("my applications", reverse("applications:list"))
    screenshot("a11y-innovator-applications")
    audit.visit("choose a challenge", reverse("applications:choose_challenge"))
    audit.visit("draft", draft.get_absolute_url())
    for section in SECTIONS:
        audit.visit(f"section {section.slug}", reverse("applications:section", args=[draft.pk, section.slug]))
    audit.visit("attachments", reverse("applications:attachments", args=[draft.pk]))
    audit.visit("review and submit", reverse("applications:submit", args=[draft.pk]))
    audit.visit("submitted application", submitted.get_absolute_url())
    audit.visit("withdraw", reverse("applications:withdraw", args=[submitted.pk]))
    audit.visit("discard draft", reverse("applications:withdraw", args=[draft.pk]))
    # The demo organisation has already submitted to this programme: the page warns about the limit.
    audit.visit("start, at the limit", reverse("applications:start", args=[draft.challenge_id]))
    expect(page.get_by_text(f"has already submitted {submitted.reference}", exact=False)).to_be_visible()
    screenshot("a11y-innovator-start-at-limit")

    audit.visit("organisations", reverse("applications:organisation_list"))
    # The innovator owns the submitting company and is a member of the drafting one.
    audit.visit("organisation", reverse("applications:organisation_detail", args=[draft.organisation_id]))
    audit.visit("organisation edit", reverse("applications:organisation_edit", args=[submitted.organisation_id]))
    audit.visit("new organisation", reverse("applications:organisation_create"))
    page.get_by_role("button", name="Create the organisation").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("new organisation, refused")

    audit.visit("messages", reverse("notifications:inbox"))
    page.get_by_role("link", name="Welcome to the NATO DIANA portal").click()
    audit.check("message")

    audit.visit("two-factor authentication", reverse("mfa_index"))
    audit.visit("e-mail addresses", reverse("account_email"))
    audit.visit("change password", reverse("account_change_password"))

    audit.assert_clean()


def test_programme_manager_pages_meet_wcag_21_aa(page, live_server, demo, audit, screenshot, settings):
    # The live server runs in this process and the MFA middleware reads the setting on
    # each request, so the demo manager (no TOTP enrolled) signs in as under `make run`.
    settings.REQUIRE_STAFF_MFA = False
    programme = Programme.objects.filter(published=True).order_by("-opens_at").first()
    assert programme is not None
    challenge = programme.challenges.order_by("order", "id").first()
    # The newest, as the staff list sorts: it is on the list's first page however many there are.
    ineligible = (
        Application.objects.filter(programme=programme, status="ineligible")
        .order_by(F("submitted_at").desc(nulls_last=True), "-id")
        .first()
    )
    assert challenge is not None
    assert ineligible is not None

    sign_in(page, live_server, "manager@demo.example", DEMO_PASSWORD)
    expect(page.get_by_role("button", name="Claire Dubois")).to_be_visible()
    audit.check("home, programme manager")

    audit.visit("staff programmes", reverse("challenges:staff_programme_list"))
    audit.visit("staff programme", reverse("challenges:staff_programme_detail", args=[programme.slug]))
    screenshot("a11y-manager-programme")
    audit.visit("new programme", reverse("challenges:staff_programme_create"))
    audit.visit("edit programme", reverse("challenges:staff_programme_edit", args=[programme.slug]))
    audit.visit("clone programme", reverse("challenges:staff_programme_clone"))
    audit.visit("unpublish programme", reverse("challenges:staff_programme_unpublish", args=[programme.slug]))
    audit.visit("rubric", reverse("challenges:staff_rubric_edit", args=[programme.slug]))
    audit.visit("new challenge", reverse("challenges:staff_challenge_create", args=[programme.slug]))
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("new challenge, refused")
    audit.visit("edit challenge", reverse("challenges:staff_challenge_edit", args=[programme.slug, challenge.slug]))
    audit.visit(
        "delete challenge, refused", reverse("challenges:staff_challenge_delete", args=[programme.slug, challenge.slug])
    )
    expect(page.get_by_text("cannot be deleted", exact=False)).to_be_visible()

    audit.visit("staff applications, programmes", reverse("applications:staff_index"))
    audit.visit("staff applications", reverse("applications:staff_list", args=[programme.slug]))
    page.get_by_label("Status").select_option("ineligible")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name=ineligible.reference)).to_be_visible()
    audit.check("staff applications, filtered")
    audit.visit("staff application", reverse("applications:staff_detail", args=[ineligible.pk]))
    page.get_by_text("SHA-256").first.click()  # the <details> opened
    audit.check("staff application, checksum shown")

    audit.visit("outbox", reverse("notifications:outbox"))
    audit.visit("outbox, all", f"{reverse('notifications:outbox')}?show=all")
    page.get_by_role("link", name="Welcome to the NATO DIANA portal").first.click()
    audit.check("outbox message")

    audit.assert_clean()
