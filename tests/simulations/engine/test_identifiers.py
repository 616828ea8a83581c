"""Detection of real-looking personal identifiers in scenario and report text."""

from __future__ import annotations

import pytest

from simulations.engine.identifiers import (
    IdentifierKind,
    describe,
    email_domain_is_reserved,
    find_identifiers,
    find_in_texts,
    is_drama_number,
    national_insurance_is_valid,
    nhs_check_digit_is_valid,
    strings_in,
)

NHS = IdentifierKind.NHS_NUMBER
NINO = IdentifierKind.NATIONAL_INSURANCE
JERSEY = IdentifierKind.JERSEY_SOCIAL_SECURITY
PHONE = IdentifierKind.PHONE
EMAIL = IdentifierKind.EMAIL
ADDRESS = IdentifierKind.ADDRESS
DOB = IdentifierKind.DATE_OF_BIRTH


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # NHS numbers: only a valid modulus 11 check digit counts.
        ("NHS number 943 476 5919 on file", [(NHS, "943 476 5919")]),
        ("NHS no. 9434765919.", [(NHS, "9434765919")]),
        ("ref 943-476-5919", [(NHS, "943-476-5919")]),
        ("NHS number 943 476 5918", []),
        ("check digit of ten: 123 456 7890", []),
        ("part of a longer number 19434765919", []),
        ("account 12345678901234", []),
        # National Insurance numbers.
        ("NI AB 12 34 56 C held", [(NINO, "AB 12 34 56 C")]),
        ("NI AB123456C", [(NINO, "AB123456C")]),
        ("first letter D is never used: DA123456A", []),
        ("second letter O is never used: AO123456A", []),
        ("unallocated prefix GB123456A", []),
        ("unallocated prefix ZZ 12 34 56 A", []),
        ("suffix E is not used: AB123456E", []),
        ("no suffix: AB123456", []),
        ("lower case is ordinary text: ab123456c", []),
        # Jersey social security numbers.
        ("Social security JY 12 34 56 A", [(JERSEY, "JY 12 34 56 A")]),
        ("JY123456", [(JERSEY, "JY123456")]),
        ("JY123456B.", [(JERSEY, "JY123456B")]),
        # Telephone numbers: Jersey landlines and mobiles, UK numbers, +44.
        ("Call 01534 123456 today", [(PHONE, "01534 123456")]),
        ("Call (01534) 123456", [(PHONE, "(01534) 123456")]),
        ("Call +44 1534 123456", [(PHONE, "+44 1534 123456")]),
        ("Call +44 (0)1534 123456", [(PHONE, "+44 (0)1534 123456")]),
        ("Mobile 07797 123456", [(PHONE, "07797 123456")]),
        ("Mobile 07797123456", [(PHONE, "07797123456")]),
        ("Mobile +447797123456", [(PHONE, "+447797123456")]),
        ("Mobile 0044 7797 123456", [(PHONE, "0044 7797 123456")]),
        ("London 020 7123 4567", [(PHONE, "020 7123 4567")]),
        # Ofcom drama ranges are fictional and left out by default.
        ("Mobile 07700 900123", []),
        ("Mobile +44 7700 900999", []),
        ("Drama landline 01632 960000", []),
        ("London drama 020 7946 0123", []),
        # Not telephone numbers.
        ("The Hub is on 519000", []),
        ("010 1234 5678 is not an area code", []),
        ("in 2026 there were 15 working days", []),
        ("Reports 2 working days before", []),
        # E-mail addresses: real domains only.
        ("Write to jo.bloggs@gmail.com today", [(EMAIL, "jo.bloggs@gmail.com")]),
        ("school office@haute-vallee.sch.je", [(EMAIL, "office@haute-vallee.sch.je")]),
        ("delegate01@threshold.test signed in", []),
        ("mum@example.com and dad@mail.example.org", []),
        ("nobody@host.invalid", []),
        ("an @ sign on its own, or user@localhost", []),
        # Street addresses with a postcode on the same line.
        (
            "lives at 14 Rue des Pres, St Helier JE2 4QT now",
            [(ADDRESS, "14 Rue des Pres, St Helier JE2 4QT")],
        ),
        (
            "Flat 3, 22a Grove Road, London SW1A 1AA",
            [(ADDRESS, "Flat 3, 22a Grove Road, London SW1A 1AA")],
        ),
        ("postcode JE2 9QX on its own", []),
        ("7 Clos des Sept Cerisiers, St Saviour", []),
        ("12 Rue du Moulin,\nSt Helier JE2 4QT", []),
        # Dates of birth: after a label, or straight after a name.
        ("DOB: 12/03/2015", [(DOB, "12/03/2015")]),
        ("d.o.b. not given; D.O.B. 01.02.2019", [(DOB, "01.02.2019")]),
        ("Date of birth 12 March 2015.", [(DOB, "12 March 2015")]),
        ("She was born on 3rd Jan 2020 in Jersey", [(DOB, "3rd Jan 2020")]),
        ("Jayden Smith (12/03/2015) attends", [(DOB, "12/03/2015")]),
        ("Mary Le Brun, 2015-03-12", [(DOB, "2015-03-12")]),
        ("born in March 2019", []),
        ("Jayden is 4 years old", []),
        ("The conference met on 12/03/2026", []),
        ("Review on 12 March 2026 at the Hub", []),
    ],
)
def test_find_identifiers(text: str, expected: list[tuple[IdentifierKind, str]]) -> None:
    """Each identifier is found with its kind and exact text, nothing else."""
    found = [(m.kind, m.text) for m in find_identifiers(text)]
    assert found == expected


