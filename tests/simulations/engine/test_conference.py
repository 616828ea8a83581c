"""Behaviour of the conference state machine, one rule at a time."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from simulations.engine.commands import (
    AddPlanRow,
    AdvancePhase,
    CallSpeaker,
    CastVote,
    CommandRejected,
    FinishContribution,
    GiveView,
    GoBack,
    IllegalTransition,
    InvalidCommand,
    NotPermitted,
    OpenPack,
    OpenRevote,
    Pause,
    RaiseHand,
    RecordDecision,
    RecordDissent,
    RejectionCode,
    ReleaseInject,
    RemovePlanRow,
    Resume,
    RevealVotes,
    SetPlan,
    ShareItem,
    SkipPhase,
    StateImpact,
    SubmitReport,
)
from simulations.engine.conference import (
    ALLOWED_IN_PHASE,
    can_issue,
    decide,
    event_view_for,
    is_duplicate,
    replay,
    step,
    view_for,
)
from simulations.engine.events import (
    ContributionFinished,
    ExclusionEnded,
    PhaseChanged,
    VoteCast,
)
from simulations.engine.state import (
    Actor,
    Phase,
    PhaseMove,
    Statement,
    new_conference,
)
from simulations.engine.vocabulary import (
    Category,
    PlanOutcome,
    Provenance,
    ReportSection,
    Role,
)
from tests.simulations.engine.helpers import (
    CHAIR,
    JAYDEN,
    MIA,
    SETUP,
    START,
    TRAINER,
    VOTERS,
    Driver,
    ballot_fields,
    drive_to,
    full_conference,
    item,
    plan_fields,
    plan_row,
    seat,
)


def rejection(driver: Driver, kind: type, actor: Actor, **fields: object) -> CommandRejected:
    with pytest.raises(CommandRejected) as caught:
        driver.do(kind, actor, **fields)
    return caught.value


# Happy path and replay ---------------------------------------------------------------


def test_full_conference_reaches_close_in_agenda_order() -> None:
    driver = full_conference()
    state = driver.state
    assert state.phase is Phase.CLOSED
    assert [entry.phase for entry in state.phase_history] == [
        Phase.PRE_CONFERENCE,
        Phase.CHAIRS_PREPARATION,
        Phase.OPENING,
        Phase.AGENCY_CONTRIBUTIONS,
        Phase.FAMILY_VIEWS,
        Phase.EXCLUSION,
        Phase.SUMMARY,
        Phase.RECOMMENDATIONS,
        Phase.DECISION,
        Phase.OUTLINE_PLAN,
        Phase.CLOSED,
    ]
    assert all(report.submitted for report in state.reports.values())
    assert len(state.rounds) == 2
    assert state.decisions[JAYDEN].category is Category.PHYSICAL
    assert state.plan.complete is True


def test_replaying_the_events_rebuilds_the_state_built_step_by_step() -> None:
    driver = full_conference()
    assert replay(new_conference(SETUP), driver.events) == driver.state


def test_replaying_in_two_halves_gives_the_same_state() -> None:
    driver = full_conference()
    half = len(driver.events) // 2
    middle = replay(new_conference(SETUP), driver.events[:half])
    assert replay(middle, driver.events[half:]) == driver.state


def test_decide_and_apply_never_mutate_their_input() -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    before = driver.state
    snapshot_before = before.to_dict()
    driver.do(CastVote, seat(Role.GP), **ballot_fields(JAYDEN))
    assert before.to_dict() == snapshot_before
    assert driver.state is not before


def test_step_returns_the_new_state_and_its_events() -> None:
    driver = drive_to(Phase.OPENING)
    command = driver.command(AdvancePhase, CHAIR)
    result = step(driver.state, command, now=driver.clock)
    assert result.state.phase is Phase.AGENCY_CONTRIBUTIONS
    assert [type(e) for e in result.events] == [PhaseChanged]


def test_log_orders_professional_information_before_parents_views() -> None:
    log = full_conference().state.log
    assert [entry.index for entry in log] == list(range(len(log)))
    shared = [
        e.index for e in log if e.event == "ItemShared" and e.phase is Phase.AGENCY_CONTRIBUTIONS
    ]
    views = [e.index for e in log if e.event == "ViewGiven"]
    summary = [e.index for e in log if e.event == "SummaryGiven"]
    votes = [e.index for e in log if e.event == "VoteCast"]
    assert max(shared) < min(views)
    assert max(summary) < min(votes)
    assert {e.role for e in log if e.event == "VoteCast"} == set(VOTERS)


# Idempotency -------------------------------------------------------------------------


def test_a_retried_command_id_applies_once() -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    vote = driver.command(CastVote, seat(Role.GP), **ballot_fields(JAYDEN))
    first = driver.run(vote)
    assert [type(e) for e in first] == [VoteCast]
    assert is_duplicate(driver.state, vote) is True
    state = driver.state
    assert driver.run(vote) == []
    assert driver.state == state
    assert len(state.current_round.ballots) == 1


def test_a_retry_is_recognised_even_while_paused_or_in_another_phase() -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    vote = driver.command(CastVote, seat(Role.GP), **ballot_fields(JAYDEN))
    driver.run(vote)
    driver.do(Pause, TRAINER)
    assert driver.run(vote) == []
    driver.do(Resume, TRAINER)
    driver.do(SkipPhase, TRAINER)
    assert driver.run(vote) == []


def test_a_rejected_command_id_can_be_retried_once_it_becomes_legal() -> None:
    driver = drive_to(Phase.SUMMARY)
    vote = driver.command(CastVote, seat(Role.GP), **ballot_fields(JAYDEN))
    with pytest.raises(IllegalTransition):
        driver.run(vote)
    driver.do(AdvancePhase, CHAIR)
    assert [type(e) for e in driver.run(vote)] == [VoteCast]


def test_every_event_of_a_command_carries_its_id() -> None:
    driver = drive_to(Phase.AGENCY_CONTRIBUTIONS)
    driver.do(CallSpeaker, CHAIR)
    command = driver.command(AdvancePhase, CHAIR)
    events = driver.run(command)
    assert [type(e) for e in events] == [ContributionFinished, PhaseChanged]
    assert {e.command_id for e in events} == {command.command_id}


def test_a_command_without_an_id_is_invalid() -> None:
    driver = drive_to(Phase.OPENING)
    with pytest.raises(InvalidCommand) as caught:
        driver.run(AdvancePhase(command_id=" ", actor=CHAIR))
    assert caught.value.code is RejectionCode.MISSING_COMMAND_ID


# Sealed ballots ------------------------------------------------------------------------


def sealed_round() -> Driver:
    driver = drive_to(Phase.RECOMMENDATIONS)
    driver.do(CastVote, seat(Role.GP), **ballot_fields(JAYDEN))
    driver.do(CastVote, seat(Role.POLICE), **ballot_fields(JAYDEN, met=False))
    return driver


def test_a_voter_sees_only_their_own_sealed_ballot() -> None:
    state = sealed_round().state
    (current,) = view_for(state, seat(Role.GP))["rounds"]
    assert [b["role"] for b in current["ballots"]] == ["gp"]
    assert current["voted"] == [{"child_id": JAYDEN, "role": "gp"}]


@pytest.mark.parametrize("role", [Role.HEALTH_VISITOR, Role.PARENT, Role.OBSERVER, Role.CHAIR])
def test_others_see_no_sealed_ballot(role: Role) -> None:
    state = sealed_round().state
    (current,) = view_for(state, seat(role))["rounds"]
    assert current["ballots"] == []


@pytest.mark.parametrize("actor", [CHAIR, TRAINER], ids=["chair", "console"])
def test_chair_and_console_see_who_has_voted_but_not_how(actor: Actor) -> None:
    state = sealed_round().state
    (current,) = view_for(state, actor)["rounds"]
    assert current["ballots"] == []
    assert current["voted"] == [
        {"child_id": JAYDEN, "role": "gp"},
        {"child_id": JAYDEN, "role": "police"},
    ]


def test_a_trainer_covering_a_seat_sees_that_seats_view() -> None:
    state = sealed_round().state
    (current,) = view_for(state, Actor.trainer(as_role=Role.POLICE))["rounds"]
    assert [b["role"] for b in current["ballots"]] == ["police"]


def test_revealing_shows_every_ballot_to_everyone() -> None:
    driver = sealed_round()
    driver.do(RevealVotes, CHAIR)
    (current,) = view_for(driver.state, seat(Role.PARENT))["rounds"]
    assert current["revealed"] is True
    assert {b["role"] for b in current["ballots"]} == {"gp", "police"}


def test_sealed_vote_events_are_hidden_until_revealed() -> None:
    driver = sealed_round()
    gp_vote = next(e for e in driver.events if isinstance(e, VoteCast) and e.role is Role.GP)
    state = driver.state
    assert event_view_for(state, gp_vote, seat(Role.GP)) == gp_vote.to_dict()
    assert event_view_for(state, gp_vote, seat(Role.POLICE)) is None
    envelope = event_view_for(state, gp_vote, CHAIR)
    assert envelope is not None
    assert "threshold_met" not in envelope
    assert envelope["role"] == "gp"
    driver.do(RevealVotes, CHAIR)
    assert event_view_for(driver.state, gp_vote, seat(Role.POLICE)) == gp_vote.to_dict()


def test_a_vote_is_final_within_its_round() -> None:
    driver = sealed_round()
    error = rejection(driver, CastVote, seat(Role.GP), **ballot_fields(JAYDEN, met=False))
    assert error.code is RejectionCode.ALREADY_VOTED


def test_no_vote_after_the_reveal_until_a_revote_opens() -> None:
    driver = sealed_round()
    driver.do(RevealVotes, CHAIR)
    error = rejection(driver, CastVote, seat(Role.HOUSING), **ballot_fields(JAYDEN))
    assert isinstance(error, IllegalTransition)
    assert error.code is RejectionCode.ROUND_REVEALED


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({**ballot_fields(JAYDEN), "child_id": "nobody"}, RejectionCode.UNKNOWN_CHILD),
        ({**ballot_fields(JAYDEN), "rationale": ""}, RejectionCode.TEXT_REQUIRED),
        ({**ballot_fields(JAYDEN), "rationale": "a\nb"}, RejectionCode.RATIONALE_NOT_ONE_LINE),
        ({**ballot_fields(JAYDEN), "rationale": "x" * 281}, RejectionCode.RATIONALE_NOT_ONE_LINE),
        ({**ballot_fields(JAYDEN), "primary_category": None}, RejectionCode.CATEGORY_REQUIRED),
        (
            {**ballot_fields(JAYDEN), "other_categories": frozenset({Category.PHYSICAL})},
            RejectionCode.CATEGORY_REPEATED,
        ),
        (
            {**ballot_fields(JAYDEN, met=False), "primary_category": Category.NEGLECT},
            RejectionCode.CATEGORY_NOT_EXPECTED,
        ),
    ],
)
def test_invalid_ballots_are_rejected(fields: dict[str, object], code: RejectionCode) -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    error = rejection(driver, CastVote, seat(Role.GP), **fields)
    assert isinstance(error, InvalidCommand)
    assert error.code is code


@pytest.mark.parametrize("role", [Role.PARENT, Role.CHILDS_ADVOCATE, Role.OBSERVER])
def test_parents_advocates_and_observers_do_not_vote(role: Role) -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    error = rejection(driver, CastVote, seat(role), **ballot_fields(JAYDEN))
    assert isinstance(error, NotPermitted)


def test_reveal_needs_a_ballot() -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    assert rejection(driver, RevealVotes, CHAIR).code is RejectionCode.NO_BALLOTS


# Revote ----------------------------------------------------------------------------------


def test_a_revote_keeps_every_round() -> None:
    driver = sealed_round()
    assert rejection(driver, OpenRevote, CHAIR).code is RejectionCode.ROUND_NOT_REVEALED
    driver.do(RevealVotes, CHAIR)
    driver.do(OpenRevote, CHAIR)
    driver.do(CastVote, seat(Role.POLICE), **ballot_fields(JAYDEN))
    first, second = driver.state.rounds
    assert (first.number, second.number) == (1, 2)
    assert first.ballot(JAYDEN, Role.POLICE).threshold_met is False  # type: ignore[union-attr]
    assert second.ballot(JAYDEN, Role.POLICE).threshold_met is True  # type: ignore[union-attr]
    assert first.revealed is True
    assert second.revealed is False
    view = view_for(driver.state, seat(Role.HEALTH_VISITOR))["rounds"]
    assert len(view[0]["ballots"]) == 2
    assert view[1]["ballots"] == []


def test_the_decision_waits_for_the_latest_round_to_be_revealed() -> None:
    driver = sealed_round()
    driver.do(RevealVotes, CHAIR)
    driver.do(OpenRevote, CHAIR)
    assert rejection(driver, AdvancePhase, CHAIR).code is RejectionCode.VOTES_NOT_REVEALED
    driver.do(CastVote, seat(Role.GP), **ballot_fields(JAYDEN))
    driver.do(RevealVotes, CHAIR)
    driver.do(AdvancePhase, CHAIR)
    assert driver.state.phase is Phase.DECISION


# Decision and dissent ------------------------------------------------------------------


def test_decisions_are_per_child_and_record_the_round() -> None:
    driver = full_conference()
    jayden, mia = driver.state.decisions[JAYDEN], driver.state.decisions[MIA]
    assert jayden.outcome is PlanOutcome.CHILD_PROTECTION_PLAN
    assert jayden.other_categories == frozenset({Category.NEGLECT})
    assert jayden.after_round == 2
    assert mia.outcome is PlanOutcome.CHILD_IN_NEED_PLAN
    assert mia.category is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"outcome": PlanOutcome.CHILD_PROTECTION_PLAN}, RejectionCode.CATEGORY_REQUIRED),
        (
            {"outcome": PlanOutcome.CHILD_IN_NEED_PLAN, "category": Category.NEGLECT},
            RejectionCode.CATEGORY_NOT_EXPECTED,
        ),
        (
            {
                "outcome": PlanOutcome.UNIVERSAL_SERVICES,
                "other_categories": frozenset({Category.SEXUAL}),
            },
            RejectionCode.CATEGORY_NOT_EXPECTED,
        ),
        (
            {
                "outcome": PlanOutcome.CHILD_PROTECTION_PLAN,
                "category": Category.PHYSICAL,
                "rationale": " ",
            },
            RejectionCode.TEXT_REQUIRED,
        ),
    ],
)
def test_invalid_decisions_are_rejected(fields: dict[str, object], code: RejectionCode) -> None:
    driver = drive_to(Phase.DECISION)
    error = rejection(
        driver, RecordDecision, CHAIR, **{"child_id": JAYDEN, "rationale": "Reason.", **fields}
    )
    assert error.code is code


def test_every_child_needs_a_decision_before_the_plan() -> None:
    driver = drive_to(Phase.DECISION)
    driver.do(
        RecordDecision,
        CHAIR,
        child_id=MIA,
        outcome=PlanOutcome.EARLY_HELP_PLAN,
        rationale="Early help.",
    )
    assert rejection(driver, AdvancePhase, CHAIR).code is RejectionCode.DECISION_MISSING


def test_dissent_is_recorded_with_its_reason() -> None:
    state = full_conference().state
    (dissent,) = state.dissents
    assert (dissent.child_id, dissent.role, dissent.reason) == (
        JAYDEN,
        Role.HOUSING,
        "The home is settled now.",
    )


def test_the_chair_can_record_a_professionals_dissent() -> None:
    driver = drive_to(Phase.DECISION)
    driver.do(
        RecordDecision, CHAIR, child_id=MIA, outcome=PlanOutcome.CHILD_IN_NEED_PLAN, rationale="r"
    )
    driver.do(RecordDissent, CHAIR, child_id=MIA, role=Role.POLICE, reason="Too low.")
    assert driver.state.dissents[-1].role is Role.POLICE


@pytest.mark.parametrize(
    ("actor", "fields", "error_type", "code"),
    [
        (
            seat(Role.GP),
            {"child_id": JAYDEN, "role": Role.GP, "reason": "x"},
            IllegalTransition,
            RejectionCode.DECISION_MISSING,
        ),
        (
            seat(Role.GP),
            {"child_id": MIA, "role": Role.POLICE, "reason": "x"},
            NotPermitted,
            RejectionCode.WRONG_ROLE,
        ),
        (
            CHAIR,
            {"child_id": MIA, "role": Role.PARENT, "reason": "x"},
            InvalidCommand,
            RejectionCode.INVALID_DISSENTER,
        ),
        (
            CHAIR,
            {"child_id": MIA, "role": Role.CHAIR, "reason": "x"},
            InvalidCommand,
            RejectionCode.INVALID_DISSENTER,
        ),
        (
            seat(Role.GP),
            {"child_id": MIA, "role": Role.GP, "reason": ""},
            InvalidCommand,
            RejectionCode.REASON_REQUIRED,
        ),
    ],
)
def test_invalid_dissents_are_rejected(
    actor: Actor, fields: dict[str, object], error_type: type, code: RejectionCode
) -> None:
    driver = drive_to(Phase.DECISION)
    driver.do(
        RecordDecision, CHAIR, child_id=MIA, outcome=PlanOutcome.CHILD_IN_NEED_PLAN, rationale="r"
    )
    error = rejection(driver, RecordDissent, actor, **fields)
    assert isinstance(error, error_type)
    assert error.code is code


def test_a_dissent_is_recorded_once() -> None:
    driver = drive_to(Phase.OUTLINE_PLAN)
    error = rejection(
        driver,
        RecordDissent,
        seat(Role.HOUSING),
        child_id=JAYDEN,
        role=Role.HOUSING,
        reason="Again",
    )
    assert error.code is RejectionCode.DISSENT_ALREADY_RECORDED


# Outline plan ---------------------------------------------------------------------------


def test_the_first_core_group_may_meet_on_the_tenth_working_day() -> None:
    # 1 May 2025 + 10 working days, skipping 5 May and Liberation Day (9 May).
    driver = drive_to(Phase.OUTLINE_PLAN)
    driver.do(SetPlan, CHAIR, **plan_fields(first_core_group_on=date(2025, 5, 19)))
    assert driver.state.plan.first_core_group_on == date(2025, 5, 19)
    assert SETUP.first_core_group_deadline == date(2025, 5, 19)


def test_a_first_core_group_beyond_ten_working_days_is_rejected() -> None:
    driver = drive_to(Phase.OUTLINE_PLAN)
    error = rejection(driver, SetPlan, CHAIR, **plan_fields(first_core_group_on=date(2025, 5, 20)))
    assert isinstance(error, InvalidCommand)
    assert error.code is RejectionCode.FIRST_CORE_GROUP_TOO_LATE
    assert "2025-05-19" in error.message


def test_without_holidays_the_tenth_working_day_comes_sooner() -> None:
    driver = Driver(state=new_conference(replace(SETUP, holidays=frozenset())))
    while driver.state.phase is not Phase.OUTLINE_PLAN:
        driver.do(SkipPhase, TRAINER)
    error = rejection(driver, SetPlan, CHAIR, **plan_fields(first_core_group_on=date(2025, 5, 16)))
    assert error.code is RejectionCode.FIRST_CORE_GROUP_TOO_LATE
    driver.do(SetPlan, CHAIR, **plan_fields(first_core_group_on=date(2025, 5, 15)))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"lead_social_worker": Role.HEALTH_VISITOR}, RejectionCode.LEAD_SOCIAL_WORKER_NOT_CSC),
        ({"lead_social_worker": Role.POLICE}, RejectionCode.LEAD_SOCIAL_WORKER_NOT_CSC),
        (
            {"core_group": frozenset({Role.HEALTH_VISITOR})},
            RejectionCode.LEAD_SOCIAL_WORKER_NOT_IN_CORE_GROUP,
        ),
        (
            {"core_group": frozenset({Role.LEAD_SOCIAL_WORKER, Role.CHAIR})},
            RejectionCode.INVALID_CORE_GROUP_MEMBER,
        ),
        (
            {"first_core_group_on": date(2025, 4, 30)},
            RejectionCode.FIRST_CORE_GROUP_BEFORE_CONFERENCE,
        ),
        ({"first_core_group_on": date(2025, 5, 9)}, RejectionCode.FIRST_CORE_GROUP_NOT_WORKING_DAY),
        (
            {"first_core_group_on": date(2025, 5, 10)},
            RejectionCode.FIRST_CORE_GROUP_NOT_WORKING_DAY,
        ),
        ({"contingency": ""}, RejectionCode.TEXT_REQUIRED),
        ({"other_members": ("",)}, RejectionCode.TEXT_REQUIRED),
    ],
)
def test_invalid_plans_are_rejected(overrides: dict[str, object], code: RejectionCode) -> None:
    driver = drive_to(Phase.OUTLINE_PLAN)
    error = rejection(driver, SetPlan, CHAIR, **plan_fields(**overrides))
    assert error.code is code


def test_plan_rows_need_every_column_and_a_unique_id() -> None:
    driver = drive_to(Phase.OUTLINE_PLAN)
    driver.do(AddPlanRow, CHAIR, row=plan_row("r1"))
    assert (
        rejection(driver, AddPlanRow, CHAIR, row=plan_row("r1")).code is RejectionCode.DUPLICATE_ROW
    )
    blank = replace(plan_row("r2"), how_we_will_know="")
    assert rejection(driver, AddPlanRow, CHAIR, row=blank).code is RejectionCode.TEXT_REQUIRED
    stranger = replace(plan_row("r3"), child_id="nobody")
    assert rejection(driver, AddPlanRow, CHAIR, row=stranger).code is RejectionCode.UNKNOWN_CHILD
    driver.do(RemovePlanRow, CHAIR, row_id="r1")
    assert driver.state.plan.rows == ()
    assert rejection(driver, RemovePlanRow, CHAIR, row_id="r1").code is RejectionCode.UNKNOWN_ROW


def test_a_child_protection_plan_must_be_complete_before_closing() -> None:
    driver = drive_to(Phase.OUTLINE_PLAN)
    assert rejection(driver, AdvancePhase, CHAIR).code is RejectionCode.PLAN_INCOMPLETE
    driver.do(SetPlan, CHAIR, **plan_fields())
    assert rejection(driver, AdvancePhase, CHAIR).code is RejectionCode.PLAN_INCOMPLETE
    driver.do(AddPlanRow, CHAIR, row=plan_row())
    driver.do(AdvancePhase, CHAIR)
    assert driver.state.phase is Phase.CLOSED


def test_no_plan_is_needed_to_close_without_a_child_protection_plan() -> None:
    driver = drive_to(Phase.DECISION)
    for child_id in (JAYDEN, MIA):
        driver.do(
            RecordDecision,
            CHAIR,
            child_id=child_id,
            outcome=PlanOutcome.CHILD_IN_NEED_PLAN,
            rationale="r",
        )
    driver.do(AdvancePhase, CHAIR)
    driver.do(AdvancePhase, CHAIR)
    assert driver.state.phase is Phase.CLOSED


# Pause, skip and go back -----------------------------------------------------------------


def test_pause_blocks_everything_but_resume() -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    driver.do(Pause, TRAINER, reason="Fire drill")
    assert view_for(driver.state, seat(Role.GP))["pause_reason"] == "Fire drill"
    for command in (
        driver.command(CastVote, seat(Role.GP), **ballot_fields(JAYDEN)),
        driver.command(AdvancePhase, CHAIR),
        driver.command(SkipPhase, TRAINER),
        driver.command(Pause, TRAINER),
        driver.command(ReleaseInject, TRAINER, inject_id="inject-1"),
    ):
        with pytest.raises(IllegalTransition) as caught:
            driver.run(command)
        assert caught.value.code is RejectionCode.PAUSED
    assert rejection(driver, Resume, CHAIR).code is RejectionCode.TRAINER_ONLY
    driver.do(Resume, TRAINER)
    assert driver.state.paused is False
    assert rejection(driver, Resume, TRAINER).code is RejectionCode.NOT_PAUSED
    driver.do(CastVote, seat(Role.GP), **ballot_fields(JAYDEN))


def test_skip_moves_on_without_the_exit_condition() -> None:
    driver = drive_to(Phase.RECOMMENDATIONS)
    assert rejection(driver, AdvancePhase, CHAIR).code is RejectionCode.VOTES_NOT_REVEALED
    assert rejection(driver, SkipPhase, CHAIR).code is RejectionCode.TRAINER_ONLY
    driver.do(SkipPhase, TRAINER)
    assert driver.state.phase is Phase.DECISION
    assert driver.state.phase_history[-1].move is PhaseMove.SKIP


def test_go_back_returns_one_step_and_keeps_what_was_done() -> None:
    driver = drive_to(Phase.DECISION)
    driver.do(GoBack, TRAINER)
    assert driver.state.phase is Phase.RECOMMENDATIONS
    assert driver.state.phase_history[-1].move is PhaseMove.BACK
    assert len(driver.state.rounds) == 2
    driver.do(OpenRevote, CHAIR)
    assert len(driver.state.rounds) == 3


def test_go_back_from_the_summary_skips_the_optional_exclusion() -> None:
    driver = drive_to(Phase.SUMMARY)
    driver.do(GoBack, TRAINER)
    assert driver.state.phase is Phase.FAMILY_VIEWS


def test_there_is_nothing_before_pre_conference() -> None:
    driver = Driver()
    assert rejection(driver, GoBack, TRAINER).code is RejectionCode.NOT_ALLOWED_IN_PHASE


def test_a_closed_conference_can_only_be_reopened_by_going_back() -> None:
    driver = full_conference()
    assert ALLOWED_IN_PHASE[Phase.CLOSED] == frozenset({Resume, GoBack})
    driver.do(GoBack, TRAINER)
    assert driver.state.phase is Phase.OUTLINE_PLAN


def test_moving_on_finishes_the_current_contribution() -> None:
    driver = drive_to(Phase.AGENCY_CONTRIBUTIONS)
    driver.do(CallSpeaker, CHAIR, role=Role.POLICE)
    driver.do(SkipPhase, TRAINER)
    assert driver.state.current_speaker is None
    assert driver.state.contributed == (Role.POLICE,)


def test_phase_change_lowers_raised_hands() -> None:
    driver = drive_to(Phase.OPENING)
    driver.do(RaiseHand, seat(Role.GP))
    before = driver.state
    driver.do(SkipPhase, TRAINER)
    after = driver.state
    assert before.raised_hands == (Role.GP,)
    assert after.raised_hands == ()


# Contributions and sharing ---------------------------------------------------------------


def test_speakers_follow_the_order_and_only_the_speaker_shares() -> None:
    driver = drive_to(Phase.AGENCY_CONTRIBUTIONS)
    driver.do(CallSpeaker, CHAIR)
    assert driver.state.current_speaker is Role.LEAD_SOCIAL_WORKER
    error = rejection(driver, ShareItem, seat(Role.GP), item_id=item(Role.GP, 1))
    assert error.code is RejectionCode.NOT_THE_SPEAKER
    driver.do(ShareItem, seat(Role.LEAD_SOCIAL_WORKER), item_id=item(Role.LEAD_SOCIAL_WORKER, 2))
    error = rejection(
        driver, ShareItem, seat(Role.LEAD_SOCIAL_WORKER), item_id=item(Role.LEAD_SOCIAL_WORKER, 2)
    )
    assert error.code is RejectionCode.ALREADY_SHARED
    error = rejection(driver, ShareItem, seat(Role.LEAD_SOCIAL_WORKER), item_id=item(Role.GP, 1))
    assert error.code is RejectionCode.UNKNOWN_ITEM
    driver.do(CallSpeaker, CHAIR)
    second = driver.state
    driver.do(FinishContribution, seat(Role.HEALTH_VISITOR))
    assert second.contributed == (Role.LEAD_SOCIAL_WORKER,)
    assert second.current_speaker is Role.HEALTH_VISITOR
    assert driver.state.current_speaker is None


def test_the_chair_runs_out_of_speakers() -> None:
    driver = drive_to(Phase.FAMILY_VIEWS)
    driver.do(GoBack, TRAINER)
    assert rejection(driver, CallSpeaker, CHAIR).code is RejectionCode.NO_SPEAKER_LEFT
    assert (
        rejection(driver, CallSpeaker, CHAIR, role=Role.PARENT).code
        is RejectionCode.INVALID_SPEAKER
    )


def test_shared_items_record_their_phase() -> None:
    state = full_conference().state
    police = [s for s in state.shared_items if s.role is Role.POLICE]
    assert [(s.item_id, s.phase) for s in police] == [
        (item(Role.POLICE, 1), Phase.AGENCY_CONTRIBUTIONS),
        (item(Role.POLICE, 3), Phase.EXCLUSION),
    ]


def test_an_inject_adds_to_the_items_a_role_may_share() -> None:
    driver = drive_to(Phase.AGENCY_CONTRIBUTIONS)
    driver.do(CallSpeaker, CHAIR, role=Role.GP)
    assert (
        rejection(driver, ShareItem, seat(Role.GP), item_id="inject-1").code
        is RejectionCode.UNKNOWN_ITEM
    )
    driver.do(ReleaseInject, TRAINER, inject_id="inject-1", to=Role.GP)
    driver.do(ShareItem, seat(Role.GP), item_id="inject-1")
    error = rejection(driver, ReleaseInject, TRAINER, inject_id="inject-1", to=Role.GP)
    assert error.code is RejectionCode.INJECT_ALREADY_RELEASED
    assert (
        rejection(driver, ReleaseInject, TRAINER, inject_id="nope").code
        is RejectionCode.UNKNOWN_INJECT
    )


def test_injects_are_seen_by_their_audience_only() -> None:
    driver = drive_to(Phase.OPENING)
    driver.do(ReleaseInject, TRAINER, inject_id="inject-1", to=Role.POLICE)
    driver.do(ReleaseInject, TRAINER, inject_id="inject-2")
    assert [i["inject_id"] for i in view_for(driver.state, seat(Role.POLICE))["injects"]] == [
        "inject-1",
        "inject-2",
    ]
    assert [i["inject_id"] for i in view_for(driver.state, seat(Role.GP))["injects"]] == [
        "inject-2"
    ]
    assert len(view_for(driver.state, TRAINER)["injects"]) == 2
    targeted = driver.events[-2]
    assert event_view_for(driver.state, targeted, seat(Role.GP)) is None


# Exclusion and confidentiality --------------------------------------------------------------


def test_excluded_roles_cannot_act_and_never_see_what_was_shared_without_them() -> None:
    driver = drive_to(Phase.EXCLUSION)
    assert driver.state.is_excluded(Role.PARENT) is True
    error = rejection(driver, RaiseHand, seat(Role.PARENT))
    assert error.code is RejectionCode.EXCLUDED
    driver.do(ShareItem, seat(Role.POLICE), item_id=item(Role.POLICE, 3))
    driver.do(StateImpact, seat(Role.POLICE), child_id=JAYDEN, text="Investigation continues.")
    driver.do(AdvancePhase, CHAIR)
    assert isinstance(driver.events[-2], ExclusionEnded)
    assert driver.state.is_excluded(Role.PARENT) is False
    parent_view = view_for(driver.state, seat(Role.PARENT))
    assert item(Role.POLICE, 3) not in [s["item_id"] for s in parent_view["shared_items"]]
    assert all(i["phase"] != "exclusion" for i in parent_view["impacts"])
    gp_view = view_for(driver.state, seat(Role.GP))
    assert item(Role.POLICE, 3) in [s["item_id"] for s in gp_view["shared_items"]]


def test_exclusion_needs_a_valid_audience() -> None:
    from simulations.engine.commands import StartExclusion
    from simulations.engine.vocabulary import ExclusionReason

    driver = drive_to(Phase.FAMILY_VIEWS)
    for excluded in (frozenset(), frozenset({Role.CHAIR})):
        error = rejection(
            driver, StartExclusion, CHAIR, excluded=excluded, reason=ExclusionReason.SAFETY
        )
        assert error.code is RejectionCode.INVALID_EXCLUSION


def test_confidential_flags_show_only_to_the_chair_and_their_author() -> None:
    state = full_conference().state
    for actor in (CHAIR, TRAINER, seat(Role.POLICE)):
        assert view_for(state, actor)["reports"]["police"]["confidential"][0]["item_id"] == item(
            Role.POLICE, 3
        )
    for role in (Role.GP, Role.PARENT, Role.OBSERVER):
        assert "confidential" not in view_for(state, seat(role))["reports"]["police"]


def test_unsubmitted_reports_are_private_to_their_author_and_the_chair() -> None:
    from simulations.engine.commands import FlagConfidential

    driver = Driver()
    driver.do(FlagConfidential, seat(Role.POLICE), item_id=item(Role.POLICE, 1))
    assert "police" not in view_for(driver.state, seat(Role.GP))["reports"]
    assert "police" in view_for(driver.state, seat(Role.POLICE))["reports"]
    assert "police" in view_for(driver.state, CHAIR)["reports"]


# Reports ----------------------------------------------------------------------------------


def test_resubmitting_a_report_keeps_the_first_submission_time() -> None:
    driver = Driver()
    for text in ("First draft.", "Amended."):
        driver.do(SubmitReport, seat(Role.GP), sections={ReportSection.WORRIES: text})
    report = driver.state.reports[Role.GP]
    assert report.revision == 2
    assert report.sections[ReportSection.WORRIES] == "Amended."
    assert report.first_submitted_at is not None
    assert report.submitted_at is not None
    assert report.first_submitted_at < report.submitted_at


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"sections": {ReportSection.WORRIES: "  "}}, RejectionCode.EMPTY_REPORT),
        (
            {
                "statements": (
                    Statement(
                        text="Told by a neighbour.",
                        provenance=Provenance.ALLEGATION,
                        second_hand=True,
                    ),
                )
            },
            RejectionCode.SOURCE_REQUIRED,
        ),
        (
            {"statements": (Statement(text="x", provenance=Provenance.FACT, item_id="police-1"),)},
            RejectionCode.UNKNOWN_ITEM,
        ),
        (
            {"statements": (Statement(text="", provenance=Provenance.FACT),)},
            RejectionCode.TEXT_REQUIRED,
        ),
    ],
)
def test_invalid_reports_are_rejected(fields: dict[str, object], code: RejectionCode) -> None:
    assert rejection(Driver(), SubmitReport, seat(Role.GP), **fields).code is code


@pytest.mark.parametrize(
    ("fields", "needle"),
    [
        (
            {"sections": {ReportSection.WORRIES: "Seen at surgery; NHS 943 476 5919."}},
            "The report section 'worries' contains what looks like a real NHS number",
        ),
        (
            {
                "statements": (
                    Statement(text="Fine.", provenance=Provenance.FACT),
                    Statement(text="Mum's DOB: 02/05/1990.", provenance=Provenance.FACT),
                )
            },
            "Statement 2 of the report contains what looks like a real date of birth",
        ),
        (
            {
                "statements": (
                    Statement(
                        text="Told by a neighbour.",
                        provenance=Provenance.ALLEGATION,
                        second_hand=True,
                        source="neighbour, jo.bloggs@gmail.com",
                    ),
                )
            },
            "The source of statement 1 of the report contains what looks like a real e-mail",
        ),
    ],
)
def test_reports_with_real_identifiers_are_rejected(fields: dict[str, object], needle: str) -> None:
    """Nothing is decided: the rejection names the kind of identifier and where it is."""
    driver = Driver()
    refused = rejection(driver, SubmitReport, seat(Role.GP), **fields)
    assert refused.code is RejectionCode.REAL_IDENTIFIER
    assert needle in refused.message
    assert Role.GP not in driver.state.reports


def test_invented_details_in_a_report_are_accepted() -> None:
    """Fictional telephone numbers and reserved e-mail domains pass."""
    driver = Driver()
    text = "Mum rang from 07700 900417 and wrote from mum@example.com."
    driver.do(SubmitReport, seat(Role.GP), sections={ReportSection.WORRIES: text})
    assert driver.state.reports[Role.GP].sections[ReportSection.WORRIES] == text


def test_opening_a_pack_twice_is_not_an_event() -> None:
    driver = Driver()
    assert len(driver.do(OpenPack, seat(Role.GP))) == 1
    assert driver.do(OpenPack, seat(Role.GP)) == []


def test_the_report_deadline_counts_back_working_days() -> None:
    assert SETUP.report_deadline == date(2025, 4, 29)
    review = replace(
        SETUP, conference_type=SETUP.conference_type.REVIEW, conference_date=date(2025, 4, 25)
    )
    # Five working days before Friday 25 April, skipping Easter Monday and
    # Good Friday.
    assert review.report_deadline == date(2025, 4, 16)


def test_family_views_come_from_the_family_or_for_the_child() -> None:
    from simulations.engine.state import Voice

    driver = drive_to(Phase.FAMILY_VIEWS)
    assert (
        rejection(driver, GiveView, seat(Role.PARENT), voice=Voice.CHILD, text="x").code
        is RejectionCode.WRONG_ROLE
    )
    assert (
        rejection(driver, GiveView, seat(Role.GP), voice=Voice.PARENT, text="x").code
        is RejectionCode.WRONG_ROLE
    )
    driver.do(
        GiveView,
        seat(Role.LEAD_SOCIAL_WORKER),
        voice=Voice.CHILD,
        child_id=MIA,
        text="Mia likes school.",
    )
    assert driver.state.views[-1].role is Role.LEAD_SOCIAL_WORKER


# Actors ------------------------------------------------------------------------------------


def test_a_trainer_taking_over_the_chair_can_chair() -> None:
    driver = drive_to(Phase.OPENING)
    driver.do(AdvancePhase, Actor.trainer(as_role=Role.CHAIR))
    assert driver.state.log[-1].by_trainer is True


def test_the_trainer_console_must_take_over_a_role_to_act_in_it() -> None:
    driver = drive_to(Phase.OPENING)
    assert rejection(driver, AdvancePhase, TRAINER).code is RejectionCode.ROLE_REQUIRED


def test_an_unseated_role_may_not_act() -> None:
    setup = replace(
        SETUP, seated_roles=tuple(r for r in SETUP.seated_roles if r is not Role.HOUSING)
    )
    state = new_conference(setup)
    command = SubmitReport(
        command_id="c", actor=seat(Role.HOUSING), sections={ReportSection.WORRIES: "x"}
    )
    assert can_issue(seat(Role.HOUSING), command, state) is False
    with pytest.raises(NotPermitted) as caught:
        decide(state, command, now=START + timedelta(hours=1))
    assert caught.value.code is RejectionCode.ROLE_NOT_SEATED


def test_rejections_describe_themselves() -> None:
    error = NotPermitted(RejectionCode.CHAIR_ONLY)
    assert error.to_dict() == {
        "error": "NotPermitted",
        "code": "chair_only",
        "message": "Only the chair can do that.",
    }
    assert str(error) == "Only the chair can do that."


def test_a_report_may_hold_what_the_caller_allows() -> None:
    """An allowlisted contact passes; the same report without the allowlist does not."""
    text = "The training team is at safeguardingtraining@gov.je."
    driver = Driver()
    refused = rejection(driver, SubmitReport, seat(Role.GP), sections={ReportSection.WORRIES: text})
    assert refused.code is RejectionCode.REAL_IDENTIFIER
    command = SubmitReport(
        command_id="allowed",
        actor=seat(Role.GP),
        sections={ReportSection.WORRIES: text},
    )
    events = decide(
        driver.state,
        command,
        now=driver.clock,
        allowed_identifiers=["SafeguardingTraining@gov.je"],
    )
    assert [type(event).__name__ for event in events] == ["ReportSubmitted"]
