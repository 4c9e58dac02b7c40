"""Forms: they validate and shape input; the rules live in services."""

from typing import Any, cast

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Ally
from applications.enums import ApplicationStatus, AttachmentKind, Eligibility
from applications.models import Application, Organisation
from applications.sections import SECTIONS_BY_SLUG
from applications.services import ORGANISATION_FIELDS
from challenges.enums import TRL_CHOICES, TRL_DESCRIBED_CHOICES

# Per-field limits on what an applicant can write: enough for a strong answer,
# short enough for a reviewer to read 40 applications.
TEXT_LIMITS = {
    "title": 200,
    "summary": 1000,
    "trl_justification": 2000,
    "funding_justification": 2000,
}
DEFAULT_TEXT_LIMIT = 5000

HELP = {
    "title": _("A short name for the project, up to 200 characters."),
    "summary": _("Two or three sentences that a non-specialist understands."),
    "solution": _("What it is, how it works and how it answers the challenge."),
    "defence_relevance": _("Who in defence and security would use it, and for what."),
    "dual_use": _("The civil market it also serves."),
    "trl": _("1: basic principles observed. 9: proven in an operational environment."),
    "funding_requested_eur": _("In whole euros. Phase 1 pays up to the programme's grant."),
}


NOT_AN_ALLY = _(
    "Choose the NATO Ally where the company is headquartered: "
    "DIANA is open only to companies headquartered in a NATO Ally."
)


class OrganisationForm(forms.ModelForm):
    """The company profile. The HQ nation is one of the Allies (DESIGN §1); a programme
    may still narrow that down, which the eligibility check tells at submission."""

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["hq_nation"])  # django-countries' LazyTypedChoiceField
        choices: list[tuple[str, Any]] = list(Ally.objects.choices())
        self.allied_codes = {code for code, _name in choices}
        # A profile saved before the list was narrowed (or by the admin) may name another
        # nation: it is shown as it is, with the problem stated, rather than silently
        # replaced by the first Ally in the list.
        current = str(self.instance.hq_nation or "") if self.instance.pk else ""
        self.nation_problem = ""
        if current and current not in self.allied_codes:
            choices.insert(0, (current, countries.name(current)))
            self.nation_problem = _(
                "%(nation)s is not a NATO Ally. DIANA is open only to companies headquartered in a NATO Ally: "
                "choose the Ally where the company is headquartered."
            ) % {"nation": countries.name(current)}
        field.choices = [("", _("Choose a nation")), *choices]
        field.help_text = _("DIANA is open to companies headquartered in a NATO Ally.")
        field.error_messages["invalid_choice"] = NOT_AN_ALLY

    def clean_hq_nation(self):
        nation = str(self.cleaned_data["hq_nation"])
        if nation not in self.allied_codes:
            raise forms.ValidationError(self.nation_problem or NOT_AN_ALLY)
        return nation

    def clean_year_founded(self):
        year = self.cleaned_data["year_founded"]
        if year > timezone.now().year:
            raise forms.ValidationError(_("The year founded cannot be in the future."))
        return year


class InvitationForm(forms.Form):
    # Invitation.email holds 254 characters (RFC 5321's limit on an address); the form
    # field's own default, 320, would let a longer address through to the database.
    email = forms.EmailField(label=_("E-mail address of the person to invite"), max_length=254)


class SectionForm(forms.ModelForm):
    """One section of the application. Built per section by `section_form_class`.

    `version` is the section's version when the page was opened; the service
    refuses the save if another member has saved the section since.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = Application
        fields: list[str] = []

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}  # type: ignore[union-attr]


def section_form_class(slug: str) -> type[SectionForm]:
    section = SECTIONS_BY_SLUG[slug]
    widgets: dict[str, forms.Widget] = {}
    for name in section.fields:
        if name == "title":
            widgets[name] = forms.TextInput(attrs={"maxlength": TEXT_LIMITS["title"]})
        elif name == "trl":
            widgets[name] = forms.Select(choices=[("", _("Choose a level")), *TRL_DESCRIBED_CHOICES])
        elif name == "funding_requested_eur":
            widgets[name] = forms.NumberInput(attrs={"min": 0, "step": 1000})
        else:
            limit = TEXT_LIMITS.get(name, DEFAULT_TEXT_LIMIT)
            widgets[name] = forms.Textarea(attrs={"rows": 4 if limit <= 1000 else 8, "maxlength": limit})
    meta = type("Meta", (SectionForm.Meta,), {"fields": list(section.fields), "widgets": widgets, "help_texts": HELP})
    form_class: type[SectionForm] = type(f"{slug.title()}SectionForm", (SectionForm,), {"Meta": meta})
    # Drafts may be saved half done: nothing is required until submission.
    for name in section.fields:
        field = form_class.base_fields[name]
        field.required = False
        if isinstance(field, forms.CharField):
            field.max_length = TEXT_LIMITS.get(name, DEFAULT_TEXT_LIMIT)
            field.validators.append(MaxLengthValidator(field.max_length))
    return form_class


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("PDF file"),
        help_text=_("PDF only, at most 20 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you withdrawing? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EligibilityOverrideForm(forms.Form):
    eligible = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Eligible")), ("0", _("Not eligible"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (recorded in the audit trail)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- Staff list filters ------------------------------------------------------------------------------

ELIGIBILITY_FILTER_CHOICES = [*Eligibility.choices, ("overridden", _("Overridden by staff"))]


class StaffApplicationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Reference or organisation"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ApplicationStatus.choices, empty_label=_("All statuses")
    )
    challenge = django_filters.ModelChoiceFilter(label=_("Challenge"), queryset=None, empty_label=_("All challenges"))
    # The Allies, set per request: named in the viewer's language and sorted by those names.
    nation = django_filters.ChoiceFilter(label=_("Nation"), choices=[], empty_label=_("All nations"))
    trl = django_filters.ChoiceFilter(label=_("TRL"), choices=TRL_CHOICES, empty_label=_("Any TRL"))
    eligibility = django_filters.ChoiceFilter(
        label=_("Eligibility"),
        choices=ELIGIBILITY_FILTER_CHOICES,
        method="filter_eligibility",
        empty_label=_("Any eligibility"),
    )

    class Meta:
        model = Application
        fields = ["q", "status", "challenge", "nation", "trl", "eligibility"]

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["challenge"].queryset = programme.challenges.order_by("order", "title")
        # Read when first shown or checked, once: the CSV export of an unfiltered list never needs it.
        allies: list[tuple[str, str]] = []

        def nation_choices() -> list[tuple[str, str]]:
            if not allies:
                allies.extend(Ally.objects.choices())
            return allies

        self.filters["nation"].extra["choices"] = nation_choices
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select form-select-sm" if is_select else "form-control form-control-sm"

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(reference__icontains=value) | Q(organisation__name__icontains=value))

    def filter_eligibility(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "overridden":
            return queryset.filter(eligibility_overridden=True)
        return queryset.filter(eligibility=value)
