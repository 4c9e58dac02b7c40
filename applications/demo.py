"""Demo data for applications: several hundred made-up organisations from across the
Alliance and their applications, in every state, to the demo programmes.

Runs from `seed_demo` on every `make run`, so it is idempotent and fast: rows are
bulk-created, and a second run only checks that the attachment files exist.
Every company here is fictional, and nothing on screen says "demo": the rows are
recognised by their websites, which are on the reserved `.example` domain (RFC 2606)
and are generated from the same seed every time (`demo_organisations`). Never run
in production (DESIGN §10).
"""

# ruff: noqa: S311 - seeded pseudo-random choices make the demo data repeatable; nothing here is secret.
import random
import unicodedata
from collections import Counter
from datetime import datetime, timedelta
from functools import cache

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import AuditEvent, User
from applications import attachments
from applications.demo_texts import (
    AREAS,
    CODE_NAMES,
    COMMERCIAL_MARKET,
    COMMERCIAL_MODEL,
    COMMERCIAL_TRACTION,
    DEFENCE_FIT,
    DEFENCE_SCALE,
    DIFFERENTIATORS,
    DUAL_USE,
    FEASIBILITY_EVIDENCE,
    FEASIBILITY_PLAN,
    FEASIBILITY_RISK,
    FUNDING_SPLITS,
    GOALS,
    NAME_ENDS,
    NAME_STARTS,
    NOT_COINED,
    SECTORS,
    TEAM_ADVISORS,
    TEAM_FOUNDERS,
    TEAM_SIZE,
    TRL_DEFINITIONS,
    TRL_EVIDENCE,
    TRL_NEXT,
)
from applications.eligibility import Problem
from applications.enums import ApplicationStatus, AttachmentKind, Eligibility, MemberRole
from applications.minipdf import make_pdf_pages
from applications.models import Application, Attachment, Membership, Organisation, ReferenceCounter
from applications.services import organisation_create
from challenges.models import Challenge, Programme

S = ApplicationStatus
ORGANISATION_COUNT = 420
SEED = 2025
DAY = timedelta(days=1)
# Rows written by the seed before it stopped marking companies "(demo)" and "DEMO-...".
LEGACY_PREFIX = "DEMO-"

# The pilot call's applicants by nation (diana-facts.md): US 215, Canada 211,
# UK 182, Poland 77, Türkiye 75, Italy 60, Norway 43, then the others.
NATION_WEIGHTS: dict[str, int] = {
    "US": 215, "CA": 211, "GB": 182, "PL": 77, "TR": 75, "IT": 60, "NO": 43,
    "DE": 40, "FR": 38, "NL": 30, "ES": 26, "DK": 22, "EE": 20, "FI": 20, "SE": 18,
    "BE": 14, "CZ": 12, "RO": 12, "PT": 10, "GR": 10, "LT": 9, "LV": 7, "HU": 6,
    "SK": 5, "SI": 4, "HR": 4, "BG": 4, "IS": 2, "LU": 2, "AL": 2, "ME": 1, "MK": 1,
}  # fmt: skip

LEGAL_FORMS: dict[str, str] = {
    "US": "Inc.", "CA": "Inc.", "GB": "Ltd", "PL": "sp. z o.o.", "TR": "A.Ş.", "IT": "S.r.l.", "NO": "AS",
    "DE": "GmbH", "FR": "SAS", "NL": "B.V.", "ES": "S.L.", "DK": "ApS", "EE": "OÜ", "FI": "Oy", "SE": "AB",
    "BE": "SRL", "CZ": "s.r.o.", "RO": "S.R.L.", "PT": "Lda.", "GR": "IKE", "LT": "UAB", "LV": "SIA",
    "HU": "Kft.", "SK": "s.r.o.", "SI": "d.o.o.", "HR": "d.o.o.", "BG": "EOOD", "IS": "ehf.", "LU": "S.à r.l.",
    "AL": "sh.p.k.", "ME": "d.o.o.", "MK": "DOOEL",
}  # fmt: skip

