"""Pages of the applicant and staff sides. Thin: parse, check, call, render.

Access: the applicant pages open objects through `application_list_for_member`
and `organisation_list_for_user`, so another organisation's application answers
404, as DESIGN §4 asks. Staff pages answer 404 to everyone but programme managers.
"""

from functools import cache, wraps
from urllib.parse import urlencode

import rules
from defusedcsv import csv
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import audit_trail
from accounts.models import User
from accounts.permissions import is_programme_manager
from applications import attachments, eligibility, selectors, services
from applications.attachments import AttachmentRejected, UploadGuard
from applications.enums import APPLICANT_WITHDRAWABLE, ApplicationStatus, AttachmentKind, TransitionError
from applications.forms import (
    AttachmentForm,
    EligibilityOverrideForm,
    InvitationForm,
    OrganisationForm,
    StaffApplicationFilter,
    WithdrawForm,
    section_form_class,
)
from applications.models import Application, Attachment, Invitation, Membership, Organisation
from applications.sections import ATTACHMENTS_SLUG, SECTIONS, SECTIONS_BY_SLUG, application_progress
from challenges.models import Challenge, Programme

STAFF_PAGE_SIZE = 50


class SignedInRequest(HttpRequest):
    """What login_required, signed_in_or_404 and staff_required guarantee."""

    user: User


def _label(name: str) -> str:
    return str(getattr(Application._meta.get_field(name), "verbose_name", name))


# --- Helpers --------------------------------------------------------------------------------------


def _member_application(request: SignedInRequest, pk: int) -> Application:
    """The application, with its attachments, if the user is a member of its organisation; else 404."""
    queryset = selectors.application_with_files(queryset=selectors.application_list_for_member(user=request.user))
    return get_object_or_404(queryset, pk=pk)


def _member_organisation(request: SignedInRequest, pk: int) -> Organisation:
    return get_object_or_404(selectors.organisation_list_for_user(user=request.user), pk=pk)


def _owned_organisation(request: SignedInRequest, pk: int) -> Organisation:
    organisation = _member_organisation(request, pk)
    if not rules.has_perm("applications.change_organisation", request.user, organisation):
        raise PermissionDenied  # a member sees the organisation, but only the owner manages it
    return organisation


def _attachment_kinds(application: Application) -> set[str]:
    return {attachment.kind for attachment in application.attachments.all()}


