from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sites.enums import MAX_BOOKING_WEEKS, BookingStatus
from sites.models import Site


class BookingRequestForm(forms.Form):
    """A team's request. Dates are rounded out to whole ISO weeks (sites.bookings.weeks_covering)."""

    centre = forms.ModelChoiceField(
        label=_("Test centre"), queryset=Site.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )
    first_day = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=_("Booked by the week: the booking starts on the Monday of this day's week."),
    )
    last_day = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("What you will test, with what equipment, and what you need from the centre."),
    )

    def __init__(self, *args: Any, centres: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        centre = self.fields["centre"]
        assert isinstance(centre, forms.ModelChoiceField)
        centre.queryset = centres
        # Set here, in the request's language: a lazy string formatted with % at import
        # time would be evaluated then, in English, for every visitor.
        self.fields["last_day"].help_text = gettext(
            "The booking ends on the Sunday of this day's week (at most %(weeks)d weeks in all)."
        ) % {"weeks": MAX_BOOKING_WEEKS}
        centre.label_from_instance = lambda site: f"{site.name} ({site.city}, {site.nation.code})"  # type: ignore[method-assign,assignment]


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("The team reads this: say what would work instead, if anything."),
    )


class BookingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All statuses")), *BookingStatus.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