# What each national register's numbers look like ("#" is a digit): GB Companies House,
# FR SIREN, DE Handelsregister, NO organisasjonsnummer, US EIN, and so on. Realistic in
# shape only: no check digits, and the seed keeps them unique per nation.
REGISTRATION_FORMATS: dict[str, str] = {
    "US": "##-#######", "CA": "#########", "GB": "1#######", "PL": "0000######", "TR": "##########",
    "IT": "###########", "NO": "9## ### ###", "DE": "HRB ######", "FR": "### ### ###", "NL": "########",
    "ES": "B########", "DK": "########", "EE": "1#######", "FI": "#######-#", "SE": "559###-####",
    "BE": "0###.###.###", "CZ": "########", "RO": "########", "PT": "5########", "GR": "#########",
    "LT": "30#######", "LV": "4000#######", "HU": "01-09-######", "SK": "########", "SI": "#######000",
    "HR": "###########", "BG": "#########", "IS": "######-####", "LU": "B######", "AL": "L########A",
    "ME": "0#######", "MK": "#######",
}  # fmt: skip

GIVEN_NAMES = [
    "Alex", "Sam", "Jordan", "Maria", "Jan", "Elif", "Luca", "Ingrid", "Anna", "Piotr", "Emma", "Mehmet",
    "Sofia", "Lars", "Chloé", "Jonas", "Aino", "Tomas", "Eva", "Mateo", "Noah", "Zeynep", "Marta", "Olav",
]  # fmt: skip
FAMILY_NAMES = [
    "Smith", "Tremblay", "Jones", "Kowalski", "Yılmaz", "Rossi", "Hansen", "Müller", "Martin", "de Vries",  # noqa: RUF001 - a Turkish name, dotless i
    "García", "Jensen", "Tamm", "Virtanen", "Andersson", "Peeters", "Novák", "Popescu", "Silva", "Papadopoulos",
]  # fmt: skip

# The share of applications in each state. An open call has drafts and checked
# submissions. A closed call is decided, about one application in twenty-five selected,
# as in 2024 (74 of 2,600), except a handful whose decision the programme manager
# deferred (still in review), so that the demo holds every state.
OPEN_CALL_STATES: dict[ApplicationStatus, int] = {
    S.DRAFT: 30, S.SUBMITTED: 2, S.ELIGIBLE: 52, S.INELIGIBLE: 10, S.WITHDRAWN: 4,
}  # fmt: skip
CLOSED_CALL_STATES: dict[ApplicationStatus, int] = {
    S.INELIGIBLE: 10, S.IN_REVIEW: 1, S.SELECTED: 5, S.RESERVE: 4, S.REJECTED: 75, S.WITHDRAWN: 5,
}  # fmt: skip
DECIDED = frozenset({S.SELECTED, S.RESERVE, S.REJECTED})
REVIEWED = DECIDED | {S.IN_REVIEW}

INNOVATOR_EMAIL = "innovator@demo.example"
MANAGER_EMAIL = "manager@demo.example"
# The demo innovator owns one company, which has applied, and is a member of a
# second one, whose draft they are writing: one application per organisation.
INNOVATOR_COMPANY = {
    "name": "Fjordlys Sensing",
    "legal_name": "Fjordlys Sensing AS",
    "registration_number": "921 845 306",
    "hq_nation": "NO",
    "size": "small",
    "year_founded": 2019,
    "website": "https://fjordlys-sensing.example",
    "description": "Passive radar and acoustic sensing for the High North.",
}
PARTNER_COMPANY = {
    "name": "Havbris Robotics",
    "legal_name": "Havbris Robotics AS",
    "registration_number": "927 310 584",
    "hq_nation": "NO",
    "size": "micro",
    "year_founded": 2023,
    "website": "https://havbris-robotics.example",
    "description": "Uncrewed surface vessels for coastal and harbour surveillance.",
}
PARTNER_FOUNDER = ("eirik@havbris-robotics.example", "Eirik Haugen")


def seed(log) -> None:
    if Organisation.objects.filter(registration_number__startswith=LEGACY_PREFIX).exists():
        log(
            "Demo data from an older seed is present (registration numbers DEMO-...): left as it is. "
            "Delete var/ (or drop the database) and run again for the current demo data."
        )
        return
    created = _seed_organisations()
    total = demo_organisations().count()
    log(f"Demo organisations: {total}" + (" (created now)" if created else ""))
    programme = current_programme()
    if programme is None:
        log("No published programme yet: demo applications skipped (challenges.demo creates one).")
        return
    now = timezone.now()
    for call in Programme.objects.published().filter(opens_at__lte=now).order_by("opens_at"):
        count = _seed_applications(call, CLOSED_CALL_STATES if call.closes_at <= now else OPEN_CALL_STATES)
        counts = Counter(Application.objects.filter(programme=call).values_list("status", flat=True))
        log(
            f"Applications to {call.title}: {sum(counts.values())} ({count} created now); "
            + ", ".join(f"{status} {counts[status]}" for status in S.values if counts[status])
        )
    _seed_innovator(programme)
    restored = _restore_missing_files()
    if restored:
        log(f"Attachment files restored: {restored}")


