from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Ally
from accounts.services import API_TOKEN_DAYS_DEFAULT, API_TOKEN_DAYS_MAX


def _nation_choices() -> list[tuple[str, object]]:
    # A callable, so the names follow the visitor's language and the Ally table as it is now.
    return [("", _("Not stated")), *Ally.objects.choices()]


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds to e-mail and password."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    nation = forms.ChoiceField(
        label=_("Nation (optional)"),
        choices=_nation_choices,
        required=False,
    )

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.nation = self.cleaned_data["nation"]
        user.save(update_fields=["full_name", "nation"])


class ApiTokenForm(forms.Form):
    """Staff issue a ministry's API token (accounts.services.api_token_issue checks it again)."""

    name = forms.CharField(label=_("Name"), max_length=200, help_text=_("Who holds the token, e.g. “Polish MoD”."))
    nation = forms.ChoiceField(
        label=_("Nation"),
        choices=lambda: [("", "---------"), *Ally.objects.choices()],
        help_text=_("The ministry will see the applications of companies headquartered in this nation only."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=API_TOKEN_DAYS_MAX,
        initial=API_TOKEN_DAYS_DEFAULT,
    )
