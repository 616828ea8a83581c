"""The glossary: terms found in text, explained at first appearance, A-Z page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from content.demo.glossary import TERMS
from content.glossary import GlossaryMatcher, glossary_letters, glossary_load
from content.guidance_selectors import guidance_cache_forget
from content.models import GlossaryTerm
from content.templatetags.guidance import TextRenderer, cell_lines, heading_tag, nested_items


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()
    guidance_cache_forget()


def term(pk: int, name: str, expansion: str = "", **kwargs: object) -> GlossaryTerm:
    return GlossaryTerm(pk=pk, term=name, slug=name.lower(), expansion=expansion, **kwargs)


MASH = term(1, "MASH", "Multi Agency Safeguarding Hub", definition="Where agencies meet.")
HUB = term(2, "Hub", "Children and Families Hub", aliases="Children and Families Hub")
GILLICK = term(3, "Gillick competence", match_case=False)
ICPC = term(4, "ICPC", "Initial Child Protection Conference")


# -- Matching (no database) ----------------------------------------------------------


def test_matcher_finds_terms_and_aliases_longest_first() -> None:
    matcher = GlossaryMatcher([MASH, HUB, GILLICK])
    text = "Refer to the Children and Families Hub; the MASH decides. Gillick Competence applies."
    found = [(text[m.start : m.end], m.term.term) for m in matcher.find(text)]
    assert found == [
        ("Children and Families Hub", "Hub"),
        ("MASH", "MASH"),
        ("Gillick Competence", "Gillick competence"),
    ]


def test_acronyms_match_only_whole_words_in_their_case() -> None:
    matcher = GlossaryMatcher([MASH, ICPC])
    assert matcher.find("mash the potatoes; SMASHED; MASH-like; ICPCs") == []


def test_terms_can_opt_out_of_the_text() -> None:
    quiet = term(5, "CP", "Child Protection", explain_in_text=False)
    assert GlossaryMatcher([quiet]).find("a CP plan") == []


def test_first_appearance_on_a_page_is_marked_once() -> None:
    renderer = TextRenderer(base_url="/g/doc/", matcher=GlossaryMatcher([MASH, ICPC]))
    first = renderer.render("The MASH shares the referral with the MASH team.")
    assert first.count("<abbr") == 1
    assert '<abbr class="app-term" title="Multi Agency Safeguarding Hub">MASH</abbr>' in first
    assert [t.term.term for t in renderer.take_pending()] == ["MASH"]
    later = renderer.render("Then the MASH and the ICPC.")
    assert later.count("<abbr") == 1 and "ICPC</abbr>" in later
    assert [t.term.term for t in renderer.take_pending()] == ["ICPC"]
    assert renderer.take_pending() == []


def test_text_is_escaped_and_footnotes_and_cross_references_placed() -> None:
    renderer = TextRenderer(base_url="/g/doc/", local_numbers=frozenset({12}))
    html = renderer.render("See paragraph 12 and paragraphs 40 to 41 <b>now</b>.", [[7, 16]])
    assert "&lt;b&gt;now&lt;/b&gt;" in html
    assert 'paragraph <a href="#para-12" class="govuk-link">12</a>' in html
    assert (
        '<a href="/g/doc/para-40/" class="govuk-link">40</a> to <a href="/g/doc/para-41/"' in html
    )
    assert '<a href="#fn-7" id="fnref-7">' in html
    assert html.index("fnref-7") < html.index("paragraphs <a")
    again = renderer.render("Cited again.", [[7, 12]])
    assert 'id="fnref-7-2"' in again


def test_table_and_list_helpers() -> None:
    assert cell_lines("Intro:\n\u25cf One\n\u25cf Two\n") == [
        {"text": "Intro:", "bullet": False},
        {"text": "One", "bullet": True},
        {"text": "Two", "bullet": True},
    ]
    tree = nested_items(
        [{"text": "a", "level": 1}, {"text": "b", "level": 2}, {"text": "c", "level": 1}]
    )
    assert [(n["text"], [c["text"] for c in n["children"]]) for n in tree] == [
        ("a", ["b"]),
        ("c", []),
    ]
    assert heading_tag(3) == "h2" and heading_tag(5) == "h4" and heading_tag(3, -1) == "h4"


def test_letters_cover_a_to_z() -> None:
    letters = glossary_letters([MASH, HUB, GILLICK, term(9, "3-day rule")])
    assert [letter.letter for letter in letters][:3] == ["A", "B", "C"]
    assert [t.term for t in next(x for x in letters if x.letter == "M").terms] == ["MASH"]
    assert letters[-1].letter == "#"


# -- The demo glossary -----------------------------------------------------------------


def test_demo_glossary_corrects_the_workbook_list() -> None:
    """procedures-reference.md 0.2: C3, C5, C6, C15 (and SEND)."""
    by_term = {entry["term"]: entry for entry in TERMS}
    assert by_term["ICPC"]["expansion"] == "Initial Child Protection Conference"
    assert by_term["LADO"]["expansion"] == "Local Area Designated Officer"
    assert by_term["QST"]["expansion"] == "Standards and Quality Team"
    assert by_term["Hub"]["expansion"] == "Children and Families Hub"
    assert by_term["SEND"]["expansion"] == "Special Educational Needs and Disability"
    assert "2002" in by_term["Article 42 enquiry"]["definition"]
    for entry in TERMS:
        assert "Designed" not in entry.get("expansion", "")
        assert entry.get("definition"), entry["term"]
    assert len(by_term) == len(TERMS) >= 70


@pytest.mark.django_db
def test_loading_is_idempotent() -> None:
    first = glossary_load(TERMS)
    assert (first.created, first.updated) == (len(TERMS), 0)
    again = glossary_load(TERMS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(TERMS))
    changed = [{**TERMS[0], "definition": "Changed."}]
    assert glossary_load(changed).updated == 1
    assert GlossaryTerm.objects.get(term=TERMS[0]["term"]).definition == "Changed."
    assert GlossaryTerm.objects.get(term="ICPC").slug == "icpc"


# -- Pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_to_z_page(client: Client) -> None:
    glossary_load(TERMS)
    html = client.get("/glossary/").content.decode()
    assert '<h1 class="govuk-heading-xl">Glossary</h1>' in html
    assert 'href="#letter-m"' in html
    assert 'id="term-mash"' in html
    assert "Multi Agency Safeguarding Hub" in html
    assert '<span class="app-az__empty">Z</span>' in html


@pytest.mark.django_db
def test_terms_are_explained_where_they_first_appear(client: Client) -> None:
    call_command("seed_guidance", stdout=StringIO())
    html = client.get("/guidance/procedures-summary/understanding-levels-of-need/").content.decode()
    assert html.count('title="Multi Agency Safeguarding Hub">MASH</abbr>') == 1
    assert 'class="govuk-details app-glossary-details app-no-print"' in html
    assert "What MASH means" in html or "MASH mean" in html
    assert 'href="/glossary/#term-mash"' in html
    # Each page starts afresh: the print view explains it again, once.
    other = client.get("/guidance/procedures-summary/print/").content.decode()
    assert other.count('title="Multi Agency Safeguarding Hub">MASH</abbr>') == 1