def current_programme(now: datetime | None = None) -> Programme | None:
    """The programme the demo applies to: the open one, else the latest published."""
    now = now or timezone.now()
    return (
        Programme.objects.open_at(now).order_by("-opens_at").first()
        or Programme.objects.published().order_by("-opens_at").first()
    )


def demo_organisations() -> QuerySet[Organisation]:
    """The generated companies (not the demo innovator's two): every company on the
    reserved .example domain, so a change to the name lists still finds an older seed's."""
    return Organisation.objects.filter(website__endswith=".example").exclude(
        website__in=[INNOVATOR_COMPANY["website"], PARTNER_COMPANY["website"]]
    )


def innovator_organisations() -> QuerySet[Organisation]:
    return Organisation.objects.filter(website__in=[INNOVATOR_COMPANY["website"], PARTNER_COMPANY["website"]])


# --- Organisations ---------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    text = text.replace("ı", "i")  # noqa: RUF001 - the Turkish dotless i has no decomposition
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _registration_number(rng: random.Random, nation: str) -> str:
    return "".join(str(rng.randint(0, 9)) if char == "#" else char for char in REGISTRATION_FORMATS[nation])


@cache
def _organisation_specs() -> tuple[dict, ...]:
    """The generated companies, the same every run (the seed's RNG, no clock)."""
    rng = random.Random(SEED)
    nations = rng.choices(list(NATION_WEIGHTS), weights=list(NATION_WEIGHTS.values()), k=ORGANISATION_COUNT)
    # No stutter ("Borora", "Velavel") and no real word.
    coined = [
        start + end
        for start in NAME_STARTS
        for end in NAME_ENDS
        if start + end not in NOT_COINED and start[-2:] not in end
    ]
    # Each coined word once, so that no two companies look like siblings.
    words = rng.sample(coined, ORGANISATION_COUNT)
    numbers: dict[str, set[str]] = {}
    specs = []
    for word, nation in zip(words, nations, strict=True):
        sector = rng.choice(list(SECTORS))
        taken = numbers.setdefault(nation, set())
        while (number := _registration_number(rng, nation)).replace(" ", "").replace("-", "").replace(".", "") in taken:
            pass
        taken.add(number.replace(" ", "").replace("-", "").replace(".", ""))
        specs.append(
            {
                "name": f"{word} {sector}",
                "legal_name": f"{word} {sector} {LEGAL_FORMS[nation]}",
                "registration_number": number,
                "hq_nation": nation,
                "size": rng.choices(["micro", "small", "medium", "large"], weights=[40, 40, 15, 5])[0],
                "age": rng.randint(1, 15),
                "website": f"https://{word.lower()}-{sector.lower()}.example",
                "description": SECTORS[sector][0],
            }
        )
    return tuple(specs)


@transaction.atomic
def _seed_organisations() -> bool:
    if demo_organisations().exists():
        return False
    rng = random.Random(SEED + 1)
    this_year = timezone.now().year
    specs = _organisation_specs()
    organisations = [
        Organisation(
            **{key: value for key, value in spec.items() if key != "age"}, year_founded=this_year - spec["age"]
        )
        for spec in specs
    ]
    Organisation.objects.bulk_create(organisations)
    # One founder each, and a colleague in every third company. They cannot sign in.
    people = []
    for index, organisation in enumerate(organisations):
        domain = organisation.website.removeprefix("https://")
        for role in [MemberRole.OWNER, MemberRole.MEMBER][: 2 if index % 3 == 0 else 1]:
            given, family = rng.choice(GIVEN_NAMES), rng.choice(FAMILY_NAMES)
            person = User(
                email=f"{_ascii(given)}.{_ascii(family).replace(' ', '')}@{domain}",
                full_name=f"{given} {family}",
                nation=organisation.hq_nation,
            )
            person.set_unusable_password()
            people.append((organisation, role, person))
    # Two colleagues of one company may draw the same name: the founder keeps it.
    unique: dict[str, tuple[Organisation, str, User]] = {}
    for organisation, role, person in people:
        unique.setdefault(person.email, (organisation, role, person))
    User.objects.bulk_create([person for _, _, person in unique.values()])
    Membership.objects.bulk_create(
        [
            Membership(organisation=organisation, user=person, role=role)
            for organisation, role, person in unique.values()
        ]
    )
    return True


