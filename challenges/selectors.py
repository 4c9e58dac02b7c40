"""Reads used by the pages, the API and other apps. Each fixes its query shape."""

from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Count, F, Prefetch, Q, Sum
from django.utils import timezone

from accounts.models import User
from accounts.permissions import is_programme_manager
from challenges.models import (
    SEARCH_CONFIG,
    Challenge,
    ChallengeQuerySet,
    Programme,
    ProgrammeQuerySet,
    TechnologyArea,
)


def _is_staff(user) -> bool:
    return bool(user and is_programme_manager(user))


def programme_list_visible(*, user: User | AnonymousUser | None) -> ProgrammeQuerySet:
    """Programmes `user` may open: all for staff, published ones for everyone else
    (the rule of challenges.read_programme)."""
    programmes = Programme.objects.all()
    return programmes if _is_staff(user) else programmes.published()


def challenge_list_visible(*, user: User | AnonymousUser | None) -> ChallengeQuerySet:
    """Challenges `user` may open (the rule of challenges.read_challenge)."""
    challenges = Challenge.objects.select_related("programme")
    return challenges if _is_staff(user) else challenges.public()


def programme_list_open(*, now: datetime | None = None) -> ProgrammeQuerySet:
    """Published programmes accepting submissions at `now` (default: the server clock),
    the soonest deadline first, with the number of public challenges as `challenge_count`."""
    return (
        Programme.objects.open_at(now or timezone.now())
        .annotate(challenge_count=Count("challenges", filter=Q(challenges__published=True)))
        .order_by("closes_at", "title")
    )


def programme_list_published() -> ProgrammeQuerySet:
    """Every published programme, newest first, with `challenge_count`: the archive."""
    return (
        Programme.objects.published()
        .annotate(challenge_count=Count("challenges", filter=Q(challenges__published=True)))
        .order_by("-opens_at", "title")
    )


def programme_list_for_staff() -> ProgrammeQuerySet:
    return Programme.objects.annotate(
        challenge_count=Count("challenges", distinct=True),
        criterion_count=Count("criteria", distinct=True),
    ).order_by("-year", "-opens_at")


def programme_latest() -> Programme | None:
    """The most recent programme, the usual source of a clone."""
    return Programme.objects.order_by("-year", "-opens_at").first()


def technology_area_list() -> list[TechnologyArea]:
    return list(TechnologyArea.objects.order_by("order", "name"))


def _with_areas(challenges: ChallengeQuerySet) -> ChallengeQuerySet:
    return challenges.select_related("programme").prefetch_related(
        Prefetch("technology_areas", queryset=TechnologyArea.objects.order_by("order", "name"))
    )


def challenge_list_published(
    *,
    programme: Programme | None = None,
    area: TechnologyArea | None = None,
    trl: int | None = None,
    search: str = "",
    current_at: datetime | None = None,
) -> ChallengeQuerySet:
    """The public catalogue: published challenges of published programmes.

    `current_at` keeps the programmes still open or upcoming at that instant
    (closed calls are the archive). `trl` keeps the challenges whose range accepts that readiness level.
    `search` is PostgreSQL full-text search over title, summary and statement
    (web-search syntax: quotes, OR, -word), ranked best first; without it the
    newest programme comes first, then each programme's display order.
    """
    challenges = _with_areas(Challenge.objects.public())
    if programme is not None:
        challenges = challenges.filter(programme=programme)
    if current_at is not None:
        challenges = challenges.filter(programme__closes_at__gt=current_at)
    if area is not None:
        # One area per filter: the join cannot repeat a challenge.
        challenges = challenges.filter(technology_areas=area)
    if trl is not None:
        challenges = challenges.filter(trl_min__lte=trl, trl_max__gte=trl)
    search = search.strip()
    if search:
        query = SearchQuery(search, search_type="websearch", config=SEARCH_CONFIG)
        return (
            challenges.filter(search_vector=query)
            .annotate(rank=SearchRank(F("search_vector"), query))
            .order_by("-rank", "-programme__opens_at", "order", "title")
        )
    return challenges.order_by("-programme__opens_at", "order", "title")


def challenge_list_for_programme(
    *, programme: Programme, include_unpublished: bool = False, with_application_counts: bool = False
) -> ChallengeQuerySet:
    challenges = _with_areas(Challenge.objects.filter(programme=programme))
    if not include_unpublished:
        challenges = challenges.filter(published=True)
    if with_application_counts:
        # `application_count`: the staff page shows which challenges cannot be deleted, in this one query.
        challenges = challenges.annotate(application_count=Count("applications"))
    return challenges.order_by("order", "title")


def challenge_application_count(*, challenge: Challenge) -> int:
    """Applications in any state, drafts included, that keep `challenge` from being deleted."""
    return Challenge.objects.filter(pk=challenge.pk).aggregate(count=Count("applications"))["count"]


def challenge_get_visible(
    *, user: User | AnonymousUser | None, programme_slug: str, challenge_slug: str
) -> Challenge | None:
    return (
        _with_areas(challenge_list_visible(user=user))
        .filter(programme__slug=programme_slug, slug=challenge_slug)
        .first()
    )


def programme_list_for_api(*, user: User | AnonymousUser | None) -> ProgrammeQuerySet:
    """The programmes `user` may open (published ones unless staff), newest first, with
    their figures: `challenge_count` and `expected_awards` over the published challenges."""
    published = Q(challenges__published=True)
    return (
        programme_list_visible(user=user)
        .annotate(
            challenge_count=Count("challenges", filter=published),
            expected_awards=Sum("challenges__expected_awards", filter=published),
        )
        .order_by("-opens_at", "title")
    )


def challenge_list_for_api(*, user: User | AnonymousUser | None) -> ChallengeQuerySet:
    """The challenges `user` may open, with their programme and areas, in catalogue order."""
    return _with_areas(challenge_list_visible(user=user)).order_by("-programme__opens_at", "order", "title", "id")
