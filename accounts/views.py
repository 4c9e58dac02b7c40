"""Staff pages for the ministries' API tokens: list, issue (the token shown once), revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.forms import ApiTokenForm
from accounts.models import ApiToken, User
from accounts.selectors import api_token_list
from accounts.services import ApiTokenError, api_token_issue, api_token_revoke

TOKEN_PAGE_SIZE = 50


class SignedInRequest(HttpRequest):
    user: User


def _ensure_staff(request: SignedInRequest) -> None:
    # Not a 403: pages another role may not use do not exist for it (DESIGN §4).
    if not request.user.has_perm("accounts.manage_api_tokens"):
        raise Http404


def _list_page(request: SignedInRequest, form: ApiTokenForm, status: int = 200) -> HttpResponse:
    page = Paginator(api_token_list(), TOKEN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/api_token_list.html",
        {"page": page, "form": form, "now": timezone.now()},
        status=status,
    )


@login_required
def api_token_list_view(request: SignedInRequest) -> HttpResponse:
    _ensure_staff(request)
    return _list_page(request, ApiTokenForm())


@never_cache  # the page holds the token: no browser or proxy may keep a copy
@login_required
@require_POST
def api_token_issue_view(request: SignedInRequest) -> HttpResponse:
    _ensure_staff(request)
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        issued = api_token_issue(
            nation=form.cleaned_data["nation"],
            name=form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            by=request.user,
        )
    except ApiTokenError as error:
        form.add_error(None, str(error))
        return _list_page(request, form, status=400)
    # Rendered here, never redirected to: the token is in this one answer and nowhere else.
    return render(request, "accounts/api_token_issued.html", {"token": issued.token, "key": issued.key})


@login_required
@require_POST
def api_token_revoke_view(request: SignedInRequest, pk: int) -> HttpResponse:
    _ensure_staff(request)
    token = get_object_or_404(ApiToken, pk=pk)
    try:
        api_token_revoke(token=token, by=request.user)
    except ApiTokenError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The token %(prefix)s… of %(name)s is revoked.") % {"prefix": token.prefix, "name": token.name}
        )
    return redirect("accounts:api_token_list")