def test_positions_slice_the_text() -> None:
    """Start and end positions locate each match in the original text."""
    text = "NHS 943 476 5919, mobile 07797 123456 and NI AB 12 34 56 C."
    matches = find_identifiers(text)
    assert [m.kind for m in matches] == [NHS, PHONE, NINO]
    for match in matches:
        assert text[match.start : match.end] == match.text


def test_fictional_numbers_can_be_listed() -> None:
    """Drama-range numbers are reported, marked fictional, when asked for."""
    text = "Mum 07700 900417, school 01632 960555, office 01534 123456"
    matches = find_identifiers(text, include_fictional=True)
    assert [(m.text, m.fictional) for m in matches] == [
        ("07700 900417", True),
        ("01632 960555", True),
        ("01534 123456", False),
    ]


@pytest.mark.parametrize(
    ("digits", "valid"),
    [
        ("9434765919", True),
        ("4010232137", True),
        ("9434765918", False),
        ("1234567890", False),  # check digit would be 10
        ("943476591", False),
        ("94347659190", False),
    ],
)
def test_nhs_check_digit(digits: str, valid: bool) -> None:
    """The modulus 11 rule accepts exactly the valid numbers."""
    assert nhs_check_digit_is_valid(digits) is valid


@pytest.mark.parametrize(
    ("nino", "valid"),
    [
        ("AB123456C", True),
        ("ab 12 34 56 c", True),
        ("BG123456A", False),
        ("NK123456A", False),
        ("TN123456A", False),
        ("VA123456A", False),
        ("AV123456A", False),
        ("AB123456", False),
    ],
)
def test_national_insurance_rules(nino: str, valid: bool) -> None:
    """Prefix and suffix rules follow the official allocation rules."""
    assert national_insurance_is_valid(nino) is valid


@pytest.mark.parametrize(
    ("national", "drama"),
    [
        ("7700900000", True),
        ("7700900999", True),
        ("7700901000", False),
        ("1632960500", True),
        ("1534123456", False),
        ("2079460999", True),
    ],
)
def test_drama_ranges(national: str, drama: bool) -> None:
    """Ofcom's drama ranges are recognised at their boundaries."""
    assert is_drama_number(national) is drama


@pytest.mark.parametrize(
    ("domain", "reserved"),
    [
        ("example.com", True),
        ("mail.EXAMPLE.net", True),
        ("threshold.test", True),
        ("gov.je", False),
        ("example.com.evil.io", False),
        ("notexample.com", False),
    ],
)
def test_reserved_email_domains(domain: str, reserved: bool) -> None:
    """Only documentation and test domains are fictional."""
    assert email_domain_is_reserved(domain) is reserved


def test_strings_in_names_each_path() -> None:
    """Every string in a nested answer comes out with its path."""
    value = {"fields": {"concerns.summary": "a"}, "statements": {"hv": [{"text": "b"}]}, "n": 3}
    assert list(strings_in(value)) == [
        ("fields.concerns.summary", "a"),
        ("statements.hv[0].text", "b"),
    ]


def test_describe_names_kind_and_place() -> None:
    """A refusal says what was found and where."""
    [(where, match)] = find_in_texts(
        [("summary", "fine"), ("section 'Concerns'", "NHS 943 476 5919")]
    )
    message = describe(match, where)
    assert message.startswith("Section 'Concerns' contains what looks like a real NHS number")
    assert "'943 476 5919'" in message


def test_allowed_texts_are_left_out_in_any_case() -> None:
    """The caller's allowlist drops exact matches only, whatever their case."""
    text = "Write to SafeguardingTraining@gov.je or jo.bloggs@gmail.com."
    allowed = ["safeguardingtraining@gov.je"]
    assert [m.text for m in find_identifiers(text, allowed=allowed)] == ["jo.bloggs@gmail.com"]
    found = find_in_texts([("note", text)], allowed=allowed)
    assert [(where, m.text) for where, m in found] == [("note", "jo.bloggs@gmail.com")]
