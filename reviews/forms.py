"""Forms: they validate and shape input; the rules live in services."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import AffiliationType, Ally
from challenges.forms import UTCDateTimeInput
from challenges.models import Challenge, Criterion, Programme, TechnologyArea
from reviews.enums import AssignmentStatus, Confidence, Recommendation

TEXT_LIMIT = 5000


class ReviewerInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the expert"), max_length=254)
    full_name = forms.CharField(label=_("Name (optional)"), max_length=200, required=False)
    message = forms.CharField(
        label=_("Personal message (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewerProfileForm(forms.Form):
    """The reviewer's profile: what the solver and the conflict rules use."""

    nation = forms.ChoiceField(label=_("Nation"))
    affiliation_type = forms.ChoiceField(label=_("Affiliation type"), choices=AffiliationType.choices)
    affiliation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_("Your employer. Applications from it are never assigned to you."),
    )
    max_load = forms.IntegerField(
        label=_("Maximum load"),
        min_value=1,
        max_value=200,
        initial=20,
        help_text=_("The most applications you will score in one programme."),
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Expertise areas"),
        queryset=TechnologyArea.objects.order_by("order", "name"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Applications are matched to reviewers by these areas."),
    )

    def __init__(self, *args, for_staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["nation"]).choices = list(Ally.objects.choices())
        if for_staff:  # staff edit someone else's profile: the help speaks of the reviewer
            self.fields["affiliation"].help_text = _(
                "The reviewer's employer. Applications from it are never assigned to them."
            )
            self.fields["max_load"].help_text = _("The most applications they will score in one programme.")

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "nation": data["nation"],
            "affiliation_type": data["affiliation_type"],
            "affiliation": data["affiliation"],
            "max_load": data["max_load"],
            "areas": list(data["areas"]),
        }


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (recorded in the audit trail)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConflictAnswerForm(forms.Form):
    """The reviewer's answer before seeing the application."""

    answer = forms.ChoiceField(
        label=_("Do you have a conflict of interest with this application?"),
        choices=[
            ("none", _("No: I have no conflict of interest with this organisation or its team.")),
            ("conflict", _("Yes: I have a conflict of interest.")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("If yes, what is it?"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: a former employer, a family member, a competing company."),
    )

    def clean(self):
        data = super().clean() or {}
        if data.get("answer") == "conflict" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say briefly what the conflict of interest is."))
        return data


class StaffConflictForm(forms.Form):
    application = forms.CharField(
        label=_("Application reference"), max_length=20, help_text=_("For example DIANA-2026-00042.")
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawAssignmentForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (recorded in the audit trail)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExtendDeadlineForm(forms.Form):
    deadline = forms.DateTimeField(label=_("New deadline (UTC)"), widget=UTCDateTimeInput())
    reason = forms.CharField(
        label=_("Reason (recorded in the audit trail)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AddAssignmentForm(forms.Form):
    """Staff assign one reviewer by hand, outside a run."""

    application = forms.CharField(label=_("Application reference"), max_length=20)
    reviewer = forms.EmailField(label=_("Reviewer's e-mail address"), max_length=254)


class RunStartForm(forms.Form):
    challenge = forms.ModelChoiceField(
        label=_("Scope"),
        queryset=Challenge.objects.none(),
        required=False,
        empty_label=_("The whole programme"),
    )

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["challenge"]).queryset = programme.challenges.order_by("order", "id")


class PairForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput)
    reviewer = forms.IntegerField(widget=forms.HiddenInput)


class AddPairForm(forms.Form):
    application = forms.TypedChoiceField(label=_("Application"), coerce=int)
    reviewer = forms.TypedChoiceField(label=_("Reviewer"), coerce=int)

    def __init__(self, *args, proposal: dict, **kwargs):
        super().__init__(*args, **kwargs)
        apps = sorted(proposal.get("applications", {}).items(), key=lambda item: str(item[1]["reference"]))
        revs = sorted(proposal.get("reviewers", {}).items(), key=lambda item: str(item[1]["name"]))
        cast(forms.TypedChoiceField, self.fields["application"]).choices = [(pk, row["reference"]) for pk, row in apps]
        cast(forms.TypedChoiceField, self.fields["reviewer"]).choices = [(pk, row["name"]) for pk, row in revs]


class AssignmentFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *AssignmentStatus.choices], required=False
    )


def score_field_name(criterion: Criterion) -> str:
    return f"score_{criterion.pk}"


class ReviewForm(forms.Form):
    """Built from the programme's rubric: one score per criterion on its scale, then
    the recommendation, the confidence and the two comments. Every field may be left
    empty in a draft; the service asks for all of them at submission."""

    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=[("", _("Not decided yet")), *Recommendation.choices],
        required=False,
    )
    confidence = forms.TypedChoiceField(
        label=_("Confidence"),
        choices=[("", _("Not decided yet")), *Confidence.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    comment_for_applicant = forms.CharField(
        label=_("Comment for the applicant"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Shared with the applicant with the decision, without your name. Be specific and constructive."),
    )
    internal_comment = forms.CharField(
        label=_("Internal comment"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the programme managers and the other reviewers of this application only."),
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        score_fields = {}
        for criterion in criteria:
            score_fields[score_field_name(criterion)] = forms.TypedChoiceField(
                # The scale in the label, read before the list is opened: "Defence relevance (0-5)"
                # with an en dash, as a range is typeset.
                label=_("%(name)s (%(low)d–%(high)d)")  # noqa: RUF001
                % {"name": criterion.name, "low": criterion.scale_min, "high": criterion.scale_max},
                help_text=criterion.description,
                choices=[("", _("Not scored yet"))]
                + [(value, str(value)) for value in range(criterion.scale_min, criterion.scale_max + 1)],
                coerce=int,
                empty_value=None,
                required=False,
            )
        # The scores first, in the rubric's order.
        self.fields = {**score_fields, **self.fields}

    def scores(self) -> dict[int, int | None]:
        return {criterion.pk: self.cleaned_data.get(score_field_name(criterion)) for criterion in self.criteria}

    def score_fields(self):
        return [self[score_field_name(criterion)] for criterion in self.criteria]

    def other_fields(self):
        return [self[name] for name in ("recommendation", "confidence", "comment_for_applicant", "internal_comment")]


def review_initial(review, criteria: list[Criterion]) -> dict[str, Any]:
    if review is None:
        return {}
    scores = {score.criterion_id: score.value for score in review.scores.all()}
    initial: dict[str, Any] = {
        "recommendation": review.recommendation,
        "confidence": review.confidence,
        "comment_for_applicant": review.comment_for_applicant,
        "internal_comment": review.internal_comment,
    }
    for criterion in criteria:
        if criterion.pk in scores:
            initial[score_field_name(criterion)] = scores[criterion.pk]
    return initial
