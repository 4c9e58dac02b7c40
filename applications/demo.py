"""Demo data for applications: several hundred made-up organisations from across the
Alliance and their applications, in every state, to the current programme.

Runs from `seed_demo` on every `make run`, so it is idempotent and fast: rows are
bulk-created, and a second run only checks that the attachment files exist.
Every company here is fictional: names end in "(demo)" and registration numbers
start with "DEMO-". Never run in production (DESIGN §10).
"""

# ruff: noqa: S311 - seeded pseudo-random choices make the demo data repeatable; nothing here is secret.
import random
from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import AuditEvent, User
from applications import attachments
from applications.eligibility import Problem
from applications.enums import ApplicationStatus, AttachmentKind, Eligibility, MemberRole
from applications.minipdf import make_pdf
from applications.models import Application, Attachment, Membership, Organisation, ReferenceCounter
from applications.services import organisation_create
from challenges.models import Programme

S = ApplicationStatus
DEMO_PREFIX = "DEMO-"
ORGANISATION_COUNT = 420
SEED = 2025

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

FIRST_WORDS = [
    "Aurora", "Borealis", "Cobalt", "Delta", "Ember", "Fjord", "Granite", "Harbour", "Ion", "Juniper",
    "Kestrel", "Lumen", "Meridian", "Nimbus", "Orion", "Polar", "Quartz", "Riven", "Sable", "Tundra",
    "Umbra", "Vector", "Waypoint", "Xenon", "Yarrow", "Zenith", "Atlas", "Beacon", "Cirrus", "Drift",
]  # fmt: skip
SECOND_WORDS = [
    "Quantum", "Photonics", "Robotics", "Sensing", "Systems", "Dynamics", "Materials", "Analytics",
    "Power", "Orbital", "Labs", "Autonomy", "Signals", "Biotech", "Networks", "Propulsion", "Cyber",
    "Microgrid", "Acoustics", "Hydrogen",
]  # fmt: skip
GIVEN_NAMES = [
    "Alex", "Sam", "Jordan", "Maria", "Jan", "Elif", "Luca", "Ingrid", "Anna", "Piotr", "Emma", "Mehmet",
    "Sofia", "Lars", "Chloé", "Jonas", "Aino", "Tomas", "Eva", "Mateo", "Noah", "Zeynep", "Marta", "Olav",
]  # fmt: skip
FAMILY_NAMES = [
    "Smith", "Tremblay", "Jones", "Kowalski", "Yılmaz", "Rossi", "Hansen", "Müller", "Martin", "de Vries",  # noqa: RUF001 - a Turkish name, dotless i
    "García", "Jensen", "Tamm", "Virtanen", "Andersson", "Peeters", "Novák", "Popescu", "Silva", "Papadopoulos",
]  # fmt: skip
TECHNOLOGIES = [
    "passive radar", "solid-state batteries", "quantum magnetometry", "swarm autonomy", "edge AI",
    "hydrogen fuel cells", "optical inter-satellite links", "biosensors for fatigue", "metamaterial antennas",
    "resilient mesh radios", "GNSS-free navigation", "synthetic-aperture sonar", "thermal camouflage",
]  # fmt: skip

# The share of applications in each state. An open call has drafts and checked
# submissions; a closed call has its outcomes (about one application in twenty-five
# selected, as in 2024: 74 of 2,600), plus a few decisions still pending. Together the
# two calls show every state.
OPEN_CALL_STATES: dict[ApplicationStatus, int] = {
    S.DRAFT: 30, S.SUBMITTED: 2, S.ELIGIBLE: 52, S.INELIGIBLE: 10, S.WITHDRAWN: 4,
}  # fmt: skip
CLOSED_CALL_STATES: dict[ApplicationStatus, int] = {
    S.DRAFT: 6, S.INELIGIBLE: 10, S.IN_REVIEW: 3, S.SELECTED: 5, S.RESERVE: 4, S.REJECTED: 68, S.WITHDRAWN: 4,
}  # fmt: skip

