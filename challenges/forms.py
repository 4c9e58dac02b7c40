from datetime import datetime
from typing import Any, cast

from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from accounts.models import Ally
from challenges.enums import TRL_CHOICES
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from challenges.services import CHALLENGE_FIELDS, CRITERION_FIELDS, PROGRAMME_FIELDS, programme_date_problems


class UTCDateTimeInput(forms.DateTimeInput):
    """A browser date-time picker. Its value is read as UTC (settings.TIME_ZONE), and
    the labels say so: deadlines are UTC instants (DESIGN §2)."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists with “-”, links as [text](https://…).")


class ProgrammeForm(forms.ModelForm):
    eligible_nations = forms.ModelMultipleChoiceField(
        label=_("Eligible nations"),
        queryset=Ally.objects.order_by("code"),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "nation-grid"}),
        required=False,
        help_text=_("Where an applicant must be headquartered."),
    )

    class Meta:
        model = Programme
        fields = [*PROGRAMME_FIELDS, "eligible_nations"]
        labels = {
            "opens_at": _("Opens at (UTC)"),
            "closes_at": _("Closes at (UTC)"),
            "review_deadline": _("Review deadline (UTC)"),
            "decision_at": _("Decisions announced at (UTC)"),
        }
        help_texts = {"description": MARKDOWN_HELP}
        widgets = {
            "opens_at": UTCDateTimeInput(),
            "closes_at": UTCDateTimeInput(),
            "review_deadline": UTCDateTimeInput(),
            "decision_at": UTCDateTimeInput(),
            "cohort_starts_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("eligible_nations", list(Ally.objects.values_list("pk", flat=True)))

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        dates = ["opens_at", "closes_at", "review_deadline", "decision_at"]
        if all(cleaned.get(field) for field in dates):
            for field, message in programme_date_problems(
                opens_at=cleaned["opens_at"],
                closes_at=cleaned["closes_at"],
                review_deadline=cleaned["review_deadline"],
                decision_at=cleaned["decision_at"],
                cohort_starts_on=cleaned.get("cohort_starts_on"),
            ):
                self.add_error(field, message)
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in PROGRAMME_FIELDS}


class ChallengeForm(forms.ModelForm):
    technology_areas = forms.ModelMultipleChoiceField(
        label=_("Technology areas"),
        queryset=TechnologyArea.objects.order_by("order", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Challenge
        fields = [*CHALLENGE_FIELDS, "technology_areas"]
        help_texts = {
            "problem": MARKDOWN_HELP,
            "operational_context": MARKDOWN_HELP,
            "desired_outcomes": MARKDOWN_HELP,
            "constraints": MARKDOWN_HELP,
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "problem": forms.Textarea(attrs={"rows": 8}),
            "operational_context": forms.Textarea(attrs={"rows": 6}),
            "desired_outcomes": forms.Textarea(attrs={"rows": 6}),
            "constraints": forms.Textarea(attrs={"rows": 4}),
            "trl_min": forms.Select(choices=[("", "—"), *TRL_CHOICES]),
            "trl_max": forms.Select(choices=[("", "—"), *TRL_CHOICES]),
        }

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        clash = Challenge.objects.filter(programme=self.programme, slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This programme already has a challenge with this slug."))
        return slug

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high = cleaned.get("trl_min"), cleaned.get("trl_max")
        if (low is None) != (high is None):
            self.add_error("trl_max" if high is None else "trl_min", _("Give both ends of the TRL range."))
        elif low is not None and high is not None and low > high:
            self.add_error("trl_max", _("The highest TRL cannot be below the lowest."))
        return cleaned

    def changes(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in CHALLENGE_FIELDS}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = CRITERION_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        low, high, threshold = cleaned.get("scale_min"), cleaned.get("scale_max"), cleaned.get("threshold")
        if low is not None and high is not None:
            if low >= high:
                self.add_error("scale_max", _("The highest score must be above the lowest."))
            elif threshold is not None and not low <= threshold <= high:
                self.add_error("threshold", _("The threshold must lie on the scale."))
        return cleaned


def _deleted(form: forms.BaseForm) -> bool:
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


class BaseRubricFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        names = [
            form.cleaned_data["name"].strip().casefold()
            for form in self.forms
            if form.cleaned_data.get("name") and not _deleted(form)
        ]
        if len(names) != len(set(names)):
            raise forms.ValidationError(_("Two criteria have the same name."))

    def criteria(self) -> list[dict[str, Any]]:
        """The rubric as rubric_update takes it: kept and new rows, deleted ones left out."""
        rows = []
        for form in self.forms:
            if _deleted(form) or (not form.has_changed() and not form.instance.pk):
                continue
            rows.append({"id": form.instance.pk, **{field: form.cleaned_data[field] for field in CRITERION_FIELDS}})
        return rows


RubricFormSet = cast(
    type[BaseRubricFormSet],
    inlineformset_factory(
        Programme, Criterion, form=CriterionForm, formset=BaseRubricFormSet, extra=1, can_delete=True
    ),
)


class CloneForm(forms.Form):
    source = forms.ModelChoiceField(
        label=_("Copy from"), queryset=Programme.objects.order_by("-year", "-opens_at"), empty_label=None
    )
    year = forms.IntegerField(label=_("Year of the new programme"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=200)
    slug = forms.SlugField(label=_("Slug"), max_length=80, help_text=_("Used in web addresses."))

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if Programme.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("A programme with this slug already exists."))
        return slug


class UnpublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit trail)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class ChallengeSearchForm(forms.Form):
    """The catalogue's search and filters. An invalid filter is ignored; a search
    that is too long finds nothing, and the page shows why (views.challenge_list)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        error_messages={
            "max_length": _("Shorten your search to at most %(limit_value)d characters (it has %(show_value)d).")
        },
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.published().order_by("-opens_at"),
        to_field_name="slug",
        required=False,
        empty_label=_("All programmes"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    area = forms.ModelChoiceField(
        label=_("Technology area"),
        queryset=TechnologyArea.objects.order_by("order", "name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All areas"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    trl = forms.TypedChoiceField(
        label=_("Your TRL"),
        choices=[("", _("Any TRL")), *TRL_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    include_closed = forms.BooleanField(
        label=_("Include closed calls"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def filters(self, *, now: datetime) -> dict[str, Any]:
        """Keyword arguments for selectors.challenge_list_published from the valid fields.
        Without a chosen programme, closed calls show only when asked for."""
        self.is_valid()  # an unbound form has no cleaned_data; an invalid one keeps its valid fields
        data = getattr(self, "cleaned_data", {})
        programme = data.get("programme")
        return {
            "search": data.get("q") or "",
            "programme": programme,
            "area": data.get("area"),
            "trl": data.get("trl"),
            "current_at": None if programme or data.get("include_closed") else now,
        }
