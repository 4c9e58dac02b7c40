from itertools import pairwise
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Ally, User
from challenges.forms import UTCDateTimeInput
from challenges.models import Programme, TechnologyArea
from sites.enums import MAX_PREFERENCES, CohortPhase, SiteKind
from sites.models import Cohort, Site
from sites.services import SITE_FIELDS

# Words of the sites URLs that a slug must not take: /sites/<slug>/ would hide them.
RESERVED_SLUGS = frozenset(
    {"staff", "workspace", "cohorts", "runs", "offers", "preferences", "allocations", "bookings"}
)


class DirectoryFilterForm(forms.Form):
    """The directory's filters. An unknown value is ignored, as the catalogue does."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("All kinds")), *SiteKind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    nation = forms.ChoiceField(label=_("Nation"), required=False, widget=forms.Select(attrs={"class": "form-select"}))
    area = forms.ModelChoiceField(
        label=_("Technology area"),
        queryset=TechnologyArea.objects.order_by("order", "name"),
        to_field_name="slug",
        required=False,
        empty_label=_("All areas"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        nation = self.fields["nation"]
        assert isinstance(nation, forms.ChoiceField)
        nation.choices = [("", _("All nations")), *Ally.objects.choices()]

    def filters(self) -> dict[str, str]:
        if not self.is_valid():
            return {
                name: value
                for name, value in ((name, self.data.get(name, "")) for name in ("kind", "nation", "area"))
                if name not in self.errors and value
            }
        area = self.cleaned_data.get("area")
        return {
            "kind": self.cleaned_data.get("kind") or "",
            "nation": self.cleaned_data.get("nation") or "",
            "area": area.slug if area else "",
        }


def _user_label(user: User) -> str:
    return f"{user.email} ({user.full_name})" if user.full_name else user.email


class SiteForm(forms.ModelForm):
    """Staff edit the whole record."""

    areas = forms.ModelMultipleChoiceField(
        label=_("Technology areas"),
        queryset=TechnologyArea.objects.order_by("order", "name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    managers = forms.ModelMultipleChoiceField(
        label=_("Managers"),
        queryset=User.objects.filter(is_active=True).order_by("email"),
        required=False,
        help_text=_("They get the site-manager role and answer this site's offers."),
    )

    class Meta:
        model = Site
        fields = SITE_FIELDS
        labels = {"nation": _("Nation")}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        nation = self.fields["nation"]
        assert isinstance(nation, forms.ModelChoiceField)
        nation.queryset = Ally.objects.order_by("code")
        managers = self.fields["managers"]
        assert isinstance(managers, forms.ModelMultipleChoiceField)
        # By address, as the list is sorted: names alone repeat (two people may share one)
        # and read as unsorted.
        managers.label_from_instance = _user_label  # type: ignore[method-assign,assignment]
        if self.instance.pk:
            self.initial.setdefault("areas", list(self.instance.areas.values_list("pk", flat=True)))
            self.initial.setdefault("managers", list(self.instance.managers.values_list("pk", flat=True)))

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This slug is reserved by the portal: choose another."))
        return slug


class ManagerSiteForm(forms.Form):
    """What a site manager edits on their own site."""

    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    capacity = forms.IntegerField(
        label=_("Capacity"),
        min_value=0,
        max_value=1000,
        help_text=_("Teams per cohort for an accelerator site; test slots per week for a test centre."),
    )


class CohortBuildForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.published().order_by("-year", "-opens_at")
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=CohortPhase.choices, initial=CohortPhase.PHASE_1)
    name = forms.CharField(label=_("Name"), max_length=200, required=False, help_text=_("Leave empty for a default."))
    preference_deadline = forms.DateTimeField(label=_("Preference deadline (UTC)"), widget=UTCDateTimeInput())
    answer_deadline = forms.DateTimeField(label=_("Answer deadline (UTC)"), widget=UTCDateTimeInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        preference, answer = cleaned.get("preference_deadline"), cleaned.get("answer_deadline")
        if preference and preference <= timezone.now():
            self.add_error("preference_deadline", _("The preference deadline must be in the future."))
        if preference and answer and answer <= preference:
            self.add_error("answer_deadline", _("The answer deadline must come after the preference deadline."))
        return cleaned


class CohortDeadlinesForm(forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ["preference_deadline", "answer_deadline"]
        labels = {
            "preference_deadline": _("Preference deadline (UTC)"),
            "answer_deadline": _("Answer deadline (UTC)"),
        }
        widgets = {"preference_deadline": UTCDateTimeInput(), "answer_deadline": UTCDateTimeInput()}


class PreferenceForm(forms.Form):
    """Up to five ranked accelerator sites: choice 1 is the first."""

    def __init__(self, *args: Any, sites: list[Site], initial_sites: list[Site] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sites = {str(site.pk): site for site in sites}
        choices: list[tuple[str, Any]] = [("", _("No site"))]
        choices += [(str(site.pk), f"{site.name} ({site.city}, {site.nation})") for site in sites]
        initial_sites = initial_sites or []
        for rank in range(1, MAX_PREFERENCES + 1):
            self.fields[f"choice_{rank}"] = forms.ChoiceField(
                label=_("Choice %(rank)d") % {"rank": rank},
                choices=choices,
                required=False,
                initial=str(initial_sites[rank - 1].pk) if rank <= len(initial_sites) else "",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        picked = [cleaned.get(f"choice_{rank}") for rank in range(1, MAX_PREFERENCES + 1)]
        if any(not earlier and later for earlier, later in pairwise(picked)):
            raise forms.ValidationError(_("Fill the choices in order, without gaps."))
        chosen = [value for value in picked if value]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("Each site may be ranked only once."))
        cleaned["sites"] = [self.sites[value] for value in chosen]
        return cleaned


class AnswerForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
        help_text=_("Required when you decline: DIANA and the next allocation run take it into account."),
    )
