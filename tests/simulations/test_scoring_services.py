"""Scoring stored conferences: on close, again (idempotently), and from bad records."""

from __future__ import annotations

import json
import logging
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from content.guidance_selectors import guidance_cache_forget
from simulations import scoring_services
from simulations.engine.ruleset import (
    DEFAULT_RULE_SET,
    DEFAULT_RULE_SET_DATA,
    RuleSetError,
    ruleset_from_dict,
)
from simulations.engine.scoring import RuleConfig, RuleSet
from simulations.models import Room, RoomEvent, RoomScore
from simulations.panels import room_context_clear
from simulations.playback import play
from simulations.scoring_services import (
    RoomScoreRefused,
    UnknownRuleSet,
    rescore_rooms,
    room_score,
    room_score_if_closed,
    ruleset_get,
)
from simulations.selectors import room_state_cache_clear
from tests.simulations.rooms import open_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def guidance(demo_people) -> None:  # type: ignore[no-untyped-def]
    """The demo guidance, imported as seed_demo does: the paragraphs findings cite."""
    call_command("seed_guidance", stdout=StringIO())
    guidance_cache_forget()
    yield
    guidance_cache_forget()


@pytest.fixture
def room(guidance) -> Room:  # type: ignore[no-untyped-def]
    """A Jayden room with delegate01..09 in the nine seats, not started."""
    room_context_clear()  # room ids are reused between tests
    room_state_cache_clear()
    return open_room()


@pytest.fixture
def closed_room(room: Room) -> Room:
    return play(room)


def findings(score: RoomScore, **match: str) -> list[dict]:
    """Return the score's findings whose fields equal ``match`` (subject as "kind:id")."""
    found = []
    for finding in score.scorecard["findings"]:
        subject = f"{finding['subject']['kind']}:{finding['subject']['id']}"
        fields = {**finding, "subject": subject}
        if all(fields.get(key) == value for key, value in match.items()):
            found.append(finding)
    return found


