"""Forms for seminar pages and joining a room (the live forms go over the socket)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from accounts.models import User
from scenarios.forms import VariantSeedField
from scenarios.models import Scenario
from scenarios.selectors import scenario_casefile, scenario_list
from simulations.engine.casefile import render_text
from simulations.engine.vocabulary import Role
from simulations.models import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, Seat
from simulations.selectors import people_to_seat


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SeminarForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        error_messages={"required": "Enter a title for the seminar"},
    )
    date = forms.DateField(
        widget=DateInput(),
        error_messages={
            "required": "Enter the date of the seminar",
            "invalid": "Enter the date as a real date, for example 3 12 2026",
        },
    )
    venue = forms.CharField(max_length=200, required=False, label="Venue (optional)")
    cohort = forms.CharField(
        max_length=120,
        required=False,
        label="Cohort (optional)",
        help_text="For example: November 2026 level 3.",
    )


def scenario_title(scenario: Scenario) -> str:
    """Return the scenario's title with its placeholders filled in (as of today)."""
    case = scenario_casefile(scenario=scenario)
    try:
        return render_text(case, case.title, seminar_date=timezone.localdate())
    except (KeyError, ValueError):
        return scenario.slug


class ScenarioChoiceField(forms.ModelChoiceField[Scenario]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{scenario_title(obj)} ({obj.get_conference_type_display().lower()})"


class RoomForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        label="Room name",
        help_text="For example: Room A, or the room's number at the venue.",
        error_messages={"required": "Enter a name for the room"},
    )
    scenario = ScenarioChoiceField(
        queryset=scenario_list(),
        empty_label="Choose a scenario",
        error_messages={
            "required": "Choose the scenario the room will play",
            "invalid_choice": "Choose one of the published scenarios",
        },
    )
    fresh_variant = forms.BooleanField(
        required=False,
        label="Use a fresh variant: new names, ages and dates, the same answer key",
    )
    seed = VariantSeedField()


class SeatForm(forms.Form):
    ASSIGN, UNASSIGN, COVER = "assign", "unassign", "cover"

    role = forms.ChoiceField(choices=[])
    action = forms.ChoiceField(
        choices=[(ASSIGN, "Assign"), (UNASSIGN, "Unassign"), (COVER, "Cover it myself")]
    )
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, room: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = Seat.objects.filter(room=room).exclude(role=Role.OBSERVER.value)
        role_field = cast(forms.ChoiceField, self.fields["role"])
        role_field.choices = [(seat.role, Role(seat.role).label) for seat in roles]
        cast(forms.ModelChoiceField[User], self.fields["user"]).queryset = people_to_seat()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == self.ASSIGN and data.get("user") is None:
            self.add_error("user", "Choose the person to seat")
        return data


def normalise_code(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch.isalnum())


class JoinForm(forms.Form):
    code = forms.CharField(
        label="Conference code",
        help_text="The 6 letters and numbers your trainer gives you, for example KX7P3M.",
        max_length=20,
        error_messages={"required": "Enter the conference code"},
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if len(code) != JOIN_CODE_LENGTH or not set(code) <= set(JOIN_CODE_ALPHABET):
            raise forms.ValidationError(
                f"Enter the code as {JOIN_CODE_LENGTH} letters and numbers, "
                "as your trainer gave it, for example KX7P3M"
            )
        return code


class JoinRoleForm(forms.Form):
    ANY = "any"

    role = forms.ChoiceField(
        choices=[],
        label="Which role will you play?",
        error_messages={
            "required": "Choose a role, or any free seat",
            "invalid_choice": "That seat has just been taken: choose another role",
        },
    )

    def __init__(self, *args: Any, vacant: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = [
            (self.ANY, "Any free seat: the trainer's seating order"),
            *[(role.value, role.label) for role in vacant],
            (Role.OBSERVER.value, Role.OBSERVER.label),
        ]

    def chosen_role(self) -> Role | None:
        value = self.cleaned_data["role"]
        return None if value == self.ANY else Role(value)
