"""The scoring rules: one small pure function per check in the procedures.

Each rule reads a :class:`~simulations.engine.scoring.Context` (the
conference record, the case file and shared lookups) and returns findings.
Rules are registered in :data:`RULES` by id; a rule set (data, see
:mod:`simulations.engine.ruleset`) chooses which run, how many points each
is worth and which paragraphs each cites. A rule's docstring names the
procedure it checks; ``procedures-reference.md`` section 12 numbers are given
as "ref. 12 R<n>".

Conventions every rule follows:

- A finding's subject is the delegate's role for what a delegate did (a
  report, a recommendation), the child for what the conference decided
  about a child, and the room for how the conference was run.
- A step the room never passed, with its evidence incomplete, is
  NOT_ASSESSABLE with what was seen so far; a step that does not arise
  (nothing confidential to hold) is NOT_APPLICABLE. Both score 0 of 0.
- Explanations speak to the delegate ("You tagged ... as a fact; it is an
  allegation ..."). Quoted pack texts read best when the caller passes the
  scenario rendered for the seminar (``casefile.render_scenario``).

Heuristics, kept conservative and listed here so a trainer can tell why a
text passed or failed:

- Assumption presented as fact (R16): a statement tagged "fact" that is
  linked to an opinion or allegation in the pack, or whose text contains a
  hedge (:data:`HEDGES`: "probably", "seems", "I think", "likely", "must
  have" ...). Statements tagged as anything else are never flagged.
- Worry stated as impact (R17): each non-empty line of "What are we worried
  about?" (bullets stripped) must mention the child (a child's name or id,
  or a word such as "child", "baby", "son") and an impact word
  (:data:`IMPACT_WORDS`: "impact", "affects", "frightened", "harm",
  "development" ...). A one-paragraph section is one worry.
- Who owns a plan action (R35, R36): roles are recognised in the free-text
  "who" column and in the other core group members by the aliases in
  :data:`ROLE_ALIASES`, plus the given and family names of the adults in
  the household (read as the parent or carer).
- Seeing the child alone (R39): the word "alone" (or "on their own" and
  the like) anywhere in the plan rows or contingency plan.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from typing import Final

from simulations.engine.calendar import add_working_days, working_days_between
from simulations.engine.casefile import AnswerKey, PackItem, format_date
from simulations.engine.scoring import (
    Context,
    Evidence,
    EvidenceKind,
    Finding,
    RuleConfig,
    Subject,
    Verdict,
    excerpt,
)
from simulations.engine.state import (
    FIRST_CORE_GROUP_WORKING_DAYS,
    REPORT_NOTICE_WORKING_DAYS,
    Ballot,
    LogEntry,
    OpeningItem,
    Phase,
    Report,
    Statement,
    Voice,
)
from simulations.engine.vocabulary import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    Category,
    ConferenceType,
    LevelOfNeed,
    PlanOutcome,
    Provenance,
    ReportSection,
    Role,
)

MET = Verdict.MET
PARTLY = Verdict.PARTLY_MET
NOT_MET = Verdict.NOT_MET
NOT_APPLICABLE = Verdict.NOT_APPLICABLE
NOT_ASSESSABLE = Verdict.NOT_ASSESSABLE

type Check = Callable[[Context, RuleConfig], list[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its id, a short title and the check itself."""

    rule_id: str
    title: str
    check: Check
    procedure: str


_REGISTRY: dict[str, Rule] = {}


def rule(rule_id: str, title: str) -> Callable[[Check], Check]:
    """Register the decorated check as ``rule_id``."""

    def register(check: Check) -> Check:
        if rule_id in _REGISTRY:  # pragma: no cover - a programming error
            msg = f"rule {rule_id} registered twice"
            raise ValueError(msg)
        _REGISTRY[rule_id] = Rule(rule_id, title, check, inspect.getdoc(check) or "")
        return check

    return register


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------

OUTCOME_LABELS: Final[Mapping[PlanOutcome, str]] = MappingProxyType(
    {
        PlanOutcome.CHILD_PROTECTION_PLAN: "a child protection plan",
        PlanOutcome.CHILD_IN_NEED_PLAN: "a child in need plan",
        PlanOutcome.EARLY_HELP_PLAN: "an early help (wellbeing) plan",
        PlanOutcome.UNIVERSAL_SERVICES: "universal services only",
    }
)

SECTION_LABELS: Final[Mapping[ReportSection, str]] = MappingProxyType(
    {
        ReportSection.WORRIES: "What are we worried about?",
        ReportSection.WORKING_WELL: "What's working well?",
        ReportSection.COMPLICATING_FACTORS: "Complicating factors",
        ReportSection.VIEWS_OF_CHILD: "Views of the child",
        ReportSection.OBSERVATIONS_OF_CHILD: "Observations of the child",
        ReportSection.VIEWS_OF_PARENTS: "Views of the parents and network",
        ReportSection.NEXT_STEPS: "What needs to happen and next steps",
        ReportSection.VIEW_ON_PLANNING: "Your view on child protection planning",
        ReportSection.VIEW_ON_THRESHOLD: "Your view on the threshold",
        ReportSection.VIEW_ON_CATEGORY: "Your view on the category",
        ReportSection.SERVICE_SUPPORT: "How your service can support",
    }
)

PROVENANCE_NOUNS: Final[Mapping[Provenance, str]] = MappingProxyType(
    {
        Provenance.FACT: "a fact",
        Provenance.OBSERVATION: "an observation",
        Provenance.ALLEGATION: "an allegation",
        Provenance.OPINION: "an opinion",
    }
)

PROVENANCE_MEANINGS: Final[Mapping[Provenance, str]] = MappingProxyType(
    {
        Provenance.FACT: "information that can be checked against a record",
        Provenance.OBSERVATION: "what the writer saw or heard first-hand, without interpretation",
        Provenance.ALLEGATION: "a claim that has not been verified",
        Provenance.OPINION: "a professional judgement, which must be labelled as one",
    }
)

CONFERENCE_NAMES: Final[Mapping[ConferenceType, str]] = MappingProxyType(
    {
        ConferenceType.INITIAL: "an initial conference",
        ConferenceType.UNBORN: "an initial conference about an unborn baby",
        ConferenceType.TRANSFER_IN: "a transfer-in conference",
        ConferenceType.REVIEW: "a review conference",
    }
)

OPENING_LABELS: Final[Mapping[OpeningItem, str]] = MappingProxyType(
    {
        OpeningItem.INTRODUCTIONS: "introductions",
        OpeningItem.GROUND_RULES: "ground rules",
        OpeningItem.PURPOSE: "the purpose and process",
        OpeningItem.CONFIDENTIALITY: "confidentiality",
    }
)

HEDGES: Final[tuple[str, ...]] = (
    "probably",
    "possibly",
    "perhaps",
    "presumably",
    "seems",
    "seemed",
    "appears to",
    "appeared to",
    "i think",
    "i believe",
    "i suspect",
    "likely",
    "must have",
    "might have",
    "may have",
)
HEDGE_RE: Final = re.compile(r"\b(" + "|".join(map(re.escape, HEDGES)) + r")\b", re.IGNORECASE)

IMPACT_WORDS: Final[tuple[str, ...]] = (
    r"impact\w*",
    r"affect\w*",
    r"effects? on",
    r"means? for",
    r"meant for",
    r"experienc\w*",
    r"feel\w*",
    r"felt",
    r"frighten\w*",
    r"scared",
    r"afraid",
    r"fear\w*",
    r"unsafe",
    r"safety",
    r"at risk",
    r"harm\w*",
    r"hurt\w*",
    r"injur\w*",
    r"distress\w*",
    r"upset\w*",
    r"develop\w*",
    r"wellbeing",
    r"self-esteem",
    r"confidence",
    r"anxious",
    r"anxiety",
    r"withdrawn",
    r"low mood",
    r"self-harm\w*",
    r"lonely",
    r"isolat\w*",
    r"missing school",
    r"attendance",
)
IMPACT_RE: Final = re.compile(r"\b(" + "|".join(IMPACT_WORDS) + r")\b", re.IGNORECASE)
CHILD_WORDS_RE: Final = re.compile(
    r"\b(child|children|child's|children's|baby|unborn|son|daughter|boy|girl|young person)\b",
    re.IGNORECASE,
)
BULLET_RE: Final = re.compile(r"^\s*(?:[-*•○●]|\d+[.)])\s*")
ALONE_RE: Final = re.compile(
    r"\b(alone|on (?:his|her|their) own|by (?:him|her|them)sel(?:f|ves)|without (?:a )?"
    r"(?:parent|parents|carer|carers) present)\b",
    re.IGNORECASE,
)

ROLE_ALIASES: Final[Mapping[Role, tuple[str, ...]]] = MappingProxyType(
    {
        Role.LEAD_SOCIAL_WORKER: (
            "social worker",
            "social care",
            "children's social care",
            "csc",
            "sw",
        ),
        Role.HEALTH_VISITOR: ("health visitor", "health visiting", "hv"),
        Role.DESIGNATED_TEACHER: ("teacher", "school", "dsl", "head teacher", "nursery"),
        Role.GP: ("gp", "doctor", "surgery"),
        Role.HOUSING: ("housing", "andium", "landlord"),
        Role.POLICE: ("police", "ppu", "officer in the case"),
        Role.PARENT: (
            "parent",
            "parents",
            "mum",
            "mother",
            "dad",
            "father",
            "stepfather",
            "stepmother",
            "carer",
            "carers",
            "family",
        ),
        Role.CHILDS_ADVOCATE: ("advocate", "barnardo's", "barnardos", "jersey cares"),
    }
)
FAMILY_WORDS_RE: Final = re.compile(
    r"\b(grandmother|grandfather|grandparent|gran|grandma|grandad|aunt|uncle|sister|brother|"
    r"mother|father|mum|dad|parent|carer|stepfather|stepmother|family)\b",
    re.IGNORECASE,
)
NOT_CORE_GROUP: Final = frozenset({Role.CHAIR, Role.OBSERVER})