def rescore(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("rescore", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def other_version(version: str = "2026.2", **changes: object) -> dict:
    """Return the default rule set's data as another version."""
    data = json.loads(json.dumps(DEFAULT_RULE_SET_DATA))
    data["version"] = version
    data.update(changes)
    return data


# Scoring a conference ------------------------------------------------------------


def test_closing_a_conference_scores_it_once_the_close_has_committed(
    room: Room, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        closed = play(room)
    assert not RoomScore.objects.filter(room=room).exists()  # not before the commit
    for callback in callbacks:
        callback()
    score = RoomScore.objects.get(room=closed)
    assert (score.seq, score.phase) == (closed.seq, "closed")
    assert score.rule_set_version == DEFAULT_RULE_SET.version


def test_a_closed_conference_is_scored_with_what_it_was_judged_against(closed_room: Room) -> None:
    score = room_score_if_closed(closed_room.pk)
    assert score is not None
    assert score.rule_set_version == DEFAULT_RULE_SET.version == "2026.1"
    assert (score.seq, score.phase) == (closed_room.seq, "closed")
    assert score.guidance_version == "procedures-summary@2025-09-01"
    assert score.scenario_revision_id == closed_room.scenario_revision_id is not None
    card = score.scorecard
    assert card["rule_set_version"] == "2026.1" and card["room_id"] == str(closed_room.pk)
    assert {f["rule_id"] for f in card["findings"]} >= {"R01-level-of-need", "R22-quorum"}
    assert score.totals["room"]["points"] == card["room_total"]["points"]
    assert score.totals["roles"]["gp"]["max_points"] > 0
    assert set(card["agreement"]) >= {"kappa_threshold", "kappa_category", "movement"}


def test_explanations_quote_the_case_with_names_not_placeholders(closed_room: Room) -> None:
    score = room_score(room=closed_room)
    texts = [f["explanation"] for f in score.scorecard["findings"]] + [
        e["detail"] for f in score.scorecard["findings"] for e in f["evidence"]
    ]
    assert not [t for t in texts if "{" in t or "}" in t]
    assert any("Jayden" in t for t in texts)


def test_scoring_the_same_record_again_returns_the_stored_score(closed_room: Room) -> None:
    first = room_score(room=closed_room)
    again = room_score(room=closed_room)
    assert again.pk == first.pk
    assert RoomScore.objects.filter(room=closed_room).count() == 1
    forced = room_score(room=closed_room, force=True)
    assert forced.pk == first.pk and forced.scored_at >= first.scored_at
    assert forced.scorecard == first.scorecard, "scoring is a pure function of the record"


def test_a_room_still_in_progress_is_not_scored_on_its_own(room: Room) -> None:
    play(room, until=lambda step: step.name == "CastVote")
    assert room_score_if_closed(room.pk) is None
    assert room_score_if_closed(999_999) is None
    assert not RoomScore.objects.exists()


# Bad input: scored where it can be, refused with a message where it cannot ---------


def test_an_abandoned_room_is_scored_with_not_assessable_findings(room: Room) -> None:
    play(room, until=lambda step: step.name == "CastVote")
    score = room_score(room=room)
    assert score.phase == "recommendations"
    for rule_id in ("R05-decision-outcome", "R33-lead-social-worker", "R34-first-core-group"):
        abandoned = findings(score, rule_id=rule_id)
        assert abandoned, rule_id
        assert {f["verdict"] for f in abandoned} == {"not_assessable"}, rule_id
        assert all(f["points"] == f["max_points"] == 0 for f in abandoned)
    # What did happen is still judged.
    assert findings(score, rule_id="R10-report-submitted", subject="role:gp")[0]["verdict"] == "met"


def test_a_missing_report_is_a_finding_not_a_crash(room: Room) -> None:
    def no_gp_report(step) -> bool:  # type: ignore[no-untyped-def]
        return (step.role == "gp" and step.name in {"SubmitReport", "RecordReportSharing"}) or (
            step.name == "ReadReport" and step.args.get("author") == "gp"
        )

    play(room, skip=no_gp_report)
    score = room_score(room=room)
    (missing,) = findings(score, rule_id="R10-report-submitted", subject="role:gp")
    assert missing["verdict"] == "not_met" and missing["points"] == 0
    assert "report" in missing["explanation"].lower()


def test_a_ballot_for_an_unknown_child_is_not_assessable(closed_room: Room) -> None:
    vote = RoomEvent.objects.filter(room=closed_room, kind="VoteCast").first()
    assert vote is not None
    closed_room.seq += 1
    RoomEvent.objects.create(
        room=closed_room,
        seq=closed_room.seq,
        kind="VoteCast",
        data={**vote.data, "child_id": "nobody", "command_id": "stray-ballot"},
        command_id="stray-ballot",
    )
    closed_room.save(update_fields=["seq"])
    score = room_score(room=closed_room)
    stray = [f for f in score.scorecard["findings"] if f["child_id"] == "nobody"]
    assert stray and {f["verdict"] for f in stray} == {"not_assessable"}
    assert all(f["points"] == f["max_points"] == 0 for f in stray)
    assert [m["child_id"] for m in score.scorecard["agreement"]["movement"]] == ["jayden"]


def test_a_damaged_event_log_is_refused_with_a_message(closed_room: Room, caplog) -> None:  # type: ignore[no-untyped-def]
    RoomEvent.objects.filter(room=closed_room, seq=3).update(data={"type": "NoSuchEvent"})
    with pytest.raises(RoomScoreRefused, match="cannot be read"):
        room_score(room=closed_room)
    with caplog.at_level(logging.WARNING, logger="simulations.scoring_services"):
        assert room_score_if_closed(closed_room.pk) is None
    assert "was not scored" in caplog.text
    RoomEvent.objects.filter(room=closed_room, seq=3).delete()
    with pytest.raises(RoomScoreRefused, match="has gaps"):
        room_score(room=closed_room)


def test_a_rule_the_engine_does_not_know_is_refused_at_load_or_not_assessable(
    closed_room: Room,
) -> None:
    data = other_version()
    data["rules"].append(
        {"rule_id": "R99-made-up", "points": 2, "citations": ["guidance:procedures-summary:para-8"]}
    )
    with pytest.raises(RuleSetError, match="unknown rule 'R99-made-up'"):
        ruleset_from_dict(data)
    # A rule set built without the loader is scored where it can be.
    ruleset = RuleSet(
        version="2026.x",
        rules=(
            *DEFAULT_RULE_SET.rules,
            RuleConfig(
                rule_id="R99-made-up", points=2, citations=("guidance:procedures-summary:para-8",)
            ),
        ),
    )
    score = room_score(room=closed_room, ruleset=ruleset)
    (unknown,) = findings(score, rule_id="R99-made-up")
    assert unknown["verdict"] == "not_assessable" and "does not know" in unknown["explanation"]
    assert findings(score, rule_id="R01-level-of-need", subject="role:gp")[0]["verdict"] == "met"


def test_a_citation_that_does_not_resolve_is_refused(closed_room: Room, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = other_version()
    data["rules"][0]["citations"] = ["guidance:procedures-summary:para-999"]
    monkeypatch.setattr(
        scoring_services, "RULE_SETS", {**scoring_services.RULE_SETS, "2026.2": data}
    )
    with pytest.raises(RuleSetError, match="para-999' does not resolve"):
        ruleset_get("2026.2")
    with pytest.raises(CommandError, match="para-999' does not resolve"):
        rescore("--rule-set", "2026.2")
    broken = RuleSet(
        version="2026.y",
        rules=(
            RuleConfig(
                rule_id="R22-quorum", points=2, citations=("guidance:procedures-summary:para-999",)
            ),
        ),
    )
    with pytest.raises(RoomScoreRefused, match="do not resolve on 3 December 2026"):
        room_score(room=closed_room, ruleset=broken)
    assert not RoomScore.objects.exists()


# Re-scoring ------------------------------------------------------------------------


def test_rescore_refuses_an_unknown_rule_set_and_a_bad_date() -> None:
    with pytest.raises(UnknownRuleSet):
        rescore_rooms(ruleset_version="1999.9")
    with pytest.raises(CommandError, match="'3/12/2026' is not a date"):
        rescore("--since", "3/12/2026")
    with pytest.raises(CommandError, match="--workers must be 1 or more"):
        rescore("--workers", "0")
    with pytest.raises(
        CommandError, match=r"There is no rule set '1999\.9'\. Known versions: 2026\.1"
    ):
        rescore("--rule-set", "1999.9")


def test_rescore_scores_every_stored_conference_once(closed_room: Room) -> None:
    abandoned = open_room(name="Room B", seminar=closed_room.seminar)
    play(abandoned, until=lambda step: step.name == "GiveSummary")
    open_room(name="Room C", seminar=closed_room.seminar)  # never started: nothing to score
    out, err = rescore()
    assert (
        "2 room(s) with events: 2 scored, 0 already scored against 2026.1, 0 refused (1 never closed"
        in out
    )
    assert "\r" in err and "2/2" in err and "rooms/s" in err
    assert RoomScore.objects.count() == 2
    out, _ = rescore("--no-progress")
    assert "0 scored, 2 already scored" in out
    assert RoomScore.objects.count() == 2
    out, _ = rescore("--force", "--no-progress")
    assert "2 scored, 0 already" in out and RoomScore.objects.count() == 2


def test_rescore_since_a_date_and_against_a_new_version_keeps_history(
    closed_room: Room, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User
    from simulations import services

    earlier = services.seminar_create(
        trainer=User.objects.get(username="trainer"), title="Earlier", date=date(2026, 6, 4)
    )
    old = play(open_room(name="Room Old", seminar=earlier))
    monkeypatch.setattr(
        scoring_services, "RULE_SETS", {**scoring_services.RULE_SETS, "2026.2": other_version()}
    )
    report = rescore_rooms(since=date(2026, 12, 1), ruleset_version="2026.2", workers=2)
    assert (report.total, report.scored, report.workers) == (
        1,
        1,
        1,
    )  # in-memory SQLite: one process
    out, _ = rescore("--rule-set", "2026.1", "--no-progress")
    assert "2 room(s) with events: 2 scored" in out
    versions = list(
        RoomScore.objects.filter(room=closed_room)
        .order_by("scored_at")
        .values_list("rule_set_version", flat=True)
    )
    assert versions == ["2026.2", "2026.1"]
    assert list(RoomScore.objects.filter(room=old).values_list("rule_set_version", flat=True)) == [
        "2026.1"
    ]


def test_rescore_lists_rooms_it_cannot_score_and_fails(closed_room: Room) -> None:
    RoomEvent.objects.filter(room=closed_room, seq=2).update(data={"type": "NoSuchEvent"})
    with pytest.raises(CommandError, match="1 room"):
        rescore("--no-progress")
    report = rescore_rooms()
    assert report.refused and report.refused[0][0] == closed_room.pk
    assert "cannot be read" in report.refused[0][1]


def test_a_cached_state_of_another_room_with_the_same_id_is_not_used(room: Room) -> None:
    from simulations.selectors import room_state, room_state_cache_put

    played = play(room)
    stale = room_state(room=played)  # the closed conference, now cached
    fresh = Room.objects.get(pk=room.pk)
    # Another room with this id and as many events, none of them played yet.
    fresh.join_code, fresh.snapshot = "ZZZZZZ", None
    RoomEvent.objects.filter(room=fresh).delete()
    assert fresh.seq == played.seq
    assert room_state(room=fresh).phase.value == "pre_conference"
    room_state_cache_put(room=played, seq=played.seq, state=stale)
    assert room_state(room=fresh).phase.value == "pre_conference"
    assert room_state(room=played) is not stale  # the fresh room's state replaced it