INNOVATOR_EMAIL = "innovator@demo.example"


def seed(log) -> None:
    created = _seed_organisations()
    total = Organisation.objects.filter(registration_number__startswith=DEMO_PREFIX).count()
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


# --- Organisations ---------------------------------------------------------------------------------


def _company_names(rng: random.Random, count: int) -> list[str]:
    names: set[str] = set()
    while len(names) < count:
        names.add(f"{rng.choice(FIRST_WORDS)} {rng.choice(SECOND_WORDS)}")
    return sorted(names)


@transaction.atomic
def _seed_organisations() -> bool:
    if Organisation.objects.filter(registration_number__startswith=DEMO_PREFIX).exists():
        return False
    rng = random.Random(SEED)
    nations = rng.choices(list(NATION_WEIGHTS), weights=list(NATION_WEIGHTS.values()), k=ORGANISATION_COUNT)
    names = _company_names(rng, ORGANISATION_COUNT)
    rng.shuffle(names)
    this_year = timezone.now().year
    organisations = [
        Organisation(
            name=f"{name} {LEGAL_FORMS[nation]} (demo)",
            legal_name=f"{name} {LEGAL_FORMS[nation]}",
            registration_number=f"{DEMO_PREFIX}{nation}-{100000 + index}",
            hq_nation=nation,
            size=rng.choices(["micro", "small", "medium", "large"], weights=[40, 40, 15, 5])[0],
            year_founded=rng.randint(this_year - 15, this_year - 1),
            website=f"https://{name.lower().replace(' ', '-')}.demo.example",
            description="A fictional company generated for the DIANA portal demo.",
        )
        for index, (name, nation) in enumerate(zip(names, nations, strict=True))
    ]
    Organisation.objects.bulk_create(organisations)
    # One founder each, and a colleague in every third company. They cannot sign in.
    people = []
    for index, organisation in enumerate(organisations):
        slug = organisation.website.removeprefix("https://").removesuffix(".demo.example")
        for role, local in [(MemberRole.OWNER, "founder"), (MemberRole.MEMBER, "cto")][: 2 if index % 3 == 0 else 1]:
            person = User(
                email=f"{local}@{slug}.demo.example",
                full_name=f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
                nation=organisation.hq_nation,
            )
            person.set_unusable_password()
            people.append((organisation, role, person))
    User.objects.bulk_create([person for _, _, person in people])
    Membership.objects.bulk_create(
        [Membership(organisation=organisation, user=person, role=role) for organisation, role, person in people]
    )
    return True


# --- Applications ------------------------------------------------------------------------------------


def _answers(rng: random.Random, organisation: Organisation, challenge, trl: int, funding: int) -> dict:
    technology = rng.choice(TECHNOLOGIES)
    return {
        "title": f"{technology[0].upper()}{technology[1:]} for {challenge.title.lower()}",
        "summary": f"{organisation.name} applies {technology} to {challenge.title.lower()}: "
        "a fielded prototype within the accelerator's six months.",
        "solution": f"We build {technology} into a rugged unit that a small team can deploy in an hour. "
        "It runs without a network link and reports through existing command systems.",
        "defence_relevance": "Brigade and battalion units operating far from fixed infrastructure.",
        "dual_use": "Emergency services, offshore energy and remote industrial sites.",
        "technical_feasibility": "Lab prototype validated; the main risk is performance in extreme cold.",
        "commercial_viability": "Three pilot customers in civil markets; hardware sale plus a service contract.",
        "team": "Founders with defence and start-up experience; twelve engineers across two sites.",
        "trl": trl,
        "trl_justification": f"TRL {trl}: demonstrated in a relevant environment during 2025 field trials.",
        "funding_requested_eur": funding,
        "funding_justification": "Ruggedisation, certification testing and a trial with a NATO unit.",
    }