# --- Application texts ---------------------------------------------------------------------------------


def _area(challenge: Challenge, challenges: list[Challenge]) -> dict[str, list]:
    """The text pool of a challenge: by its slug for the demo's ten, else by its position."""
    if challenge.slug in AREAS:
        return AREAS[challenge.slug]
    pools = list(AREAS.values())
    return pools[challenges.index(challenge) % len(pools)]


def _challenge_for(rng: random.Random, organisation: Organisation, challenges: list[Challenge]) -> Challenge:
    """Mostly a challenge that fits what the company does; sometimes a stretch."""
    sector = organisation.name.rsplit(" ", 1)[-1]
    fitting = [c for c in challenges if c.slug in SECTORS.get(sector, ("", []))[1]]
    return rng.choice(fitting if fitting and rng.random() < 0.85 else challenges)


def _funding_text(rng: random.Random, funding: int) -> str:
    parts = [f"EUR {funding * share // 100:,} for {use}" for share, use in rng.choice(FUNDING_SPLITS)]
    return f"We request EUR {funding:,}: " + ", ".join(parts[:-1]) + f" and {parts[-1]}."


def _answers(rng: random.Random, area: dict[str, list], trl: int, funding: int) -> dict:
    """One application's sections, each composed from several sentence pools."""
    title, product = rng.choice(area["titles"])
    if rng.random() < 0.5:
        title = f"{rng.choice(CODE_NAMES)}: {title}"
    civil, risk = rng.choice(area["civil"]), rng.choice(area["risk"])
    people = rng.randint(4, 40)
    numbers = {
        "market": rng.choice([120, 250, 400, 800, 1500]),
        "pilots": rng.randint(2, 6),
        "revenue": rng.randint(80, 900),
        "seed": rng.choice(["1.2", "2.5", "3", "4.8"]),
        "people": people,
        "engineers": max(2, people * 2 // 3),
        "allies": rng.randint(3, 12),
        "units": rng.choice([40, 60, 120, 200, 300, 500, 1000, 2500]),
        "when": rng.choice(["the spring", "the autumn", "next year"]),
        "milestones": rng.randint(3, 6),
        "months": rng.choice([6, 9, 12, 18]),
        "civil": civil,
        "risk": risk,
    }

    def sentences(*pools: list[str]) -> str:
        return " ".join(text for pool in pools if (text := rng.choice(pool).format(**numbers)))

    return {
        "title": title[:200],
        "summary": f"We are building {product}. {rng.choice(GOALS)}",
        "solution": f"We are building {product}. " + sentences(area["how"], DIFFERENTIATORS),
        "defence_relevance": sentences(area["defence"], DEFENCE_FIT, DEFENCE_SCALE),
        "dual_use": sentences(DUAL_USE),
        "technical_feasibility": sentences(FEASIBILITY_EVIDENCE, FEASIBILITY_RISK, FEASIBILITY_PLAN),
        "commercial_viability": sentences(COMMERCIAL_MARKET, COMMERCIAL_MODEL, COMMERCIAL_TRACTION),
        "team": sentences(TEAM_FOUNDERS, TEAM_SIZE, TEAM_ADVISORS),
        "trl": trl,
        "trl_justification": f"TRL {trl}, {TRL_DEFINITIONS[trl]}. " + sentences(TRL_EVIDENCE[trl], TRL_NEXT),
        "funding_requested_eur": funding,
        "funding_justification": _funding_text(rng, funding),
    }


# --- Application dates -----------------------------------------------------------------------------------


def _second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    return _second(start + (end - start) * rng.uniform(0.05, 0.95))


def _days_after(rng: random.Random, start: datetime, limit: datetime, low: float, high: float) -> datetime:
    """Some days after `start`, or somewhere before `limit` if that comes first."""
    wanted = start + timedelta(days=rng.uniform(low, high))
    return _second(wanted) if wanted < limit else _between(rng, start, limit)


def _submitted_at(rng: random.Random, programme: Programme, now: datetime) -> datetime:
    """Submissions bunch up before the deadline, as every call's do."""
    end = min(now, programme.closes_at) - timedelta(minutes=1)
    span = max((end - programme.opens_at).total_seconds(), 60)
    return _second(programme.opens_at + timedelta(seconds=span * (1 - rng.random() ** 3)))


def _set_dates(rng: random.Random, application: Application, now: datetime) -> None:
    """Started days before submission, withdrawn days after: the timeline of a real team.
    Withdrawals in a closed call come before reviewers are assigned (the day after the close)."""
    programme = application.programme
    window_end = min(now, programme.closes_at) - timedelta(hours=1)
    submitted = application.status != S.DRAFT and not (application.status == S.WITHDRAWN and rng.random() < 0.3)
    if submitted:
        application.submitted_at = _submitted_at(rng, programme, now)
        started = application.submitted_at - timedelta(days=rng.uniform(1, 24))
        application.created_at = max(started, programme.opens_at + timedelta(hours=rng.uniform(1, 30)))
        application.created_at = _second(min(application.created_at, application.submitted_at - timedelta(hours=2)))
    else:
        application.created_at = _between(rng, programme.opens_at, window_end)
    if application.status == S.WITHDRAWN:
        limit = min(now, programme.closes_at + DAY)
        application.withdrawn_at = _days_after(rng, application.submitted_at or application.created_at, limit, 2, 20)
    application.updated_at = application.withdrawn_at or application.submitted_at or application.created_at
    if application.status in DECIDED:
        application.updated_at = min(programme.decision_at, now)
    elif application.status == S.IN_REVIEW:
        application.updated_at = min(programme.closes_at + DAY, now)


# --- Applications ------------------------------------------------------------------------------------


@transaction.atomic
def _seed_applications(programme: Programme, state_weights: dict[ApplicationStatus, int]) -> int:
    demo_orgs = demo_organisations().order_by("id")
    if Application.objects.filter(programme=programme, organisation__in=demo_orgs).exists():
        return 0
    challenges = list(programme.challenges.filter(published=True).order_by("order", "id"))
    if not challenges:
        return 0
    # Seeded by the programme's year: each call has its own applicants and answers,
    # and the same ones every time it is seeded.
    rng = random.Random(SEED + programme.year)
    now = timezone.now()
    owners = dict(
        Membership.objects.filter(organisation__in=demo_orgs, role=MemberRole.OWNER).values_list(
            "organisation_id", "user_id"
        )
    )
    states = list(state_weights)
    rows: list[Application] = []
    for organisation in demo_orgs:
        if rng.random() < 0.1:
            continue  # some companies register and never apply
        challenge = _challenge_for(rng, organisation, challenges)
        status = rng.choices(states, weights=list(state_weights.values()))[0]
        low, high = challenge.trl_min or 1, challenge.trl_max or 9
        trl, funding = rng.randint(low, high), rng.choice([100_000, 100_000, 100_000, 95_000, 90_000, 75_000])
        problems: list[dict] = []
        if status == S.INELIGIBLE:
            if rng.random() < 0.5 and high < 9:
                trl = high + 1
                problems.append(Problem("trl", {"min": low, "max": high, "trl": trl}).as_dict())
            else:
                funding = rng.choice([120_000, 150_000, 250_000])
                problems.append(
                    Problem("funding", {"requested": funding, "grant": programme.phase1_grant_eur}).as_dict()
                )
        application = Application(
            organisation=organisation,
            programme=programme,
            challenge=challenge,
            created_by_id=owners[organisation.pk],
            status=status,
            nation=organisation.hq_nation,
            **_answers(rng, _area(challenge, challenges), trl, funding),
        )
        if status == S.DRAFT and rng.random() < 0.5:
            application.team = application.commercial_viability = ""  # half-finished drafts
        _set_dates(rng, application, now)
        if application.submitted_at:
            application.eligibility = Eligibility.INELIGIBLE if problems else Eligibility.ELIGIBLE
            application.eligibility_problems = problems
            if status == S.SUBMITTED:
                application.eligibility = Eligibility.NOT_CHECKED
        rows.append(application)

    _save(rows)
    _attach_files(rows, rng)
    _record_history(rows)
    return len(rows)


def _save(rows: list[Application]) -> None:
    """Insert, then put back the dates that auto_now and auto_now_add overwrote."""
    _number(rows)
    dates = [(application.created_at, application.updated_at) for application in rows]
    Application.objects.bulk_create(rows)
    for application, (created_at, updated_at) in zip(rows, dates, strict=True):
        application.created_at, application.updated_at = created_at, updated_at
    Application.objects.bulk_update(rows, ["created_at", "updated_at"], batch_size=500)


def _number(rows: list[Application]) -> None:
    """References in submission order, taken from the same counter as real submissions."""
    submitted = sorted((a for a in rows if a.submitted_at is not None), key=lambda a: a.submitted_at or a.created_at)
    if not submitted:
        return
    year = submitted[0].programme.year
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    for application in submitted:
        counter.last_number += 1
        application.reference = f"DIANA-{year}-{counter.last_number:05d}"
    counter.save(update_fields=["last_number"])


def _pdf_for(application: Application, kind: str) -> bytes:
    """A short document in the shape of the real thing: a cover, then the application's
    own words. The same application gives the same bytes, so the SHA-256 holds."""
    organisation = application.organisation
    label = str(AttachmentKind(kind).label)
    cover = [
        application.title,
        f"{label}, {organisation.legal_name}",
        f"Challenge: {application.challenge.title}",
        "",
        application.summary,
    ]
    if kind == AttachmentKind.PITCH_DECK:
        pages = [
            cover,
            ["The problem and our solution", application.defence_relevance, "", application.solution],
            ["Market and business", application.commercial_viability, "", application.dual_use],
            ["The team", application.team, "", f"Contact: {organisation.website}"],
        ]
    else:
        pages = [
            cover,
            ["Technical approach", application.solution, "", application.technical_feasibility],
            ["Readiness and plan", application.trl_justification, "", application.funding_justification],
        ]
    return make_pdf_pages([page for page in pages if any(page[1:])], title=f"{label}: {application.title}")


def _attach_files(rows: list[Application], rng: random.Random) -> None:
    files = []
    for application in rows:
        kinds = []
        if application.status != S.DRAFT or rng.random() < 0.6:
            kinds.append(AttachmentKind.PITCH_DECK)
        if rng.random() < 0.3:
            kinds.append(AttachmentKind.TECHNICAL_ANNEX)
        for kind in kinds:
            content = _pdf_for(application, kind)
            stored_name, size, sha256 = attachments.store([content])
            # Uploaded while the draft was being written, before it was submitted.
            end = application.submitted_at or application.withdrawn_at or application.updated_at
            company = _ascii(application.organisation.name).replace(" ", "-")
            files.append(
                Attachment(
                    application=application,
                    kind=kind,
                    original_name=f"{company}-{kind.replace('_', '-')}.pdf",
                    stored_name=stored_name,
                    size=size,
                    sha256=sha256,
                    uploaded_by_id=application.created_by_id,
                    uploaded_at=_between(rng, application.created_at, end),
                )
            )
    Attachment.objects.bulk_create(files)


def _record_history(rows: list[Application]) -> None:
    """The audit rows the real services would have written, so timelines read true.
    (Bulk-created for speed: demo data only; the portal writes through audit_record.)"""
    events = []
    label = Application._meta.label_lower
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    now = timezone.now()
    for application in rows:
        target = {"target_type": label, "target_id": str(application.pk)}
        owner = {"actor_id": application.created_by_id}
        events.append(
            AuditEvent(
                at=application.created_at, action="application.create", after={"status": "draft"}, **owner, **target
            )
        )
        if application.submitted_at:
            submitted = {"status": "submitted", "reference": application.reference}
            events.append(
                AuditEvent(
                    at=application.submitted_at,
                    action="application.submit",
                    before={"status": "draft"},
                    after=submitted,
                    **owner,
                    **target,
                )
            )
            if application.eligibility != Eligibility.NOT_CHECKED:
                # The automatic check, in the same transaction as the submission: no actor.
                outcome = "ineligible" if application.eligibility_problems else "eligible"
                events.append(
                    AuditEvent(
                        at=application.submitted_at,
                        action="application.eligibility",
                        before={"status": "submitted"},
                        after={"status": outcome, "problems": application.eligibility_problems},
                        **target,
                    )
                )
        if application.status in REVIEWED:
            # The programme manager assigns reviewers the day after the close and records
            # the decisions on decision day (a deferred one is still in review).
            programme = application.programme
            steps = [(programme.closes_at + DAY, "eligible", "in_review")]
            if application.status in DECIDED:
                steps.append((programme.decision_at, "in_review", application.status))
            events.extend(
                AuditEvent(
                    at=min(at, now),
                    actor=manager,
                    action="application.status",
                    before={"status": before},
                    after={"status": after},
                    **target,
                )
                for at, before, after in steps
            )
        if application.status == S.WITHDRAWN:
            assert application.withdrawn_at is not None
            events.append(
                AuditEvent(
                    at=application.withdrawn_at,
                    action="application.withdraw",
                    before={"status": "eligible" if application.submitted_at else "draft"},
                    after={"status": "withdrawn"},
                    **owner,
                    **target,
                )
            )
    AuditEvent.objects.bulk_create(events)


# --- The demo innovator ----------------------------------------------------------------------------------


def _challenge(challenges: list[Challenge], slug: str, fallback: int) -> Challenge:
    return next((challenge for challenge in challenges if challenge.slug == slug), challenges[fallback])


@transaction.atomic
def _seed_innovator(programme: Programme) -> None:
    """innovator@demo.example owns Fjordlys Sensing, whose application to the current
    call is submitted and eligible, and is a member of Havbris Robotics, whose draft
    to the same call they are writing. One application per organisation, so the
    draft can still be submitted (the programme's limit is 1 by default)."""
    user = User.objects.filter(email=INNOVATOR_EMAIL).first()
    if user is None:
        return
    own = Organisation.objects.filter(website=INNOVATOR_COMPANY["website"]).first() or organisation_create(
        by=user, **INNOVATOR_COMPANY
    )
    partner = Organisation.objects.filter(website=PARTNER_COMPANY["website"]).first()
    if partner is None:
        email, full_name = PARTNER_FOUNDER
        founder = User(email=email, full_name=full_name, nation="NO")
        founder.set_unusable_password()
        founder.save()
        partner = organisation_create(by=founder, **PARTNER_COMPANY)
        Membership.objects.create(organisation=partner, user=user, role=MemberRole.MEMBER)
    if Application.objects.filter(programme=programme, organisation__in=[own, partner]).exists():
        return
    challenges = list(programme.challenges.filter(published=True).order_by("order", "id"))
    if not challenges:
        return
    rng = random.Random(SEED + programme.year + 1)
    now = timezone.now()
    sensing = _challenge(challenges, "contested-electromagnetic-environments", 0)
    submitted = Application(
        organisation=own,
        programme=programme,
        challenge=sensing,
        created_by=user,
        nation=own.hq_nation,
        status=S.ELIGIBLE,
        eligibility=Eligibility.ELIGIBLE,
        **_answers(rng, _area(sensing, challenges), sensing.trl_max or 6, 100_000),
    )
    maritime = _challenge(challenges, "maritime-operations", -1)
    draft = Application(
        organisation=partner,
        programme=programme,
        challenge=maritime,
        created_by=user,
        nation=partner.hq_nation,
        **_answers(rng, _area(maritime, challenges), maritime.trl_min or 5, 90_000),
    )
    draft.commercial_viability = draft.team = ""
    _set_dates(rng, submitted, now)
    _set_dates(rng, draft, now)
    _save([submitted, draft])
    _attach_files([submitted], random.Random(0))
    _record_history([submitted, draft])


def _restore_missing_files() -> int:
    """If var/private was cleared but the database kept, write the demo PDFs again
    (their content, and so their SHA-256, is the same every time)."""
    restored = 0
    demo = Attachment.objects.filter(
        Q(application__organisation__in=demo_organisations())
        | Q(application__organisation__in=innovator_organisations())
    ).select_related("application__organisation", "application__challenge")
    for attachment in demo.iterator(chunk_size=500):
        path = attachment.path
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_bytes(_pdf_for(attachment.application, attachment.kind))
        restored += 1
    return restored
