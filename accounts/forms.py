from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries


class SignupExtraForm(forms.Form):
    """Fields allauth's sign-up form adds to e-mail and password."""

    full_name = forms.CharField(label=_("Full name"), max_length=200)
    nation = forms.ChoiceField(label=_("Nation (optional)"), choices=[("", "---------"), *countries], required=False)

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"]
        user.nation = self.cleaned_data["nation"]
        user.save(update_fields=["full_name", "nation"])