def _submitted_at(rng: random.Random, programme: Programme, now: datetime) -> datetime:
    """Submissions bunch up before the deadline, as every call's do."""
    end = min(now, programme.closes_at) - timedelta(minutes=1)
    span = max((end - programme.opens_at).total_seconds(), 60)
    return programme.opens_at + timedelta(seconds=span * (1 - rng.random() ** 3))


@transaction.atomic
def _seed_applications(programme: Programme, state_weights: dict[ApplicationStatus, int]) -> int:
    demo_orgs = Organisation.objects.filter(registration_number__startswith=DEMO_PREFIX).order_by("id")
    if Application.objects.filter(programme=programme, organisation__in=demo_orgs).exists():
        return 0
    challenges = list(programme.challenges.filter(published=True).order_by("order", "id"))
    if not challenges:
        return 0
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
        challenge = rng.choice(challenges)
        status = rng.choices(states, weights=list(state_weights.values()))[0]
        low, high = challenge.trl_min or 1, challenge.trl_max or 9
        trl, funding = rng.randint(low, high), rng.choice([100_000, 100_000, 95_000, 80_000])
        problems: list[dict] = []
        if status == S.INELIGIBLE:
            if rng.random() < 0.5 and high < 9:
                trl = high + 1
                problems.append(Problem("trl", {"min": low, "max": high, "trl": trl}).as_dict())
            else:
                funding = 150_000
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
            **_answers(rng, organisation, challenge, trl, funding),
        )
        if status == S.DRAFT and rng.random() < 0.5:
            application.team = application.commercial_viability = ""  # half-finished drafts
        if status != S.DRAFT and not (status == S.WITHDRAWN and rng.random() < 0.3):
            application.submitted_at = _submitted_at(rng, programme, now)
            application.eligibility = Eligibility.INELIGIBLE if problems else Eligibility.ELIGIBLE
            application.eligibility_problems = problems
            if status == S.SUBMITTED:
                application.eligibility = Eligibility.NOT_CHECKED
        if status == S.WITHDRAWN:
            last_day = min(now, programme.closes_at) - timedelta(days=2)
            application.withdrawn_at = max(application.submitted_at or programme.opens_at, last_day)
        rows.append(application)

    _number(rows, programme.year)
    Application.objects.bulk_create(rows)
    _attach_files(rows, rng)
    _record_history(rows)
    return len(rows)


