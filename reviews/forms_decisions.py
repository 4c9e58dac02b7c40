"""Forms of the ranking board and the decisions: they validate input; the rules live in
reviews.decisions."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from applications.models import Application
from challenges.models import Challenge
from reviews.models import DecisionOutcome

RATIONALE_HELP = _("Why: kept for the record, never shown to the applicant.")


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=DecisionOutcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Rationale"), max_length=4000, help_text=RATIONALE_HELP, widget=forms.Textarea(attrs={"rows": 3})
    )
    feedback = forms.CharField(
        label=_("Feedback for the applicant"),
        required=False,
        max_length=20000,
        help_text=_(
            "Built from the reviewers' comments for the applicant, without their names. "
            "Edit it as needed: the applicant reads it once the decision is released."
        ),
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class BulkDecisionForm(forms.Form):
    applications = forms.ModelMultipleChoiceField(
        label=_("Applications"),
        queryset=Application.objects.none(),
        error_messages={"required": _("Tick at least one application on the board.")},
    )
    # No default: a bulk decision is chosen, never taken by leaving the field alone.
    outcome = forms.ChoiceField(label=_("Decision"), choices=[("", _("Choose…")), *DecisionOutcome.choices])
    rationale = forms.CharField(
        label=_("Rationale"), max_length=4000, help_text=RATIONALE_HELP, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, applications: QuerySet[Application], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applications"].queryset = applications  # type: ignore[attr-defined]


class ReleaseForm(forms.Form):
    challenge = forms.ModelChoiceField(
        label=_("Release"),
        queryset=Challenge.objects.none(),
        required=False,
        empty_label=_("Every challenge of the programme"),
    )

    def __init__(self, *args, challenges: QuerySet[Challenge], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["challenge"].queryset = challenges  # type: ignore[attr-defined]