def _safe_next(request: SignedInRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def staff_required(view):
    """Programme managers only. Anyone else signed in gets 404: the staff pages'
    existence is not their business. Anonymous visitors are sent to sign in, as on
    the challenges app's staff pages."""

    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_programme_manager(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def signed_in_or_404(view):
    """For pages about one object: an anonymous visitor gets the same 404 as anyone
    else who may not see it (DESIGN §4), not a sign-in page that confirms it exists."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@cache
def _section_form(slug: str):
    return section_form_class(slug)


# --- Organisations --------------------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: SignedInRequest) -> HttpResponse:
    organisations = selectors.organisation_list_for_user(user=request.user)
    return render(request, "applications/organisation_list.html", {"organisations": organisations})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: SignedInRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(by=request.user, **form.cleaned_data)
        except services.OrganisationExists as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("%(name)s is created. You are its owner.") % {"name": organisation.name})
            return redirect(_safe_next(request, organisation.get_absolute_url()))
    context = {"form": form, "next": _safe_next(request, ""), "creating": True}
    return render(request, "applications/organisation_form.html", context)


@signed_in_or_404
@require_GET
def organisation_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    organisation = _member_organisation(request, pk)
    is_owner = rules.has_perm("applications.manage_members", request.user, organisation)
    context = {
        "organisation": organisation,
        "is_owner": is_owner,
        "memberships": selectors.organisation_members(organisation=organisation),
        "invitations": selectors.organisation_pending_invitations(organisation=organisation) if is_owner else [],
        "applications": organisation.applications.select_related("challenge", "programme").order_by("-created_at"),
        "invite_form": InvitationForm(),
    }
    return render(request, "applications/organisation_detail.html", context)


@signed_in_or_404
@require_http_methods(["GET", "POST"])
def organisation_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    organisation = _owned_organisation(request, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        changed = {name: form.cleaned_data[name] for name in form.changed_data}
        # The form has already applied the values to the instance; the service re-reads and saves.
        organisation.refresh_from_db()
        try:
            services.organisation_update(organisation=organisation, by=request.user, **changed)
        except services.OrganisationExists as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The organisation profile is saved."))
            return redirect(organisation)
    return render(request, "applications/organisation_form.html", {"form": form, "organisation": organisation})


@signed_in_or_404
@require_POST
def organisation_invite(request: SignedInRequest, pk: int) -> HttpResponse:
    organisation = _owned_organisation(request, pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation, email=form.cleaned_data["email"], by=request.user
            )
        except services.ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("An invitation is on its way to %(email)s.") % {"email": invitation.email})
    else:
        messages.error(request, " ".join(str(error) for error in form.errors["email"]))
    return redirect(organisation)


@signed_in_or_404
@require_POST
def invitation_revoke(request: SignedInRequest, pk: int, invitation_id: int) -> HttpResponse:
    organisation = _owned_organisation(request, pk)
    invitation = get_object_or_404(organisation.invitations, pk=invitation_id)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except services.ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation to %(email)s is withdrawn.") % {"email": invitation.email})
    return redirect(organisation)


@signed_in_or_404
@require_POST
def membership_remove(request: SignedInRequest, pk: int, membership_id: int) -> HttpResponse:
    organisation = _owned_organisation(request, pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organisation=organisation, pk=membership_id
    )
    try:
        services.membership_remove(membership=membership, by=request.user)
    except services.ApplicationError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s is no longer a member.") % {"name": membership.user.get_full_name()})
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: SignedInRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("organisation", "invited_by"), token=token)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, by=request.user)
        except services.ApplicationError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation.name}
            )
            return redirect(invitation.organisation)
    return render(
        request,
        "applications/invitation_accept.html",
        {"invitation": invitation, "pending": invitation.is_pending()},
    )


# --- Applications: applicant side --------------------------------------------------------------------


@login_required
@require_GET
def application_list(request: SignedInRequest) -> HttpResponse:
    applications = selectors.application_list_for_member(user=request.user)
    has_organisation = selectors.organisation_list_for_user(user=request.user).exists()
    return render(
        request,
        "applications/application_list.html",
        {"applications": applications, "has_organisation": has_organisation},
    )


@login_required
@require_GET
def challenge_choose(request: SignedInRequest) -> HttpResponse:
    challenges = list(selectors.challenges_open_for_applications())
    programmes: dict[int, tuple[Programme, list[Challenge], list[selectors.LimitReached]]] = {}
    for challenge in challenges:
        programmes.setdefault(challenge.programme_id, (challenge.programme, [], []))[1].append(challenge)
    # Said before the applicant picks a challenge, not only at "Review and submit".
    for reached in selectors.limits_reached_for_member(
        user=request.user, programmes=[programme for programme, _c, _r in programmes.values()]
    ):
        programmes[reached.programme.pk][2].append(reached)
    return render(
        request,
        "applications/challenge_choose.html",
        {"challenges": challenges, "programmes": list(programmes.values()), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_start(request: SignedInRequest, challenge_id: int) -> HttpResponse:
    """Where the catalogue's "Apply" button leads: pick the organisation, start a draft."""
    challenge = get_object_or_404(Challenge.objects.public().select_related("programme"), pk=challenge_id)
    organisations = list(selectors.organisation_list_for_user(user=request.user))
    if request.method == "POST":
        chosen = next((o for o in organisations if str(o.pk) == request.POST.get("organisation")), None)
        if chosen is None:
            messages.error(request, _("Choose one of your organisations."))
        else:
            try:
                application, created = services.application_start(
                    organisation=chosen, challenge=challenge, by=request.user
                )
            except services.ApplicationError as error:
                messages.error(request, str(error))
            else:
                if not created:
                    messages.info(
                        request,
                        _("%(organisation)s already has a draft for this challenge: here it is.")
                        % {"organisation": chosen.name},
                    )
                first = SECTIONS[0].slug
                return redirect("applications:section", pk=application.pk, section=first)
    # The limit counts submissions (DESIGN §5), so a draft may still be started; the
    # applicant is told before starting, not only at "Review and submit".
    reached = {
        notice.organisation.pk: notice
        for notice in selectors.limits_reached_for_member(user=request.user, programmes=[challenge.programme])
    }
    choices = [(organisation, reached.get(organisation.pk)) for organisation in organisations]
    # Preselect an organisation that can still submit, if there is one.
    preselected = next((o for o, notice in choices if notice is None), organisations[0] if organisations else None)
    return render(
        request,
        "applications/application_start.html",
        {
            "challenge": challenge,
            "programme": challenge.programme,
            "organisations": organisations,
            "choices": choices,
            "preselected": preselected,
            "accepting": services.accepts_changes(challenge.programme, timezone.now()),
        },
    )


def _application_page_context(application: Application) -> dict:
    kinds = _attachment_kinds(application)
    progress = application_progress(application, kinds)
    return {
        "application": application,
        "progress": progress,
        "complete_count": sum(item.complete for item in progress),
        "editable": application.is_draft and services.accepts_changes(application.programme, timezone.now()),
    }


@signed_in_or_404
@require_GET
def application_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _member_application(request, pk)
    context = _application_page_context(application)
    context.update(
        {
            "attachments": application.attachments.all(),
            "timeline": selectors.application_timeline(application=application),
            "can_withdraw": application.status in APPLICANT_WITHDRAWABLE,
        }
    )
    return render(request, "applications/application_detail.html", context)


def _section_context(application: Application, section_slug: str, form, **extra) -> dict:
    context = _application_page_context(application)
    index = [section.slug for section in SECTIONS].index(section_slug)
    next_slug = SECTIONS[index + 1].slug if index + 1 < len(SECTIONS) else ATTACHMENTS_SLUG
    context.update(
        {
            "section": SECTIONS_BY_SLUG[section_slug],
            "form": form,
            "next_slug": next_slug,
            "previous_slug": SECTIONS[index - 1].slug if index else None,
            **extra,
        }
    )
    return context


@signed_in_or_404
@require_http_methods(["GET", "POST"])
def application_section(request: SignedInRequest, pk: int, section: str) -> HttpResponse:
    if section not in SECTIONS_BY_SLUG:
        raise Http404
    application = _member_application(request, pk)
    form_class = _section_form(section)
    if not application.is_draft or not services.accepts_changes(application.programme, timezone.now()):
        if request.method == "POST":
            messages.error(request, _("This application can no longer be changed."))
        return redirect(application)
    version = services.section_version(application, section)
    if request.method == "GET":
        form = form_class(instance=application, initial={"version": version})
        return render(request, "applications/application_section.html", _section_context(application, section, form))

    form = form_class(request.POST, instance=Application.objects.get(pk=application.pk))
    if not form.is_valid():
        return render(request, "applications/application_section.html", _section_context(application, section, form))
    try:
        services.application_update_section(
            application=application,
            section=section,
            values=form.values(),
            expected_version=form.cleaned_data["version"],
            by=request.user,
            settles_conflict=request.POST.get("settles_conflict") == "1",  # posted by the conflict page only
        )
    except services.StaleSection as stale:
        # Keep the applicant's text in the form, show the other member's beside it, and
        # move the form to the current version so that the next save goes through.
        theirs = [(_label(name), getattr(stale.application, name)) for name in SECTIONS_BY_SLUG[section].fields]
        data = request.POST.copy()
        data["version"] = str(services.section_version(stale.application, section))
        form = form_class(data, instance=Application.objects.get(pk=application.pk))
        form.is_valid()  # binds the applicant's text for display; nothing is saved
        context = _section_context(stale.application, section, form, stale=stale, theirs=theirs)
        return render(request, "applications/application_section.html", context, status=409)
    except services.ApplicationError as error:
        messages.error(request, str(error))
        return redirect(application)
    messages.success(request, _("Saved."))
    if "continue" in request.POST:
        next_slug = _section_context(application, section, form)["next_slug"]
        if next_slug == ATTACHMENTS_SLUG:
            return redirect("applications:attachments", pk=application.pk)
        return redirect("applications:section", pk=application.pk, section=next_slug)
    return redirect("applications:section", pk=application.pk, section=section)


@signed_in_or_404
@require_POST
def application_autosave(request: SignedInRequest, pk: int, section: str) -> HttpResponse:
    """htmx: save the section as the applicant types. Answers a status line and, out
    of band, the form's new version, so the next save is not mistaken for stale."""
    if section not in SECTIONS_BY_SLUG:
        raise Http404
    application = _member_application(request, pk)
    form = _section_form(section)(request.POST, instance=Application.objects.get(pk=application.pk))
    context: dict = {"section": section}
    if not form.is_valid():
        context["problem"] = _("Not saved yet: check the highlighted fields, then save.")
    else:
        try:
            saved = services.application_update_section(
                application=application,
                section=section,
                values=form.values(),
                expected_version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.StaleSection as stale:
            context["problem"] = _("Not saved: %(who)s has changed this section. Press Save to compare your texts.") % {
                "who": stale.saved_by or _("another member")
            }
            context["version"] = form.cleaned_data["version"]
        except services.ApplicationError as error:
            context["problem"] = str(error)
        else:
            context["saved_at"] = timezone.now()
            context["version"] = services.section_version(saved, section)
    return render(request, "applications/partials/autosave_status.html", context)


@csrf_exempt  # the CSRF check runs in _attachments_page, after the guard is installed
@signed_in_or_404
def application_attachments(request: SignedInRequest, pk: int) -> HttpResponse:
    # The guard must be first in line before anything reads the request body
    # (the CSRF check does): it records each file name as sent and caps sizes.
    guard = UploadGuard(request)
    request.upload_handlers.insert(0, guard)
    return _attachments_page(request, pk, guard)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _attachments_page(request: SignedInRequest, pk: int, guard: UploadGuard) -> HttpResponse:
    application = _member_application(request, pk)
    editable = application.is_draft and services.accepts_changes(application.programme, timezone.now())
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This application can no longer be changed."))
            return redirect(application)
        form.is_valid()
        upload = form.cleaned_data.get("file") if form.is_bound and not form.errors.get("kind") else None
        if guard.oversized:
            form.errors.pop("file", None)
            form.add_error("file", _("The file is larger than 20 MB. Compress the PDF or leave out large images."))
        elif upload is not None:
            try:
                services.attachment_upload(
                    application=application,
                    kind=form.cleaned_data["kind"],
                    file=upload,
                    name=guard.names[-1] if guard.names else upload.name,
                    by=request.user,
                )
            except AttachmentRejected as error:
                form.add_error("file", str(error))
            except services.ApplicationError as error:
                messages.error(request, str(error))
                return redirect(application)
            else:
                messages.success(
                    request,
                    _("%(kind)s uploaded.") % {"kind": AttachmentKind(form.cleaned_data["kind"]).label},
                )
                return redirect("applications:attachments", pk=application.pk)
    context = _application_page_context(application)
    context.update(
        {
            "form": form,
            "attachments": application.attachments.all(),
            "kinds": AttachmentKind,
            "previous_slug": SECTIONS[-1].slug,
        }
    )
    return render(request, "applications/application_attachments.html", context, status=400 if form.errors else 200)


@signed_in_or_404
@require_GET
def attachment_download(request: SignedInRequest, pk: int, attachment_id: int) -> FileResponse:
    """The only way to a file: permission checked, always a download, never sniffed."""
    attachment = get_object_or_404(
        selectors.attachment_list_for_user(user=request.user), pk=attachment_id, application_id=pk
    )
    try:
        handle = attachment.path.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # The name as uploaded, made safe to save on any common system; Django writes it
    # into Content-Disposition as RFC 6266 says (filename*=utf-8''... beyond ASCII).
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachments.download_name(attachment.original_name),
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@signed_in_or_404
@require_POST
def attachment_delete(request: SignedInRequest, pk: int, attachment_id: int) -> HttpResponse:
    application = _member_application(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_id, application=application)
    try:
        services.attachment_delete(attachment=attachment, by=request.user)
    except services.AttachmentGone as error:
        messages.error(request, str(error))
        return redirect("applications:attachments", pk=application.pk)
    except services.ApplicationError as error:
        messages.error(request, str(error))
        return redirect(application)
    messages.success(request, _("%(name)s removed.") % {"name": attachment.original_name})
    return redirect("applications:attachments", pk=application.pk)


@signed_in_or_404
@require_http_methods(["GET", "POST"])
def application_submit(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _member_application(request, pk)
    if not application.is_draft:
        return redirect(application)
    missing: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.application_submit(application=application, by=request.user)
        except services.IncompleteApplication as error:
            missing = error.missing
            messages.error(request, str(error))
        except (services.ApplicationError, TransitionError) as error:
            messages.error(request, str(error))
        else:
            return redirect("applications:confirmation", pk=application.pk)
    else:
        missing = services.application_missing(application)
    now = timezone.now()
    context = _application_page_context(application)
    context.update(
        {
            "missing": missing,
            "problems": eligibility.check(eligibility.facts_for(application)),
            "is_open": application.programme.is_open(now),
            "now": now,
        }
    )
    # A refused submission answers 400; the review page itself is an ordinary 200.
    status = 400 if request.method == "POST" else 200
    return render(request, "applications/application_submit.html", context, status=status)


@signed_in_or_404
@require_GET
def application_confirmation(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _member_application(request, pk)
    if application.reference is None:
        return redirect(application)
    return render(request, "applications/application_confirmation.html", {"application": application})


@signed_in_or_404
@require_http_methods(["GET", "POST"])
def application_withdraw(request: SignedInRequest, pk: int) -> HttpResponse:
    application = _member_application(request, pk)
    if application.status not in APPLICANT_WITHDRAWABLE:
        messages.error(request, _("This application cannot be withdrawn."))
        return redirect(application)
    was_draft = application.is_draft
    form = WithdrawForm(request.POST or None)
    if was_draft:
        form.fields["reason"].label = _("Why are you discarding it? (optional)")
    if request.method == "POST" and form.is_valid():
        try:
            services.application_withdraw(application=application, by=request.user, reason=form.cleaned_data["reason"])
        except TransitionError as error:
            messages.error(request, str(error))
        else:
            if was_draft:
                messages.success(request, _("The draft is discarded. A confirmation is on its way by e-mail."))
            else:
                messages.success(request, _("The application is withdrawn. A confirmation is on its way by e-mail."))
        return redirect(application)
    return render(request, "applications/application_withdraw.html", {"application": application, "form": form})


# --- Staff ------------------------------------------------------------------------------------------


@staff_required
@require_GET
def staff_index(request: SignedInRequest) -> HttpResponse:
    programmes = selectors.programmes_with_application_counts()
    return render(request, "applications/staff_index.html", {"programmes": programmes})


def _staff_filter(request: SignedInRequest, programme: Programme) -> StaffApplicationFilter:
    return StaffApplicationFilter(
        request.GET or None,
        queryset=selectors.application_list_for_staff(programme=programme),
        programme=programme,
    )


@staff_required
@require_GET
def staff_list(request: SignedInRequest, programme_slug: str) -> HttpResponse:
    programme = get_object_or_404(Programme, slug=programme_slug)
    filterset = _staff_filter(request, programme)
    paginator = Paginator(filterset.qs, STAFF_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "applications/staff_list.html",
        {
            "programme": programme,
            "filter": filterset,
            "page": page,
            "query": query.urlencode(),
            "export_url": reverse("applications:staff_export", args=[programme.slug])
            + ("?" + urlencode(query, doseq=True) if query else ""),
        },
    )


class _Echo:
    """A file-like object whose write returns the line: lets csv.writer stream."""

    def write(self, value: str) -> str:
        return value


EXPORT_COLUMNS = [
    "reference",
    "status",
    "eligibility",
    "eligibility_overridden",
    "organisation",
    "legal_name",
    "nation",
    "challenge",
    "title",
    "trl",
    "funding_requested_eur",
    "submitted_at",
    "withdrawn_at",
]


def _export_rows(queryset):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for application in queryset.iterator(chunk_size=2000):
        yield writer.writerow(
            [
                application.reference or "",
                application.status,
                application.eligibility,
                "yes" if application.eligibility_overridden else "no",
                application.organisation.name,
                application.organisation.legal_name,
                str(application.nation),
                application.challenge.title,
                application.title,
                application.trl if application.trl is not None else "",
                application.funding_requested_eur if application.funding_requested_eur is not None else "",
                application.submitted_at.isoformat() if application.submitted_at else "",
                application.withdrawn_at.isoformat() if application.withdrawn_at else "",
            ]
        )


@staff_required
@require_GET
def staff_export(request: SignedInRequest, programme_slug: str) -> StreamingHttpResponse:
    """CSV of the filtered list, streamed row by row; defusedcsv neutralises cells
    that a spreadsheet would run as a formula (=, +, -, @)."""
    programme = get_object_or_404(Programme, slug=programme_slug)
    queryset = _staff_filter(request, programme).qs.order_by("submitted_at", "id")
    response = StreamingHttpResponse(_export_rows(queryset), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="applications-{programme.slug}-{stamp}.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_required
@require_GET
def staff_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    return _staff_detail_page(request, pk, EligibilityOverrideForm())


def _staff_detail_page(
    request: SignedInRequest, pk: int, override_form: EligibilityOverrideForm, status: int = 200
) -> HttpResponse:
    application = get_object_or_404(
        Application.objects.select_related("organisation", "challenge", "programme", "created_by").prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by"))
        ),
        pk=pk,
    )
    kinds = _attachment_kinds(application)
    sections = [
        (section, [(name, _label(name), getattr(application, name)) for name in section.fields]) for section in SECTIONS
    ]
    return render(
        request,
        "applications/staff_detail.html",
        {
            "application": application,
            "sections": sections,
            "progress": application_progress(application, kinds),
            "timeline": audit_trail(application),
            "override_form": override_form,
            "can_override": application.status in {ApplicationStatus.ELIGIBLE, ApplicationStatus.INELIGIBLE},
            "members": selectors.organisation_members(organisation=application.organisation),
        },
        status=status,
    )


@staff_required
@require_POST
def staff_override(request: SignedInRequest, pk: int) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk)
    form = EligibilityOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.application_override_eligibility(
                application=application,
                eligible=form.cleaned_data["eligible"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except (services.ApplicationError, TransitionError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Eligibility overridden and recorded."))
            return redirect("applications:staff_detail", pk=pk)
    # Refused: the same page with the errors, and what was typed kept in the form.
    return _staff_detail_page(request, pk, form, status=400)