def _number(rows: list[Application], year: int) -> None:
    """References in submission order, taken from the same counter as real submissions."""
    submitted = sorted((a for a in rows if a.submitted_at is not None), key=lambda a: a.submitted_at or a.created_at)
    ReferenceCounter.objects.bulk_create([ReferenceCounter(year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    for application in submitted:
        counter.last_number += 1
        application.reference = f"DIANA-{year}-{counter.last_number:05d}"
    counter.save(update_fields=["last_number"])


def _pdf_for(application: Application, kind: str) -> bytes:
    label = AttachmentKind(kind).label
    return make_pdf(
        [
            f"{label}: {application.title}"[:90],
            f"{application.organisation.name}",
            f"Challenge: {application.challenge.title}",
            "Fictional demo document generated by seed_demo.",
        ],
        title=f"{label} - {application.organisation.name}",
    )


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
            files.append(
                Attachment(
                    application=application,
                    kind=kind,
                    original_name=f"{kind.replace('_', '-')}.pdf",
                    stored_name=stored_name,
                    size=size,
                    sha256=sha256,
                    uploaded_by_id=application.created_by_id,
                    uploaded_at=application.submitted_at or timezone.now(),
                )
            )
    Attachment.objects.bulk_create(files)


def _record_history(rows: list[Application]) -> None:
    """The audit rows the real services would have written, so timelines read true.
    (Bulk-created for speed: demo data only; the portal writes through audit_record.)"""
    events = []
    label = Application._meta.label_lower
    for application in rows:
        target = {"target_type": label, "target_id": str(application.pk)}
        start = (application.submitted_at or timezone.now()) - timedelta(days=3)
        events.append(
            AuditEvent(
                at=start,
                actor_id=application.created_by_id,
                action="application.create",
                after={"status": "draft"},
                **target,
            )
        )
        if application.submitted_at:
            events.append(
                AuditEvent(
                    at=application.submitted_at,
                    actor_id=application.created_by_id,
                    action="application.submit",
                    before={"status": "draft"},
                    after={"status": "submitted", "reference": application.reference},
                    **target,
                )
            )
            if application.eligibility != Eligibility.NOT_CHECKED:
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
        if application.status in {S.IN_REVIEW, S.SELECTED, S.RESERVE, S.REJECTED}:
            # Reviewers are assigned the day after the call closes; decisions come on decision day.
            programme = application.programme
            steps = [(programme.closes_at + timedelta(days=1), "eligible", "in_review")]
            if application.status != S.IN_REVIEW:
                steps.append((programme.decision_at, "in_review", application.status))
            events.extend(
                AuditEvent(
                    at=min(at, timezone.now()),
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
                    actor_id=application.created_by_id,
                    action="application.withdraw",
                    before={"status": "eligible" if application.submitted_at else "draft"},
                    after={"status": "withdrawn"},
                    **target,
                )
            )
    AuditEvent.objects.bulk_create(events)


# --- The demo innovator ----------------------------------------------------------------------------------


@transaction.atomic
def _seed_innovator(programme: Programme) -> None:
    """innovator@demo.example owns "Fjordlys Sensing AS (demo)", with one submitted
    application and one draft, so the demo shows both sides of the deadline."""
    user = User.objects.filter(email=INNOVATOR_EMAIL).first()
    if user is None:
        return
    organisation = Organisation.objects.filter(registration_number=f"{DEMO_PREFIX}NO-FJORDLYS").first()
    if organisation is None:
        organisation = organisation_create(
            by=user,
            name="Fjordlys Sensing AS (demo)",
            legal_name="Fjordlys Sensing AS",
            registration_number=f"{DEMO_PREFIX}NO-FJORDLYS",
            hq_nation="NO",
            size="small",
            year_founded=2019,
            website="https://fjordlys-sensing.demo.example",
            description="Fictional demo company: passive radar and acoustic sensing for the High North.",
        )
    if organisation.applications.filter(programme=programme).exists():
        return
    challenges = list(programme.challenges.filter(published=True).order_by("order", "id")[:2])
    if not challenges:
        return
    rng = random.Random(SEED)
    submitted_at = _submitted_at(rng, programme, timezone.now())
    submitted = Application(
        organisation=organisation,
        programme=programme,
        challenge=challenges[0],
        created_by=user,
        nation="NO",
        status=S.ELIGIBLE,
        eligibility=Eligibility.ELIGIBLE,
        submitted_at=submitted_at,
        **_answers(rng, organisation, challenges[0], challenges[0].trl_min or 5, 100_000),
    )
    _number([submitted], programme.year)
    draft = Application(
        organisation=organisation,
        programme=programme,
        challenge=challenges[-1],
        created_by=user,
        nation="NO",
        **_answers(rng, organisation, challenges[-1], challenges[-1].trl_min or 5, 90_000),
    )
    draft.commercial_viability = draft.team = ""
    Application.objects.bulk_create([submitted, draft])
    _attach_files([submitted], random.Random(0))
    _record_history([submitted, draft])


def _restore_missing_files() -> int:
    """If var/private was cleared but the database kept, write the demo PDFs again
    (their content, and so their SHA-256, is the same every time)."""
    restored = 0
    demo = Attachment.objects.filter(
        application__organisation__registration_number__startswith=DEMO_PREFIX
    ).select_related("application__organisation", "application__challenge")
    for attachment in demo.iterator(chunk_size=500):
        path = attachment.path
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.write_bytes(_pdf_for(attachment.application, attachment.kind))
        restored += 1
    return restored