def _alias_re(words: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


_ROLE_PATTERNS: Final[Mapping[Role, re.Pattern[str]]] = MappingProxyType(
    {role: _alias_re(words) for role, words in ROLE_ALIASES.items()}
)


def roles_named(ctx: Context, text: str) -> frozenset[Role]:
    """Return the roles ``text`` names, by alias or a household adult's name."""
    found = {role for role, pattern in _ROLE_PATTERNS.items() if pattern.search(text)}
    names = [
        name
        for adult in ctx.casefile.household.adults
        for name in (adult.given_name, adult.family_name)
        if len(name) >= 3
    ]
    if names and _alias_re(names).search(text):
        found.add(Role.PARENT)
    return frozenset(found)


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _and(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _count(n: int, word: str, plural: str | None = None) -> str:
    """Return "1 worry", "2 worries" and the like."""
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _categories(categories: Iterable[Category]) -> str:
    order = list(Category)
    return _and([CATEGORY_LABELS[c].lower() for c in sorted(categories, key=order.index)])


def _level(level: LevelOfNeed) -> str:
    return LEVEL_LABELS[level].lower()


def _expected_outcome(key: AnswerKey) -> PlanOutcome:
    return PlanOutcome(key.outcome.value)


def _ballot_ev(child_id: str, role: Role, number: int, ballot: Ballot) -> Evidence:
    parts = [ballot.level_of_need.value, "met" if ballot.threshold_met else "not met"]
    if ballot.primary_category is not None:
        parts.append(ballot.primary_category.value)
    if ballot.other_categories:
        parts.append("also " + "/".join(sorted(c.value for c in ballot.other_categories)))
    return Evidence(
        kind=EvidenceKind.BALLOT,
        ref=f"round-{number}:{child_id}:{role.value}",
        detail=", ".join(parts),
    )


def _key_ev(key: AnswerKey) -> Evidence:
    primary = key.primary_category.value if key.primary_category else "no category"
    detail = (
        f"{key.level_of_need.value}, {'met' if key.threshold_met else 'not met'}, {primary}, "
        f"{key.outcome.value}"
    )
    return Evidence(kind=EvidenceKind.ANSWER_KEY, ref=key.child_id, detail=detail)


def _last_ref(ctx: Context, event: str) -> str:
    entries = ctx.events(event)
    return f"log-{entries[-1].index}" if entries else event


def _log_ev(entry: LogEntry) -> Evidence:
    return Evidence(kind=EvidenceKind.EVENT, ref=f"log-{entry.index}", detail=entry.event)


def _statement_ev(role: Role, number: int, statement: Statement) -> Evidence:
    return Evidence(
        kind=EvidenceKind.STATEMENT,
        ref=f"{role.value}:statement-{number}",
        detail=f"{statement.provenance.value}: {excerpt(statement.text)}",
    )


def _section_ev(role: Role, section: ReportSection | str) -> Evidence:
    name = section.value if isinstance(section, ReportSection) else section
    return Evidence(kind=EvidenceKind.REPORT, ref=f"{role.value}:{name}")


def _item_ev(item: PackItem) -> Evidence:
    return Evidence(kind=EvidenceKind.PACK_ITEM, ref=item.id, detail=excerpt(item.text))


def _logged[T](ctx: Context, records: Sequence[T], event: str) -> dict[int, str]:
    """Return the log reference of each record an event of type ``event`` added.

    Impacts, views and exclusions are appended one per event, so the n-th
    record came from the n-th such event in the log.
    """
    entries = ctx.events(event)
    return {
        id(record): f"log-{entries[n].index}" if n < len(entries) else event
        for n, record in enumerate(records)
    }


def _proportion(bad: int, total: int) -> Verdict:
    """Return MET with nothing bad, PARTLY with at most half bad, else NOT_MET."""
    if bad == 0:
        return MET
    return PARTLY if bad * 2 <= total else NOT_MET


def _mentions_child(ctx: Context, child_id: str, text: str) -> bool:
    names = {ctx.child_name(child_id), child_id}
    return any(re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE) for name in names if name)


def _mentions_any_child(ctx: Context, text: str) -> bool:
    return bool(CHILD_WORDS_RE.search(text)) or any(
        _mentions_child(ctx, child_id, text) for child_id in ctx.setup.child_ids
    )


# ---------------------------------------------------------------------------
# Recommendations and decisions (ref. 12 R13-R16)
# ---------------------------------------------------------------------------

type BallotJudge = Callable[[Subject, str, int, Ballot, AnswerKey], Finding]


def _per_ballot(ctx: Context, config: RuleConfig, judge: BallotJudge) -> list[Finding]:
    """Judge every voter's final recommendation for every child."""
    findings: list[Finding] = []
    for child_id in ctx.children:
        key = ctx.keys.get(child_id)
        in_room = child_id in ctx.setup.child_ids
        name = ctx.child_name(child_id)
        for role in ctx.voters:
            subject = Subject.role(role)
            entry = ctx.final_ballots.get((child_id, role))
            if key is None or not in_room:
                if entry is not None:
                    why = (
                        "who is not part of this conference"
                        if not in_room
                        else "for whom the case has no answer key"
                    )
                    findings.append(
                        config.judge(
                            subject,
                            NOT_ASSESSABLE,
                            f"Your recommendation was for {name!r}, {why}, so it could not "
                            "be checked.",
                            [_ballot_ev(child_id, role, *entry)],
                            child_id=child_id,
                        )
                    )
                continue
            if entry is None:
                if ctx.passed(Phase.RECOMMENDATIONS):
                    findings.append(
                        config.judge(
                            subject,
                            NOT_MET,
                            f"You made no recommendation for {name}.",
                            [_key_ev(key)],
                            child_id=child_id,
                        )
                    )
                else:
                    findings.append(
                        config.judge(
                            subject,
                            NOT_ASSESSABLE,
                            "The conference stopped before recommendations were complete, "
                            f"and you had made none for {name}.",
                            child_id=child_id,
                        )
                    )
                continue
            number, ballot = entry
            findings.append(judge(subject, child_id, number, ballot, key))
    return findings


@rule("R01-level-of-need", "Level of need matches the answer key")
def level_of_need(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each professional places each child at the right level of the Continuum of Need.

    Checks the final sealed recommendation against the answer key's level
    (guidance para 8, the four levels; para 71; ref. 12 R13).
    """

    def judge(
        subject: Subject, child_id: str, number: int, ballot: Ballot, key: AnswerKey
    ) -> Finding:
        name = ctx.child_name(child_id)
        evidence = [_ballot_ev(child_id, Role(subject.id), number, ballot), _key_ev(key)]
        if ballot.level_of_need is key.level_of_need:
            return config.judge(
                subject,
                MET,
                f"You placed {name} at the {_level(key.level_of_need)} level, as the case does.",
                evidence,
                child_id=child_id,
            )
        return config.judge(
            subject,
            NOT_MET,
            f"You placed {name} at the {_level(ballot.level_of_need)} level; the case puts "
            f"{name} at the {_level(key.level_of_need)} level.",
            evidence,
            child_id=child_id,
        )

    return _per_ballot(ctx, config, judge)


@rule("R02-threshold", "Threshold recommendation matches the answer key")
def threshold(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each professional says correctly whether the threshold for a plan is met, with a reason.

    The test is reasonable cause to suspect the child is suffering, or is
    likely to suffer, significant harm (guidance paras 15 and 71; ref. 12
    R14). A correct view without a rationale is partly met.
    """

    def judge(
        subject: Subject, child_id: str, number: int, ballot: Ballot, key: AnswerKey
    ) -> Finding:
        name = ctx.child_name(child_id)
        evidence = [_ballot_ev(child_id, Role(subject.id), number, ballot), _key_ev(key)]
        said = "is met" if ballot.threshold_met else "is not met"
        truth = "is met" if key.threshold_met else "is not met"
        if ballot.threshold_met is not key.threshold_met:
            return config.judge(
                subject,
                NOT_MET,
                f"You recommended that the threshold for a child protection plan {said} for "
                f"{name}; in this case it {truth}.",
                evidence,
                child_id=child_id,
            )
        if not ballot.rationale.strip():
            return config.judge(
                subject,
                PARTLY,
                f"You were right that the threshold {said} for {name}, but gave no reason.",
                evidence,
                child_id=child_id,
            )
        return config.judge(
            subject,
            MET,
            f"You recommended, rightly, that the threshold for a plan {said} for {name}.",
            evidence,
            child_id=child_id,
        )

    return _per_ballot(ctx, config, judge)


@rule("R03-primary-category", "Category recommendation matches the answer key")
def primary_category(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each professional names the right primary category of abuse for a child who needs a plan.

    An acceptable secondary category named as the primary earns partial
    credit (guidance paras 23 and 71; ref. 12 R15). Does not apply where the
    threshold is not met.
    """

    def judge(
        subject: Subject, child_id: str, number: int, ballot: Ballot, key: AnswerKey
    ) -> Finding:
        name = ctx.child_name(child_id)
        evidence = [_ballot_ev(child_id, Role(subject.id), number, ballot), _key_ev(key)]
        primary = key.primary_category
        if not key.threshold_met or primary is None:
            return config.judge(
                subject,
                NOT_APPLICABLE,
                f"No category applies to {name}: the threshold for a plan is not met.",
                evidence,
                child_id=child_id,
            )
        chosen = ballot.primary_category
        if chosen is None:
            return config.judge(
                subject,
                NOT_MET,
                f"You named no category for {name}; the case's category is "
                f"{_categories([primary])}.",
                evidence,
                child_id=child_id,
            )
        if chosen is primary:
            return config.judge(
                subject,
                MET,
                f"You chose {_categories([chosen])} for {name}, the case's primary category.",
                evidence,
                child_id=child_id,
            )
        acceptable = key.acceptable_secondary_categories
        if chosen in acceptable:
            return config.judge(
                subject,
                PARTLY,
                f"You chose {_categories([chosen])} for {name}. The primary category is "
                f"{_categories([primary])}; {_categories([chosen])} is a reasonable secondary "
                "view, so this earns partial credit.",
                evidence,
                child_id=child_id,
            )
        also = ""
        if acceptable:
            views = (
                "a reasonable secondary view"
                if len(acceptable) == 1
                else "reasonable secondary views"
            )
            also = f" ({_categories(acceptable)} would be {views})"
        return config.judge(
            subject,
            NOT_MET,
            f"You chose {_categories([chosen])} for {name}; the primary category is "
            f"{_categories([primary])}{also}.",
            evidence,
            child_id=child_id,
        )

    return _per_ballot(ctx, config, judge)


def _secondary_verdict(
    chosen: frozenset[Category], key: AnswerKey
) -> tuple[Verdict, list[Category], list[Category]]:
    allowed = set(key.acceptable_secondary_categories)
    if key.primary_category is not None:
        allowed.add(key.primary_category)
    right = [c for c in chosen if c in allowed]
    wrong = [c for c in chosen if c not in allowed]
    if not wrong:
        return MET, right, wrong
    return (PARTLY if right else NOT_MET), right, wrong


@rule("R04-secondary-categories", "Other categories are reasonable")
def secondary_categories(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Any other categories a professional names are ones the case accepts.

    Other categories are optional; naming none is fine. Naming some the
    case accepts and some it does not is partly met (guidance para 23;
    ref. 12 R15).
    """

    def judge(
        subject: Subject, child_id: str, number: int, ballot: Ballot, key: AnswerKey
    ) -> Finding:
        name = ctx.child_name(child_id)
        evidence = [_ballot_ev(child_id, Role(subject.id), number, ballot), _key_ev(key)]
        if not key.threshold_met:
            return config.judge(
                subject,
                NOT_APPLICABLE,
                f"No category applies to {name}: the threshold for a plan is not met.",
                evidence,
                child_id=child_id,
            )
        if not ballot.threshold_met:
            return config.judge(
                subject,
                NOT_APPLICABLE,
                f"You recommended no plan for {name}, so named no other categories.",
                evidence,
                child_id=child_id,
            )
        if not ballot.other_categories:
            return config.judge(
                subject,
                MET,
                f"You named no other categories for {name}; other categories are optional.",
                evidence,
                child_id=child_id,
            )
        verdict, right, wrong = _secondary_verdict(ballot.other_categories, key)
        if verdict is MET:
            text = (
                f"The other categories you named for {name} ({_categories(right)}) are reasonable."
            )
        else:
            text = (
                f"You also named {_categories(wrong)} for {name}, which the case does not support."
            )
            if right:
                text += f" {_categories(right).capitalize()} is reasonable."
        return config.judge(subject, verdict, text, evidence, child_id=child_id)

    return _per_ballot(ctx, config, judge)


type DecisionJudge = Callable[[Subject, str, AnswerKey], Finding]


def _per_decision(ctx: Context, config: RuleConfig, judge: DecisionJudge) -> list[Finding]:
    """Judge the conference's decision for every child in the room."""
    findings: list[Finding] = []
    for child_id in ctx.children:
        key = ctx.keys.get(child_id)
        decision = ctx.state.decisions.get(child_id)
        subject = Subject.child(child_id)
        name = ctx.child_name(child_id)
        if child_id not in ctx.setup.child_ids:
            if decision is not None or key is not None:
                findings.append(
                    config.judge(
                        subject,
                        NOT_ASSESSABLE,
                        f"The case or the record names {name!r}, who was not part of this "
                        "conference, so no decision could be checked.",
                        [_key_ev(key)] if key is not None else [],
                    )
                )
            continue
        if key is None:
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    f"The case has no answer key for {name}, so the decision could not be checked.",
                )
            )
            continue
        if decision is None:
            if ctx.passed(Phase.DECISION):
                findings.append(
                    config.judge(
                        subject, NOT_MET, f"No decision was recorded for {name}.", [_key_ev(key)]
                    )
                )
            else:
                findings.append(
                    config.judge(
                        subject,
                        NOT_ASSESSABLE,
                        f"The conference stopped before a decision was recorded for {name}.",
                        [_key_ev(key)],
                    )
                )
            continue
        findings.append(judge(subject, child_id, key))
    return findings


def _decision_ev(ctx: Context, child_id: str) -> Evidence:
    decision = ctx.state.decisions[child_id]
    detail = decision.outcome.value
    if decision.category is not None:
        detail += f", {decision.category.value}"
    if decision.other_categories:
        detail += ", also " + "/".join(sorted(c.value for c in decision.other_categories))
    return Evidence(kind=EvidenceKind.DECISION, ref=child_id, detail=detail)


@rule("R05-decision-outcome", "Decision on a plan matches the answer key")
def decision_outcome(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The conference decides correctly whether each child needs a child protection plan.

    Where the threshold is not met, it decides the right alternative (a child
    in need plan, early help or universal services); the right side of the
    threshold with the wrong alternative is partly met (guidance paras 74
    and 75; ref. 12 R14 and R16).
    """

    def judge(subject: Subject, child_id: str, key: AnswerKey) -> Finding:
        name = ctx.child_name(child_id)
        decided = ctx.state.decisions[child_id].outcome
        expected = _expected_outcome(key)
        evidence = [_decision_ev(ctx, child_id), _key_ev(key)]
        if decided is expected:
            return config.judge(
                subject,
                MET,
                f"The conference decided on {OUTCOME_LABELS[decided]} for {name}, as the case "
                "calls for.",
                evidence,
            )
        plan = PlanOutcome.CHILD_PROTECTION_PLAN
        if (decided is plan) == (expected is plan):
            return config.judge(
                subject,
                PARTLY,
                f"The conference rightly made no child protection plan for {name}, but chose "
                f"{OUTCOME_LABELS[decided]} where the case calls for {OUTCOME_LABELS[expected]}.",
                evidence,
            )
        return config.judge(
            subject,
            NOT_MET,
            f"The conference decided on {OUTCOME_LABELS[decided]} for {name}; the case calls "
            f"for {OUTCOME_LABELS[expected]}.",
            evidence,
        )

    return _per_decision(ctx, config, judge)


@rule("R06-decision-category", "Decided category matches the answer key")
def decision_category(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The conference records the most suitable category for a child on a plan.

    An acceptable secondary category recorded as the category earns partial
    credit (guidance paras 23 and 74; ref. 12 R15).
    """

    def judge(subject: Subject, child_id: str, key: AnswerKey) -> Finding:
        name = ctx.child_name(child_id)
        decision = ctx.state.decisions[child_id]
        evidence = [_decision_ev(ctx, child_id), _key_ev(key)]
        primary = key.primary_category
        if not key.threshold_met or primary is None:
            return config.judge(
                subject,
                NOT_APPLICABLE,
                f"No category applies to {name}: the threshold for a plan is not met.",
                evidence,
            )
        if decision.category is None:
            return config.judge(
                subject,
                NOT_MET,
                f"No category was recorded for {name}; it should be {_categories([primary])}.",
                evidence,
            )
        if decision.category is primary:
            return config.judge(
                subject,
                MET,
                f"The conference recorded {_categories([primary])} for {name}, the most "
                "suitable category.",
                evidence,
            )
        if decision.category in key.acceptable_secondary_categories:
            return config.judge(
                subject,
                PARTLY,
                f"The conference recorded {_categories([decision.category])} for {name}. That "
                f"is a reasonable secondary view, but the most suitable category is "
                f"{_categories([primary])}.",
                evidence,
            )
        return config.judge(
            subject,
            NOT_MET,
            f"The conference recorded {_categories([decision.category])} for {name}; the most "
            f"suitable category is {_categories([primary])}.",
            evidence,
        )

    return _per_decision(ctx, config, judge)


@rule("R07-decision-secondary-categories", "Decided other categories are reasonable")
def decision_secondary_categories(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Any other categories the conference records are ones the case accepts (guidance para 23)."""

    def judge(subject: Subject, child_id: str, key: AnswerKey) -> Finding:
        name = ctx.child_name(child_id)
        decision = ctx.state.decisions[child_id]
        evidence = [_decision_ev(ctx, child_id), _key_ev(key)]
        if not key.threshold_met or decision.outcome is not PlanOutcome.CHILD_PROTECTION_PLAN:
            return config.judge(
                subject,
                NOT_APPLICABLE,
                f"No other categories arise for {name}: there is no child protection plan "
                "in the case or in the decision.",
                evidence,
            )
        if not decision.other_categories:
            return config.judge(
                subject,
                MET,
                f"No other categories were recorded for {name}; they are optional.",
                evidence,
            )
        verdict, right, wrong = _secondary_verdict(decision.other_categories, key)
        if verdict is MET:
            text = (
                f"The other categories recorded for {name} ({_categories(right)}) are reasonable."
            )
        else:
            text = f"The conference also recorded {_categories(wrong)} for {name}, which the case does not support."
        return config.judge(subject, verdict, text, evidence)

    return _per_decision(ctx, config, judge)


@rule("R08-dissent-recorded", "Disagreement with the decision is recorded with a reason")
def dissent_recorded(ctx: Context, config: RuleConfig) -> list[Finding]:
    """A professional whose recommendation on the threshold differs from the decision records a dissent.

    The disagreement and its reason are recorded (guidance para 76). Only a
    difference on the threshold is treated as disagreement; a different
    category alone is not.
    """
    findings: list[Finding] = []
    for child_id in ctx.setup.child_ids:
        decision = ctx.state.decisions.get(child_id)
        if decision is None:
            continue
        name = ctx.child_name(child_id)
        decided_plan = decision.outcome is PlanOutcome.CHILD_PROTECTION_PLAN
        for role in ctx.voters:
            entry = ctx.final_ballots.get((child_id, role))
            if role is Role.CHAIR or entry is None:
                continue
            subject = Subject.role(role)
            number, ballot = entry
            evidence = [_ballot_ev(child_id, role, number, ballot), _decision_ev(ctx, child_id)]
            dissent = next(
                (d for d in ctx.state.dissents if d.child_id == child_id and d.role is role),
                None,
            )
            if dissent is not None:
                evidence.append(
                    Evidence(
                        kind=EvidenceKind.DISSENT,
                        ref=f"{child_id}:{role.value}",
                        detail=excerpt(dissent.reason),
                    )
                )
            if ballot.threshold_met is decided_plan:
                findings.append(
                    config.judge(
                        subject,
                        NOT_APPLICABLE,
                        f"Your recommendation for {name} agreed with the decision, so no "
                        "dissent was needed.",
                        evidence,
                        child_id=child_id,
                    )
                )
            elif dissent is not None and dissent.reason.strip():
                findings.append(
                    config.judge(
                        subject,
                        MET,
                        f"You disagreed with the decision for {name} and your dissent was "
                        "recorded with its reason.",
                        evidence,
                        child_id=child_id,
                    )
                )
            elif dissent is not None:
                findings.append(
                    config.judge(
                        subject,
                        PARTLY,
                        f"Your dissent from the decision for {name} was recorded without a reason.",
                        evidence,
                        child_id=child_id,
                    )
                )
            else:
                findings.append(
                    config.judge(
                        subject,
                        NOT_MET,
                        f"Your recommendation for {name} differed from the decision, but no "
                        "dissent was recorded. Say so at the conference and have the "
                        "disagreement and its reason recorded.",
                        evidence,
                        child_id=child_id,
                    )
                )
    return findings


# ---------------------------------------------------------------------------
# Reports (ref. 12 R4-R12)
# ---------------------------------------------------------------------------


def _report_deadline(ctx: Context) -> date:
    notice = REPORT_NOTICE_WORKING_DAYS[ctx.setup.conference_type]
    return add_working_days(ctx.setup.conference_date, -notice, ctx.holidays)


def _missing_report(ctx: Context, config: RuleConfig, role: Role, missed: str) -> Finding:
    """Return NOT_MET for a missing report once the meeting opened, else NOT_ASSESSABLE."""
    if ctx.passed(Phase.CHAIRS_PREPARATION):
        return config.judge(Subject.role(role), NOT_MET, f"You submitted no report, so {missed}.")
    return config.judge(
        Subject.role(role),
        NOT_ASSESSABLE,
        "The conference has not opened and your report has not been submitted yet.",
    )


def _no_report_to_check(config: RuleConfig, role: Role, what: str) -> Finding:
    return config.judge(
        Subject.role(role),
        NOT_ASSESSABLE,
        f"You submitted no report, so {what} could not be checked.",
    )


@rule("R09-report-on-time", "Report submitted on time")
def report_on_time(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each agency's report arrives at least 2 working days before an initial conference, 5 before a review.

    Counted in Jersey working days from the first submission (guidance
    paras 38 and 60; ref. 12 R4 and R5).
    """
    deadline = _report_deadline(ctx)
    notice = REPORT_NOTICE_WORKING_DAYS[ctx.setup.conference_type]
    kind = CONFERENCE_NAMES[ctx.setup.conference_type]
    findings: list[Finding] = []
    for role in ctx.setup.report_authors:
        report = ctx.report(role)
        if report is None:
            findings.append(
                _missing_report(ctx, config, role, f"nothing arrived by {format_date(deadline)}")
            )
            continue
        sent = report.first_submitted_at or report.submitted_at
        if sent is None:
            findings.append(
                config.judge(
                    Subject.role(role),
                    NOT_ASSESSABLE,
                    "Your report has no submission time, so its timing could not be checked.",
                )
            )
            continue
        day = ctx.local_date(sent)
        evidence = [
            Evidence(
                kind=EvidenceKind.REPORT, ref=f"{role.value}:submitted_at", detail=day.isoformat()
            )
        ]
        if day <= deadline:
            findings.append(
                config.judge(
                    Subject.role(role),
                    MET,
                    f"Your report arrived on {format_date(day)}, by the deadline of "
                    f"{format_date(deadline)}.",
                    evidence,
                )
            )
            continue
        before = working_days_between(day, ctx.setup.conference_date, ctx.holidays)
        findings.append(
            config.judge(
                Subject.role(role),
                NOT_MET,
                f"Your report arrived on {format_date(day)}, "
                f"{_count(max(before, 0), 'working day')} "
                f"before the conference. For {kind} it is due {notice} working days before, by "
                f"{format_date(deadline)}, so that the chair can read it.",
                evidence,
            )
        )
    return findings


@rule("R10-report-submitted", "Every agency submits a written report")
def report_submitted(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Every invited agency submits a written report on the standard template (guidance paras 43 and 46; ref. 12 R6)."""
    findings: list[Finding] = []
    for role in ctx.setup.report_authors:
        if ctx.report(role) is None:
            findings.append(
                _missing_report(
                    ctx, config, role, "the conference did not have your information in writing"
                )
            )
        else:
            findings.append(
                config.judge(
                    Subject.role(role),
                    MET,
                    "You submitted a written report.",
                    [_section_ev(role, "submitted_at")],
                )
            )
    return findings


@rule("R11-report-sections", "Every section of the report template is completed")
def report_sections(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The report completes every section of the multi-agency template.

    All eleven sections is met; at least half is partly met (guidance
    para 47; ref. 12 R8).
    """
    findings: list[Finding] = []
    total = len(ReportSection)
    for role in ctx.setup.report_authors:
        report = ctx.report(role)
        if report is None:
            findings.append(
                _missing_report(ctx, config, role, "none of its sections were completed")
            )
            continue
        missing = [s for s in ReportSection if not report.sections.get(s, "").strip()]
        evidence = [_section_ev(role, s) for s in missing]
        if not missing:
            findings.append(
                config.judge(
                    Subject.role(role), MET, "You completed every section of the report template."
                )
            )
            continue
        labels = _and([f"'{SECTION_LABELS[s]}'" for s in missing])
        findings.append(
            config.judge(
                Subject.role(role),
                _proportion(len(missing), total),
                f"You left {len(missing)} of {total} sections empty: {labels}.",
                evidence,
            )
        )
    return findings


@rule("R12-report-shared", "Report shared with the parents and young person, or why not")
def report_shared(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The report is shared with the parents and, where appropriate, the young person, or the reason is recorded.

    (Guidance para 56; ref. 12 R7.)
    """
    findings: list[Finding] = []
    for role in ctx.setup.report_authors:
        record: Report | None = ctx.state.reports.get(role)
        subject = Subject.role(role)
        if record is None or record.shared_with_parents is None:
            if ctx.passed(Phase.CHAIRS_PREPARATION):
                findings.append(
                    config.judge(
                        subject,
                        NOT_MET,
                        "You did not record whether your report was shared with the parents "
                        "and the young person, or why not.",
                    )
                )
            else:
                findings.append(
                    config.judge(
                        subject,
                        NOT_ASSESSABLE,
                        "The conference has not opened and you have not yet recorded sharing "
                        "your report.",
                    )
                )
            continue
        evidence = [_section_ev(role, "sharing")]
        not_with = [
            who
            for who, shared in (
                ("the parents", record.shared_with_parents),
                ("the young person", record.shared_with_child),
            )
            if not shared
        ]
        if not not_with:
            findings.append(
                config.judge(
                    subject,
                    MET,
                    "You shared your report with the parents and the young person.",
                    evidence,
                )
            )
        elif record.reason_not_shared.strip():
            findings.append(
                config.judge(
                    subject,
                    MET,
                    f"You did not share your report with {_and(not_with)} and recorded why: "
                    f"{excerpt(record.reason_not_shared)}.",
                    evidence,
                )
            )
        else:
            findings.append(
                config.judge(
                    subject,
                    NOT_MET,
                    f"You did not share your report with {_and(not_with)} and gave no reason.",
                    evidence,
                )
            )
    return findings


@rule(
    "R13-family-composition",
    "Family composition with parental responsibility and communication needs",
)
def family_composition(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The report records the family composition, with parental responsibility and communication needs.

    (Guidance para 47; ref. 12 R8.) The report form does not yet have these
    fields, so every finding is NOT_ASSESSABLE; the default rule set leaves
    the rule disabled.
    """
    return [
        config.judge(
            Subject.role(role),
            NOT_ASSESSABLE,
            "The report form does not yet record the family composition (parental "
            "responsibility and communication needs), so this was not checked.",
        )
        for role in ctx.setup.report_authors
    ]


def _linked(ctx: Context, report: Report) -> list[tuple[int, Statement, PackItem]]:
    linked: list[tuple[int, Statement, PackItem]] = []
    for number, statement in enumerate(report.statements, 1):
        item = ctx.items.get(statement.item_id) if statement.item_id else None
        if item is not None:
            linked.append((number, statement, item))
    return linked


@rule("R14-provenance-tags", "Statements tagged fact, observation, allegation or opinion correctly")
def provenance_tags(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each statement in the report is tagged as fact, observation, allegation or opinion as the pack has it.

    Only statements linked to an item of the information pack can be checked;
    all correct is met, at least half correct partly met (guidance paras 49
    to 53; ref. 12 R9).
    """
    findings: list[Finding] = []
    for role in ctx.setup.report_authors:
        report = ctx.report(role)
        if report is None:
            findings.append(
                _no_report_to_check(
                    config, role, "its fact, observation, allegation and opinion tags"
                )
            )
            continue
        linked = _linked(ctx, report)
        unlinked = len(report.statements) - len(linked)
        if not linked:
            findings.append(
                config.judge(
                    Subject.role(role),
                    NOT_ASSESSABLE,
                    f"None of your {_count(len(report.statements), 'statement')} was linked to an item "
                    "of your information pack, so the tags could not be checked against the case.",
                )
            )
            continue
        wrong = [(n, s, i) for n, s, i in linked if s.provenance is not i.provenance]
        note = (
            f" {_count(unlinked, 'statement')} had no link to your pack and could not be checked."
            if unlinked
            else ""
        )
        if not wrong:
            findings.append(
                config.judge(
                    Subject.role(role),
                    MET,
                    f"All {len(linked)} of your checkable statements were tagged correctly.{note}",
                    [_statement_ev(role, n, s) for n, s, _ in linked],
                )
            )
            continue
        lines = [
            f"You tagged {excerpt(s.text)} as {PROVENANCE_NOUNS[s.provenance]}; it is "
            f"{PROVENANCE_NOUNS[i.provenance]}: {PROVENANCE_MEANINGS[i.provenance]}."
            for _, s, i in wrong
        ]
        findings.append(
            config.judge(
                Subject.role(role),
                _proportion(len(wrong), len(linked)),
                " ".join(
                    [
                        *lines,
                        f"{len(linked) - len(wrong)} of {len(linked)} checkable tags were right.{note}",
                    ]
                ),
                [_statement_ev(role, n, s) for n, s, _ in wrong],
            )
        )
    return findings


@rule("R15-second-hand-attributed", "Second-hand information attributed to its source")
def second_hand_attributed(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Information the writer did not gather first-hand is marked second-hand and names its source.

    Checks statements linked to second-hand pack items, and every statement
    marked second-hand (guidance para 54; ref. 12 R9).
    """
    findings: list[Finding] = []
    for role in ctx.setup.report_authors:
        report = ctx.report(role)
        if report is None:
            findings.append(
                _no_report_to_check(config, role, "its attribution of second-hand information")
            )
            continue
        checks: list[tuple[int, Statement, str | None]] = []
        for number, statement in enumerate(report.statements, 1):
            item = ctx.items.get(statement.item_id) if statement.item_id else None
            if item is not None and not item.first_hand:
                if not statement.second_hand:
                    problem: str | None = (
                        f"{excerpt(statement.text)} is second-hand information; mark it as such "
                        "and say where it came from."
                    )
                elif not statement.source.strip():
                    problem = (
                        f"{excerpt(statement.text)} is marked second-hand but names no source."
                    )
                else:
                    problem = None
                checks.append((number, statement, problem))
            elif statement.second_hand:
                problem = (
                    None
                    if statement.source.strip()
                    else f"{excerpt(statement.text)} is marked second-hand but names no source."
                )
                checks.append((number, statement, problem))
        if not checks:
            findings.append(
                config.judge(
                    Subject.role(role),
                    NOT_APPLICABLE,
                    "None of your statements reported second-hand information.",
                )
            )
            continue
        problems = [(n, s, p) for n, s, p in checks if p is not None]
        if not problems:
            findings.append(
                config.judge(
                    Subject.role(role),
                    MET,
                    f"You attributed all {_count(len(checks), 'second-hand statement')} to their source.",
                    [_statement_ev(role, n, s) for n, s, _ in checks],
                )
            )
            continue
        findings.append(
            config.judge(
                Subject.role(role),
                _proportion(len(problems), len(checks)),
                " ".join(p for _, _, p in problems if p),
                [_statement_ev(role, n, s) for n, s, _ in problems],
            )
        )
    return findings


@rule("R16-no-assumption-as-fact", "No assumption presented as fact")
def no_assumption_as_fact(ctx: Context, config: RuleConfig) -> list[Finding]:
    """No opinion, allegation or assumption is presented as a fact.

    Flags statements tagged "fact" that the pack records as an opinion or
    allegation, or that contain a hedge such as "probably" or "must have"
    (see HEDGES). One instance is partly met, two or more not met (guidance
    para 55; ref. 12 R10).
    """
    findings: list[Finding] = []
    for role in ctx.setup.report_authors:
        report = ctx.report(role)
        if report is None:
            findings.append(
                _no_report_to_check(config, role, "whether it presents assumptions as facts")
            )
            continue
        facts = [
            (n, s) for n, s in enumerate(report.statements, 1) if s.provenance is Provenance.FACT
        ]
        if not facts:
            findings.append(
                config.judge(
                    Subject.role(role), NOT_APPLICABLE, "You tagged no statement as a fact."
                )
            )
            continue
        problems: list[tuple[int, Statement, str]] = []
        for number, statement in facts:
            item = ctx.items.get(statement.item_id) if statement.item_id else None
            hedge = HEDGE_RE.search(statement.text)
            if item is not None and item.provenance in (Provenance.OPINION, Provenance.ALLEGATION):
                problems.append(
                    (
                        number,
                        statement,
                        f"You presented {excerpt(statement.text)} as a fact; it is "
                        f"{PROVENANCE_NOUNS[item.provenance]}.",
                    )
                )
            elif hedge is not None:
                problems.append(
                    (
                        number,
                        statement,
                        f"You presented {excerpt(statement.text)} as a fact, but "
                        f"'{hedge.group(0)}' shows it is an assumption; tag it as an opinion "
                        "and give your reasons.",
                    )
                )
        if not problems:
            findings.append(
                config.judge(
                    Subject.role(role),
                    MET,
                    f"None of the {_count(len(facts), 'statement')} you tagged as fact is an assumption.",
                )
            )
            continue
        findings.append(
            config.judge(
                Subject.role(role),
                PARTLY if len(problems) == 1 else NOT_MET,
                " ".join(text for _, _, text in problems),
                [_statement_ev(role, n, s) for n, s, _ in problems],
            )
        )
    return findings


def _worries(text: str) -> list[str]:
    return [stripped for line in text.splitlines() if (stripped := BULLET_RE.sub("", line).strip())]


@rule("R17-worries-impact", "Each worry says what it means for the child")
def worries_impact(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each worry in "What are we worried about?" states its impact on the child.

    Each line must name the child (or say "the child") and use an impact word
    (see IMPACT_WORDS) (guidance para 48; ref. 12 R11).
    """
    findings: list[Finding] = []
    for role in ctx.setup.report_authors:
        report = ctx.report(role)
        if report is None:
            findings.append(_no_report_to_check(config, role, "its worries"))
            continue
        worries = _worries(report.sections.get(ReportSection.WORRIES, ""))
        evidence = [_section_ev(role, ReportSection.WORRIES)]
        if not worries:
            findings.append(
                config.judge(
                    Subject.role(role),
                    NOT_MET,
                    "Your report has no 'What are we worried about?' section.",
                    evidence,
                )
            )
            continue
        weak = [
            worry
            for worry in worries
            if not (_mentions_any_child(ctx, worry) and IMPACT_RE.search(worry))
        ]
        if not weak:
            findings.append(
                config.judge(
                    Subject.role(role),
                    MET,
                    "Each of your worries says what it means for the child.",
                    evidence,
                )
            )
            continue
        quoted = _and([excerpt(w, 50) for w in weak[:3]])
        if len(weak) == len(worries):
            verdict, which = NOT_MET, "Your worries do not say"
        else:
            does = "does" if len(weak) == 1 else "do"
            verdict, which = PARTLY, f"{len(weak)} of your {len(worries)} worries {does} not say"
        findings.append(
            config.judge(
                Subject.role(role),
                verdict,
                f"{which} what they mean for the child ({quoted}). Describe the impact on the "
                "child's daily life, safety or development, not only what the adults do.",
                evidence,
            )
        )
    return findings


@rule(
    "R18-confidential-handled",
    "Confidential information raised with the chair, not written in the report",
)
def confidential_handled(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Confidential information stays out of the written report and open meeting and is raised with the chair in advance.

    Each confidential item the author holds must be flagged to the chair and
    kept out of the report and out of the open meeting (sharing it during an
    exclusion is fine). Doing one of the two is partly met (guidance para 57;
    ref. 12 R12).
    """
    findings: list[Finding] = []
    state = ctx.state
    for role in ctx.setup.report_authors:
        pack = ctx.casefile.pack(role)
        held = [item for item in pack.items if item.confidential] if pack else []
        subject = Subject.role(role)
        if not held:
            findings.append(
                config.judge(
                    subject, NOT_APPLICABLE, "Your information pack held nothing confidential."
                )
            )
            continue
        report = ctx.report(role)
        in_report = {s.item_id for s in report.statements} if report is not None else set()
        flagged = {c.item_id for c in state.report(role).confidential}
        in_open = {s.item_id for s in state.shared_items if s.role is role and not s.withheld_from}
        scores: list[int] = []
        lines: list[str] = []
        for item in held:
            exposed = item.id in in_report or item.id in in_open
            raised = item.id in flagged
            scores.append(int(raised) + int(not exposed))
            if item.id in in_report:
                lines.append(
                    f"You put the confidential item {excerpt(item.text)} in your written report."
                )
            if item.id in in_open:
                lines.append(
                    f"You shared the confidential item {excerpt(item.text)} in the open meeting "
                    "rather than in an exclusion."
                )
            if not raised:
                lines.append(
                    f"You did not raise {excerpt(item.text)} with the chair before the conference."
                )
        evidence = [_item_ev(item) for item in held]
        if all(score == 2 for score in scores):
            findings.append(
                config.judge(
                    subject,
                    MET,
                    "You raised your confidential information with the chair before the "
                    "conference and kept it out of your written report.",
                    evidence,
                )
            )
        elif not ctx.passed(Phase.CHAIRS_PREPARATION) and not in_report and not in_open:
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    "The conference has not opened; you have not yet raised all your "
                    "confidential information with the chair.",
                    evidence,
                )
            )
        else:
            verdict = NOT_MET if 0 in scores else PARTLY
            findings.append(
                config.judge(
                    subject,
                    verdict,
                    " ".join(
                        [
                            *lines,
                            "Keep it out of the report and raise it with the chair in advance.",
                        ]
                    ),
                    evidence,
                )
            )
    return findings


@rule("R19-must-share", "Information the conference must hear is shared by the role that holds it")
def must_share(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each role shares the items of its pack the conference must hear, in the report or at the meeting.

    Confidential items count as shared once raised with the chair. All is
    met, at least half partly met (guidance paras 58 and 65; ref. 12 R9, and
    the tip to share concerns in the conference, not afterwards).
    """
    findings: list[Finding] = []
    state = ctx.state
    for role in ctx.setup.seated_roles:
        pack = ctx.casefile.pack(role)
        if pack is None:
            continue
        required = [item for item in pack.items if item.must_share]
        subject = Subject.role(role)
        if not required:
            findings.append(
                config.judge(
                    subject, NOT_APPLICABLE, "Nothing in your pack was marked as must-share."
                )
            )
            continue
        if role in (Role.CHAIR, Role.OBSERVER):
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    "This seat cannot put pack items into the record, so sharing was not checked.",
                )
            )
            continue
        report = ctx.report(role)
        reached = {s.item_id for s in state.shared_items if s.role is role}
        if report is not None:
            reached |= {s.item_id for s in report.statements if s.item_id}
        reached |= {c.item_id for c in state.report(role).confidential}
        missing = [item for item in required if item.id not in reached]
        evidence = [_item_ev(item) for item in missing]
        if not missing:
            findings.append(
                config.judge(
                    subject,
                    MET,
                    f"You shared all {_count(len(required), 'item')} the conference needed from you.",
                    [_item_ev(item) for item in required],
                )
            )
            continue
        listed = _and([excerpt(item.text, 50) for item in missing])
        if not ctx.passed(Phase.FAMILY_VIEWS):
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    f"The conference stopped before everything was shared; you had not yet "
                    f"shared {listed}.",
                    evidence,
                )
            )
            continue
        findings.append(
            config.judge(
                subject,
                _proportion(len(missing), len(required)),
                f"The conference needed to hear {listed} from you, in your report or at the "
                f"meeting, and did not ({len(required) - len(missing)} of {len(required)} "
                "shared).",
                evidence,
            )
        )
    return findings


@rule("R20-impact-stated", "Information presented with its impact on the child")
def impact_stated(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Each agency presents its information with what it is likely to mean for the child.

    Met when the agency stated the impact for every child it shared
    information about (guidance paras 65 and 48; ref. 12 R26, step 6).
    """
    findings: list[Finding] = []
    state = ctx.state
    called = {entry.role for entry in ctx.events("SpeakerCalled")}
    for role in ctx.setup.report_authors:
        subject = Subject.role(role)
        impacts = [impact for impact in state.impacts if impact.role is role]
        shared_about = {
            s.child_id for s in state.shared_items if s.role is role and s.child_id is not None
        }
        if impacts:
            covered = {impact.child_id for impact in impacts}
            uncovered = sorted(shared_about - covered, key=str)
            logged = _logged(ctx, state.impacts, "ImpactStated")
            evidence = [
                Evidence(
                    kind=EvidenceKind.EVENT, ref=logged[id(impact)], detail=excerpt(impact.text)
                )
                for impact in impacts
            ]
            if uncovered:
                names = _and([ctx.child_name(c) for c in uncovered])
                findings.append(
                    config.judge(
                        subject,
                        PARTLY,
                        f"You said what your information means for some children, but not for "
                        f"{names}, about whom you shared information.",
                        evidence,
                    )
                )
            else:
                findings.append(
                    config.judge(
                        subject,
                        MET,
                        "You said what your information means for the child.",
                        evidence,
                    )
                )
            continue
        if not ctx.passed(Phase.AGENCY_CONTRIBUTIONS):
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    "The conference stopped before the agencies had all presented.",
                )
            )
        elif role not in called and role not in state.contributed:
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    "The chair did not call you to present, so this was not checked.",
                )
            )
        else:
            findings.append(
                config.judge(
                    subject,
                    NOT_MET,
                    "You presented without saying what your information means for the child. "
                    "Say how it affects the child's safety, daily life or development.",
                )
            )
    return findings


# ---------------------------------------------------------------------------
# The meeting (ref. 12 R1, R3, R26-R28)
# ---------------------------------------------------------------------------


@rule("R21-conference-timescale", "Conference held within 15 working days")
def conference_timescale(ctx: Context, config: RuleConfig) -> list[Finding]:
    """An initial conference is held within 15 working days of the strategy discussion.

    For a transfer-in conference the clock starts at notification of the
    move; a review conference is not covered (guidance paras 36 and 37; ref.
    12 R1).
    """
    setup = ctx.setup
    room = ctx.room
    if setup.conference_type is ConferenceType.REVIEW:
        return [
            config.judge(
                room,
                NOT_APPLICABLE,
                "A review conference is not timed from the strategy discussion.",
            )
        ]
    if setup.conference_type is ConferenceType.TRANSFER_IN:
        start, label, ref = (
            ctx.transfer_notified_on,
            "notification of the move",
            "transfer_notified_on",
        )
    else:
        start, label, ref = (
            ctx.strategy_discussion_on,
            "the strategy discussion",
            "strategy_discussion_on",
        )
    if start is None:
        return [
            config.judge(
                room,
                NOT_ASSESSABLE,
                f"The date of {label} was not given, so the timescale could not be checked.",
                [Evidence(kind=EvidenceKind.INPUT, ref=ref)],
            )
        ]
    evidence = [
        Evidence(kind=EvidenceKind.INPUT, ref=ref, detail=start.isoformat()),
        Evidence(
            kind=EvidenceKind.SETUP, ref="conference_date", detail=setup.conference_date.isoformat()
        ),
    ]
    if start > setup.conference_date:
        return [
            config.judge(
                room,
                NOT_ASSESSABLE,
                f"The date given for {label} is after the conference, so the timescale could "
                "not be checked.",
                evidence,
            )
        ]
    days = working_days_between(start, setup.conference_date, ctx.holidays)
    if days <= 15:
        return [
            config.judge(
                room,
                MET,
                f"The conference was held {_count(days, 'working day')} after {label}, within 15.",
                evidence,
            )
        ]
    return [
        config.judge(
            room,
            NOT_MET,
            f"The conference was held {days} working days after {label}; it should be within 15.",
            evidence,
        )
    ]


def _direct_contact(ctx: Context, role: Role) -> bool:
    pack = ctx.casefile.pack(role)
    return pack is not None and any(item.first_hand for item in pack.items)


@rule("R22-quorum", "Conference quorate")
def quorum(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Children's Social Care and at least two other agencies with direct contact with the child take part.

    "Direct contact" is read from the case: an agency whose pack holds
    first-hand information. The chair's recorded exception (guidance para
    42) cannot be recorded on the platform yet, so an inquorate conference
    is not met (guidance paras 41 and 42; ref. 12 R3).
    """
    room = ctx.room
    if not ctx.passed(Phase.CHAIRS_PREPARATION):
        return [config.judge(room, NOT_ASSESSABLE, "The meeting did not open.")]
    csc = Role.LEAD_SOCIAL_WORKER
    has_csc = csc in ctx.setup.seated_roles and ctx.took_part(csc)
    others = [
        role
        for role in ctx.setup.report_authors
        if role is not csc and ctx.took_part(role) and _direct_contact(ctx, role)
    ]
    evidence = [
        Evidence(kind=EvidenceKind.SETUP, ref="seated_roles", detail=role.value)
        for role in ([csc] if has_csc else []) + others
    ]
    named = _and([role.label for role in others]) or "no other agency"
    if has_csc and len(others) >= 2:
        return [
            config.judge(
                room,
                MET,
                f"The conference was quorate: Children's Social Care with {named}.",
                evidence,
            )
        ]
    missing = "" if has_csc else "Children's Social Care did not take part. "
    return [
        config.judge(
            room,
            NOT_MET,
            f"The conference was not quorate. {missing}Agencies with direct contact with the "
            f"child that took part: {named}; at least two are needed besides Children's Social "
            "Care. (The chair's exception, with its reason, cannot be recorded on the platform "
            "yet.)",
            evidence,
        )
    ]


@rule("R23-chair-read-reports", "Chair read every report before the meeting")
def chair_read_reports(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The chair reads every multi-agency report, in its latest version, to prepare (guidance para 60; step 1)."""
    subject = Subject.role(Role.CHAIR)
    submitted = [(role, r) for role in ctx.setup.report_authors if (r := ctx.report(role))]
    if not submitted:
        verdict = NOT_APPLICABLE if ctx.passed(Phase.CHAIRS_PREPARATION) else NOT_ASSESSABLE
        return [config.judge(subject, verdict, "No reports were submitted for you to read.")]
    unread = [role for role, r in submitted if r.read_revision == 0]
    stale = [role for role, r in submitted if 0 < r.read_revision < r.revision]
    evidence = [_section_ev(role, "read") for role, _ in submitted]
    if not unread and not stale:
        return [
            config.judge(
                subject, MET, f"You read all {len(submitted)} reports before the meeting.", evidence
            )
        ]
    if not ctx.passed(Phase.CHAIRS_PREPARATION):
        return [
            config.judge(
                subject,
                NOT_ASSESSABLE,
                "The meeting has not opened; you are still preparing.",
                evidence,
            )
        ]
    lines = []
    if unread:
        lines.append(f"You did not read the reports from {_and([r.label for r in unread])}.")
    if stale:
        lines.append(
            f"You read an earlier version of the reports from {_and([r.label for r in stale])}."
        )
    verdict = NOT_MET if len(unread) == len(submitted) else PARTLY
    return [config.judge(subject, verdict, " ".join(lines), evidence)]


@rule("R24-family-met", "Chair met the family before the meeting")
def family_met(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The chair meets the family before the conference to explain how it will work (guidance para 63; step 4)."""
    subject = Subject.role(Role.CHAIR)
    entries = ctx.events("FamilyMet")
    if ctx.state.family_met_at is not None:
        return [
            config.judge(
                subject,
                MET,
                "You met the family before the meeting.",
                [_log_ev(e) for e in entries],
            )
        ]
    if ctx.passed(Phase.CHAIRS_PREPARATION):
        return [
            config.judge(
                subject,
                NOT_MET,
                "You did not meet the family before the meeting to explain how it would work.",
            )
        ]
    return [config.judge(subject, NOT_ASSESSABLE, "The meeting has not opened yet.")]


@rule("R25-opening", "Meeting opened with introductions, ground rules, purpose and confidentiality")
def opening(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The chair opens with introductions, ground rules, the process and confidentiality.

    Introductions and confidentiality without the rest is partly met
    (guidance para 64; step 5; ref. 12 R26).
    """
    subject = Subject.role(Role.CHAIR)
    covered = set(ctx.state.opening_items)
    evidence = [_log_ev(e) for e in ctx.events("OpeningItemCovered")]
    missing = [item for item in OpeningItem if item not in covered]
    if not missing:
        return [
            config.judge(
                subject,
                MET,
                "You opened with introductions, ground rules, the purpose and confidentiality.",
                evidence,
            )
        ]
    if not ctx.passed(Phase.OPENING):
        return [
            config.judge(
                subject, NOT_ASSESSABLE, "The meeting stopped before it was opened.", evidence
            )
        ]
    core = {OpeningItem.INTRODUCTIONS, OpeningItem.CONFIDENTIALITY}
    return [
        config.judge(
            subject,
            PARTLY if core <= covered else NOT_MET,
            f"When opening the meeting you did not cover {_and([OPENING_LABELS[i] for i in missing])}.",
            evidence,
        )
    ]


@rule(
    "R26-information-before-views",
    "Professionals' information and its impact before the family's views",
)
def information_before_views(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Professionals share their information and its impact before the parents and child give their views.

    (Guidance paras 59, 65 and 66; steps 6 and 7; ref. 12 R26.)
    """
    room = ctx.room
    contributions = [
        entry
        for entry in ctx.events("ItemShared", "ImpactStated")
        if entry.phase is Phase.AGENCY_CONTRIBUTIONS
    ]
    views = ctx.events("ViewGiven")
    if not contributions and not views:
        verdict = NOT_MET if ctx.passed(Phase.FAMILY_VIEWS) else NOT_ASSESSABLE
        text = (
            "No professional information or family views were recorded at the meeting."
            if verdict is NOT_MET
            else "The meeting stopped before information and views were shared."
        )
        return [config.judge(room, verdict, text)]
    if not contributions:
        return [
            config.judge(
                room,
                NOT_MET,
                "The family gave their views, but no professional presented information first.",
                [_log_ev(views[0])],
            )
        ]
    last_contribution = contributions[-1]
    early = [entry for entry in views if entry.index < last_contribution.index]
    if early:
        return [
            config.judge(
                room,
                NOT_MET,
                "The family were asked for their views before the professionals had finished "
                "sharing their information and its impact on the child.",
                [_log_ev(early[0]), _log_ev(last_contribution)],
            )
        ]
    return [
        config.judge(
            room,
            MET,
            "The professionals shared their information and its impact before the family "
            "gave their views.",
            [_log_ev(last_contribution), *([_log_ev(views[0])] if views else [])],
        )
    ]


@rule("R27-summary-before-recommendations", "Chair summarised before recommendations")
def summary_before_recommendations(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The chair summarises the information before the professionals make their recommendations.

    A summary given only after voting began is partly met (guidance paras 68
    and 69; steps 9 and 10; ref. 12 R26).
    """
    subject = Subject.role(Role.CHAIR)
    summaries = ctx.events("SummaryGiven")
    votes = ctx.events("VoteCast")
    if summaries and (not votes or summaries[0].index < votes[0].index):
        return [
            config.judge(
                subject,
                MET,
                "You summarised the information before the recommendations.",
                [_log_ev(summaries[0])],
            )
        ]
    if summaries:
        return [
            config.judge(
                subject,
                PARTLY,
                "You summarised only after the recommendations had started.",
                [_log_ev(summaries[0]), _log_ev(votes[0])],
            )
        ]
    if ctx.passed(Phase.SUMMARY) or votes:
        return [
            config.judge(
                subject,
                NOT_MET,
                "You did not summarise the information before the professionals made their "
                "recommendations.",
                [_log_ev(votes[0])] if votes else [],
            )
        ]
    return [config.judge(subject, NOT_ASSESSABLE, "The meeting stopped before the summary.")]


@rule("R28-exclusion-reason", "Any exclusion has a recorded reason")
def exclusion_reason(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Any decision to exclude someone from all or part of the conference has a recorded reason.

    Covers exclusions during the meeting and a decision that a parent will
    not attend throughout (guidance paras 44 and 67; ref. 12 R28).
    """
    subject = Subject.role(Role.CHAIR)
    state = ctx.state
    logged = _logged(ctx, state.exclusions, "ExclusionStarted")
    checks: list[tuple[bool, Evidence]] = [
        (
            bool(exclusion.reason.value),
            Evidence(
                kind=EvidenceKind.EVENT,
                ref=logged[id(exclusion)],
                detail=f"{exclusion.reason.value}: {excerpt(exclusion.note)}",
            ),
        )
        for exclusion in state.exclusions
    ]
    attendance = state.parent_attendance
    if attendance is not None and not attendance.attends_throughout:
        checks.append(
            (
                bool(attendance.reason.strip()),
                Evidence(
                    kind=EvidenceKind.EVENT,
                    ref=_last_ref(ctx, "ParentAttendanceDecided"),
                    detail=excerpt(attendance.reason),
                ),
            )
        )
    if not checks:
        return [config.judge(subject, NOT_APPLICABLE, "Nobody was excluded from the meeting.")]
    if all(ok for ok, _ in checks):
        return [
            config.judge(
                subject,
                MET,
                "You recorded a reason for every exclusion.",
                [ev for _, ev in checks],
            )
        ]
    return [
        config.judge(
            subject,
            NOT_MET,
            "You excluded someone without recording the reason.",
            [ev for ok, ev in checks if not ok],
        )
    ]


@rule("R29-voice-of-child", "The child's voice is captured")
def voice_of_child(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The child's wishes and feelings are heard at the meeting or recorded in a report.

    Not applicable to an unborn baby (guidance paras 83 and 86; ref. 12
    R27).
    """
    findings: list[Finding] = []
    state = ctx.state
    single = len(ctx.setup.child_ids) == 1
    unborn = {child.id for child in ctx.casefile.household.children if child.unborn}
    logged = _logged(ctx, state.views, "ViewGiven")
    for child_id in ctx.setup.child_ids:
        subject = Subject.child(child_id)
        name = ctx.child_name(child_id)
        if child_id in unborn:
            findings.append(
                config.judge(
                    subject, NOT_APPLICABLE, f"{name} is not yet born and cannot give views."
                )
            )
            continue
        heard = [
            view
            for view in state.views
            if view.voice is Voice.CHILD
            and (view.child_id == child_id or (view.child_id is None and single))
        ]
        written = [
            role
            for role in ctx.setup.report_authors
            if (report := ctx.report(role)) is not None
            and (text := report.sections.get(ReportSection.VIEWS_OF_CHILD, "")).strip()
            and (single or _mentions_child(ctx, child_id, text))
        ]
        evidence = [
            *(
                Evidence(kind=EvidenceKind.EVENT, ref=logged[id(v)], detail=excerpt(v.text))
                for v in heard
            ),
            *(_section_ev(role, ReportSection.VIEWS_OF_CHILD) for role in written),
        ]
        if heard or written:
            where = "at the meeting" if heard else "in the written reports"
            findings.append(
                config.judge(subject, MET, f"{name}'s views were captured {where}.", evidence)
            )
        elif ctx.passed(Phase.FAMILY_VIEWS):
            findings.append(
                config.judge(
                    subject,
                    NOT_MET,
                    f"{name}'s own views were not heard at the meeting or recorded in any report.",
                )
            )
        else:
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    f"The meeting stopped before {name}'s views were heard.",
                )
            )
    return findings


@rule("R30-parents-views", "The parents' views are heard")
def parents_views(ctx: Context, config: RuleConfig) -> list[Finding]:
    """The chair seeks the parents' and carers' views on the information shared (guidance para 66; step 7)."""
    room = ctx.room
    heard = [view for view in ctx.state.views if view.voice is Voice.PARENT]
    logged = _logged(ctx, ctx.state.views, "ViewGiven")
    if heard:
        return [
            config.judge(
                room,
                MET,
                "The parents' views were heard.",
                [
                    Evidence(kind=EvidenceKind.EVENT, ref=logged[id(v)], detail=excerpt(v.text))
                    for v in heard
                ],
            )
        ]
    if ctx.passed(Phase.FAMILY_VIEWS):
        return [config.judge(room, NOT_MET, "The parents' views were not heard at the meeting.")]
    return [config.judge(room, NOT_ASSESSABLE, "The meeting stopped before the family's views.")]


@rule("R31-must-reach-conference", "Everything the conference needed reached it")
def must_reach_conference(ctx: Context, config: RuleConfig) -> list[Finding]:
    """Every item the answer key says must reach the conference does, from any agency.

    In a report, at the meeting or raised with the chair. All is met, at
    least half partly met (guidance paras 40 and 58).
    """
    findings: list[Finding] = []
    state = ctx.state
    reached = {s.item_id for s in state.shared_items}
    for role in state.reports:
        report = ctx.report(role)
        if report is not None:
            reached |= {s.item_id for s in report.statements if s.item_id}
        reached |= {c.item_id for c in state.report(role).confidential}
    for child_id in ctx.setup.child_ids:
        subject = Subject.child(child_id)
        key = ctx.keys.get(child_id)
        name = ctx.child_name(child_id)
        if key is None:
            findings.append(
                config.judge(subject, NOT_ASSESSABLE, f"The case has no answer key for {name}.")
            )
            continue
        required = key.must_reach_conference
        if not required:
            findings.append(
                config.judge(
                    subject, NOT_APPLICABLE, f"The case lists no must-hear items for {name}."
                )
            )
            continue
        missing = [item_id for item_id in required if item_id not in reached]
        if not missing:
            findings.append(
                config.judge(
                    subject,
                    MET,
                    f"Everything the conference needed to hear about {name} reached it.",
                    [Evidence(kind=EvidenceKind.PACK_ITEM, ref=i) for i in required],
                )
            )
            continue
        described = []
        for item_id in missing:
            item = ctx.items.get(item_id)
            holder = ctx.holders.get(item_id)
            who = f" ({holder.label})" if holder is not None else ""
            described.append((excerpt(item.text, 50) if item else repr(item_id)) + who)
        evidence = [Evidence(kind=EvidenceKind.PACK_ITEM, ref=i) for i in missing]
        if not ctx.passed(Phase.FAMILY_VIEWS):
            findings.append(
                config.judge(
                    subject,
                    NOT_ASSESSABLE,
                    f"The meeting stopped before everything about {name} was shared; still "
                    f"missing: {_and(described)}.",
                    evidence,
                )
            )
            continue
        findings.append(
            config.judge(
                subject,
                _proportion(len(missing), len(required)),
                f"The conference did not hear {_and(described)} about {name} "
                f"({len(required) - len(missing)} of {len(required)} items reached it).",
                evidence,
            )
        )
    return findings


# ---------------------------------------------------------------------------
# Decision record and plan (ref. 12 R17-R23)
# ---------------------------------------------------------------------------


def _plan_children(ctx: Context) -> list[str]:
    return [
        child_id
        for child_id in ctx.setup.child_ids
        if (decision := ctx.state.decisions.get(child_id)) is not None
        and decision.outcome is PlanOutcome.CHILD_PROTECTION_PLAN
    ]


@rule("R32-decision-record-complete", "Decision record complete")
def decision_record_complete(ctx: Context, config: RuleConfig) -> list[Finding]:
    """A decision is recorded for every child and, where there is a plan, the outline plan is complete.

    Complete means lead social worker, core group, first core group date,
    contingency plan and at least one plan row (guidance para 74; ref. 12
    R17).
    """
    room = ctx.room
    state = ctx.state
    undecided = [c for c in ctx.setup.child_ids if c not in state.decisions]
    evidence = [
        Evidence(kind=EvidenceKind.DECISION, ref=c)
        for c in ctx.setup.child_ids
        if c in state.decisions
    ]
    if undecided:
        names = _and([ctx.child_name(c) for c in undecided])
        if ctx.passed(Phase.DECISION):
            return [config.judge(room, NOT_MET, f"No decision was recorded for {names}.", evidence)]
        return [
            config.judge(
                room,
                NOT_ASSESSABLE,
                f"The conference stopped before a decision was recorded for {names}.",
                evidence,
            )
        ]
    if not _plan_children(ctx):
        return [
            config.judge(
                room,
                MET,
                "A decision was recorded for every child; no child protection plan was needed.",
                evidence,
            )
        ]
    plan = state.plan
    if plan.complete:
        return [
            config.judge(
                room,
                MET,
                "A decision was recorded for every child, with a complete outline plan.",
                [*evidence, Evidence(kind=EvidenceKind.PLAN, ref="plan")],
            )
        ]
    if not ctx.passed(Phase.OUTLINE_PLAN):
        return [
            config.judge(
                room,
                NOT_ASSESSABLE,
                "The conference stopped before the outline plan was finished.",
                evidence,
            )
        ]
    gaps = [
        label
        for label, present in (
            ("a lead social worker", plan.lead_social_worker is not None),
            ("a core group", bool(plan.core_group)),
            ("the first core group date", plan.first_core_group_on is not None),
            ("a contingency plan", bool(plan.contingency.strip())),
            ("plan rows", bool(plan.rows)),
        )
        if not present
    ]
    return [
        config.judge(
            room,
            PARTLY,
            f"Every child has a decision, but the outline plan lacks {_and(gaps)}.",
            [*evidence, Evidence(kind=EvidenceKind.PLAN, ref="plan")],
        )
    ]


def _plan_gate(ctx: Context, config: RuleConfig) -> Finding | None:
    """Return the finding for a plan rule that cannot look at a plan, else None."""
    room = ctx.room
    if not _plan_children(ctx):
        if ctx.passed(Phase.DECISION) or len(ctx.state.decisions) == len(ctx.setup.child_ids):
            return config.judge(room, NOT_APPLICABLE, "No child protection plan was made.")
        return config.judge(
            room, NOT_ASSESSABLE, "The conference stopped before deciding on a plan."
        )
    if ctx.state.plan.set_at is None:
        if ctx.passed(Phase.OUTLINE_PLAN):
            return config.judge(
                room, NOT_MET, "A child protection plan was decided but no outline plan was set."
            )
        return config.judge(
            room, NOT_ASSESSABLE, "The conference stopped before the outline plan was set."
        )
    return None


def _plan_rule(check: Callable[[Context, RuleConfig], Finding]) -> Check:
    def run(ctx: Context, config: RuleConfig) -> list[Finding]:
        gate = _plan_gate(ctx, config)
        return [gate if gate is not None else check(ctx, config)]

    run.__doc__ = check.__doc__
    return run


@rule("R33-lead-social-worker", "Lead social worker from Children's Social Care")
@_plan_rule
def lead_social_worker(ctx: Context, config: RuleConfig) -> Finding:
    """The conference appoints a lead social worker from Children's Social Care (guidance para 77; ref. 12 R18)."""
    lead = ctx.state.plan.lead_social_worker
    evidence = [
        Evidence(
            kind=EvidenceKind.PLAN, ref="lead_social_worker", detail=lead.value if lead else ""
        )
    ]
    if lead is Role.LEAD_SOCIAL_WORKER:
        return config.judge(
            ctx.room,
            MET,
            "A lead social worker from Children's Social Care was appointed.",
            evidence,
        )
    return config.judge(
        ctx.room,
        NOT_MET,
        "The lead social worker must come from Children's Social Care.",
        evidence,
    )


@rule("R34-first-core-group", "First core group within 10 working days")
@_plan_rule
def first_core_group(ctx: Context, config: RuleConfig) -> Finding:
    """The first core group meets within 10 working days of the initial conference (guidance para 39; ref. 12 R19)."""
    setup = ctx.setup
    first = ctx.state.plan.first_core_group_on
    if setup.conference_type is ConferenceType.REVIEW:
        return config.judge(
            ctx.room,
            NOT_APPLICABLE,
            "The 10-working-day limit applies to the first core group after an initial conference.",
        )
    if first is None:
        return config.judge(ctx.room, NOT_MET, "No date was set for the first core group.")
    evidence = [
        Evidence(kind=EvidenceKind.PLAN, ref="first_core_group_on", detail=first.isoformat())
    ]
    days = working_days_between(setup.conference_date, first, ctx.holidays)
    deadline = add_working_days(setup.conference_date, FIRST_CORE_GROUP_WORKING_DAYS, ctx.holidays)
    if first >= setup.conference_date and days <= FIRST_CORE_GROUP_WORKING_DAYS:
        return config.judge(
            ctx.room,
            MET,
            f"The first core group is on {format_date(first)}, {_count(days, 'working day')} after the "
            "conference.",
            evidence,
        )
    return config.judge(
        ctx.room,
        NOT_MET,
        f"The first core group is on {format_date(first)}; it must meet by "
        f"{format_date(deadline)}, within 10 working days of the conference.",
        evidence,
    )


def _members(ctx: Context) -> frozenset[Role]:
    plan = ctx.state.plan
    named: set[Role] = set(plan.core_group)
    for member in plan.other_members:
        named |= roles_named(ctx, member)
    return frozenset(named)


@rule("R35-core-group-covers-owners", "Core group includes the family and every action owner")
@_plan_rule
def core_group_covers_owners(ctx: Context, config: RuleConfig) -> Finding:
    """The core group includes the family and every professional who holds an action in the plan.

    Owners are read from each row's "who" column (see ROLE_ALIASES). Missing
    one of the two is partly met (guidance para 78; ref. 12 R21).
    """
    plan = ctx.state.plan
    members = _members(ctx)
    family = Role.PARENT in members or any(FAMILY_WORDS_RE.search(m) for m in plan.other_members)
    owners: dict[Role, list[str]] = {}
    unread: list[str] = []
    for row in plan.rows:
        named = roles_named(ctx, row.who) - NOT_CORE_GROUP
        if not named:
            unread.append(row.row_id)
        for role in named:
            owners.setdefault(role, []).append(row.row_id)
    outside = [role for role in Role if role in owners and role not in members]
    evidence = [
        Evidence(
            kind=EvidenceKind.PLAN,
            ref="core_group",
            detail=", ".join(sorted(r.value for r in plan.core_group)),
        )
    ]
    evidence += [
        Evidence(kind=EvidenceKind.PLAN, ref=f"row:{owners[r][0]}", detail=r.value) for r in outside
    ]
    note = (
        f" (The 'who' column of {_count(len(unread), 'row')} ({', '.join(unread)}) names no "
        "role the platform recognises.)"
        if unread
        else ""
    )
    problems = []
    if outside:
        one = len(outside) == 1
        problems.append(
            f"{_and([r.label for r in outside])} {'holds' if one else 'hold'} actions in the "
            f"plan but {'is' if one else 'are'} not in the core group."
        )
    if not family:
        problems.append("The core group has no family member.")
    if not problems:
        return config.judge(
            ctx.room,
            MET,
            f"The core group includes the family and everyone holding an action.{note}",
            evidence,
        )
    return config.judge(
        ctx.room,
        PARTLY if len(problems) == 1 else NOT_MET,
        " ".join(problems) + note,
        evidence,
    )


@rule("R36-core-group-expected", "Core group has the members the case needs")
@_plan_rule
def core_group_expected(ctx: Context, config: RuleConfig) -> Finding:
    """The core group includes the roles the answer key expects for the children on a plan.

    All is met, at least half partly met (guidance para 78; ref. 12 R21).
    """
    expected: list[Role] = []
    for child_id in _plan_children(ctx):
        key = ctx.keys.get(child_id)
        if key is None:
            continue
        for role in key.expected_core_group:
            if (
                role not in expected
                and role in ctx.setup.seated_roles
                and role not in NOT_CORE_GROUP
            ):
                expected.append(role)
    if not expected:
        return config.judge(
            ctx.room, NOT_APPLICABLE, "The case names no core group members to check against."
        )
    members = _members(ctx)
    missing = [role for role in expected if role not in members]
    evidence = [
        Evidence(
            kind=EvidenceKind.PLAN,
            ref="core_group",
            detail=", ".join(sorted(r.value for r in ctx.state.plan.core_group)),
        )
    ]
    if not missing:
        return config.judge(
            ctx.room, MET, "The core group has everyone the case needs in it.", evidence
        )
    return config.judge(
        ctx.room,
        _proportion(len(missing), len(expected)),
        f"The core group should also include {_and([r.label for r in missing])}.",
        evidence,
    )


@rule("R37-contingency-plan", "Contingency plan made")
@_plan_rule
def contingency_plan(ctx: Context, config: RuleConfig) -> Finding:
    """The plan says what will happen if actions are not completed or circumstances change (guidance para 82; ref. 12 R22)."""
    text = ctx.state.plan.contingency
    evidence = [Evidence(kind=EvidenceKind.PLAN, ref="contingency", detail=excerpt(text))]
    if text.strip():
        return config.judge(ctx.room, MET, "The plan includes a contingency plan.", evidence)
    return config.judge(ctx.room, NOT_MET, "The plan has no contingency plan.", evidence)


@rule("R38-plan-rows-complete", "Plan rows complete, for every child on a plan")
@_plan_rule
def plan_rows_complete(ctx: Context, config: RuleConfig) -> Finding:
    """Every plan row says what, how, who, how we will know and the review, and every child on a plan has a row.

    One of the two failing is partly met (guidance para 80; ref. 12 R23).
    """
    plan = ctx.state.plan
    if not plan.rows:
        if not ctx.passed(Phase.OUTLINE_PLAN):
            return config.judge(
                ctx.room, NOT_ASSESSABLE, "The conference stopped before any plan row was added."
            )
        return config.judge(ctx.room, NOT_MET, "The plan has no rows.")
    incomplete = [
        row.row_id
        for row in plan.rows
        if not all(
            text.strip() for text in (row.what, row.how, row.who, row.how_we_will_know, row.review)
        )
    ]
    covered = {row.child_id for row in plan.rows}
    uncovered = [c for c in _plan_children(ctx) if c not in covered and None not in covered]
    evidence = [Evidence(kind=EvidenceKind.PLAN, ref=f"row:{row.row_id}") for row in plan.rows]
    problems = []
    if incomplete:
        problems.append(
            f"{_count(len(incomplete), 'plan row').capitalize()} ({', '.join(incomplete)}) "
            f"{'leaves' if len(incomplete) == 1 else 'leave'} a column empty."
        )
    if uncovered:
        problems.append(f"No row is about {_and([ctx.child_name(c) for c in uncovered])}.")
    if not problems:
        return config.judge(
            ctx.room, MET, f"All {_count(len(plan.rows), 'plan row')} complete.", evidence
        )
    return config.judge(
        ctx.room, PARTLY if len(problems) == 1 else NOT_MET, " ".join(problems), evidence
    )


@rule("R39-seen-alone", "Plan says when the child is seen alone")
@_plan_rule
def seen_alone(ctx: Context, config: RuleConfig) -> Finding:
    """The plan says when and where the lead social worker sees the child alone (guidance paras 79 and 81; ref. 12 R22)."""
    plan = ctx.state.plan
    for row in plan.rows:
        text = " ".join((row.what, row.how, row.who, row.how_we_will_know, row.review))
        match = ALONE_RE.search(text)
        if match:
            return config.judge(
                ctx.room,
                MET,
                "The plan says when the child will be seen alone.",
                [Evidence(kind=EvidenceKind.PLAN, ref=f"row:{row.row_id}", detail=excerpt(text))],
            )
    if ALONE_RE.search(plan.contingency):
        return config.judge(
            ctx.room,
            MET,
            "The plan says when the child will be seen alone.",
            [Evidence(kind=EvidenceKind.PLAN, ref="contingency", detail=excerpt(plan.contingency))],
        )
    return config.judge(
        ctx.room,
        NOT_MET,
        "The plan does not say when or where the lead social worker will see the child alone.",
    )


RULES: Final[Mapping[str, Rule]] = MappingProxyType(dict(sorted(_REGISTRY.items())))
"""Every rule this engine knows, by id."""
