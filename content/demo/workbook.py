"""The demo workbook: Child protection conferences, as StreamField data.

Written for Threshold in its own words. The facts (the four categories, the
levels of need, timescales, the eleven steps of a conference, the report
template and the Jayden case) follow the Safeguarding Partnership Board's
delegate workbook; the wording does not. Jayden and his family are invented.

Block ids are fixed and readable, so citation keys such as
``workbook:cp-conferences:definition-neglect`` stay stable and seeding twice
gives the same pages.
"""

from __future__ import annotations

from typing import Any

from content.blocks.report import REPORT_SECTIONS

WORKBOOK_SLUG = "cp-conferences"

Block = dict[str, Any]


def block(kind: str, block_id: str, value: Any) -> Block:
    return {"type": kind, "id": block_id, "value": value}


def items(prefix: str, values: list[Any]) -> list[Block]:
    """A ListBlock value whose items have stable ids ``<prefix>-1`` upwards."""
    return [
        {"type": "item", "id": f"{prefix}-{number}", "value": value}
        for number, value in enumerate(values, start=1)
    ]


def paragraphs(*texts: str) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def bullets(intro: str, points: list[str]) -> str:
    listed = "".join(f"<li>{point}</li>" for point in points)
    return (f"<p>{intro}</p>" if intro else "") + f"<ul>{listed}</ul>"


def text(block_id: str, html: str) -> Block:
    return block("text", block_id, html)


def heading(block_id: str, words: str, level: str = "h2") -> Block:
    return block("heading", block_id, {"text": words, "level": level})


def inset(block_id: str, html: str) -> Block:
    return block("inset", block_id, {"text": html})


def guidance(paragraph: int) -> str:
    return f"guidance:procedures-summary:para-{paragraph}"


def workbook_key(block_id: str) -> str:
    return f"workbook:{WORKBOOK_SLUG}:{block_id}"


def reading(block_id: str, title: str, key: str, focus: str = "") -> Block:
    return block("reading_task", block_id, {"title": title, "citation_key": key, "focus": focus})


def definition(
    block_id: str, term: str, html: str, key: str = "", examples: list[str] | None = None
) -> Block:
    return block(
        "definition",
        block_id,
        {
            "term": term,
            "definition": html,
            "examples": items(f"{block_id}-example", examples or []),
            "citation_key": key,
        },
    )


def option(text: str, feedback: str = "", *, correct: bool = False) -> dict[str, Any]:
    return {"text": text, "is_correct": correct, "feedback": feedback}


def choice_quiz(
    kind: str,
    block_id: str,
    question: str,
    options: list[dict[str, Any]],
    key: str,
    explanation: str = "",
) -> Block:
    return block(
        kind,
        block_id,
        {
            "question": question,
            "options": items(f"{block_id}-option", options),
            "explanation": explanation,
            "citation_key": key,
        },
    )


def true_false(
    block_id: str, statement: str, answer: bool, if_true: str, if_false: str, key: str
) -> Block:
    return block(
        "true_false",
        block_id,
        {
            "question": statement,
            "answer": "true" if answer else "false",
            "feedback_true": if_true,
            "feedback_false": if_false,
            "explanation": "",
            "citation_key": key,
        },
    )


def matching(
    block_id: str,
    question: str,
    categories: list[str],
    pairs: list[tuple[str, str, str]],
    key: str,
    explanation: str = "",
) -> Block:
    return block(
        "matching",
        block_id,
        {
            "question": question,
            "categories": items(f"{block_id}-category", categories),
            "items": items(
                f"{block_id}-item",
                [
                    {"text": item, "category": category, "feedback": feedback}
                    for item, category, feedback in pairs
                ],
            ),
            "explanation": explanation,
            "citation_key": key,
        },
    )


def reflection(block_id: str, heading_text: str, prompts: list[str]) -> Block:
    return block(
        "reflection",
        block_id,
        {
            "heading": heading_text,
            "prompts": items(f"{block_id}-prompt", [{"prompt": p, "hint": ""} for p in prompts]),
        },
    )


SUPPORT = [
    {
        "name": "Your line manager or supervisor",
        "detail": "Talk to them if anything here upsets you or brings back difficult memories.",
        "url": "",
    },
    {
        "name": "Your employer's staff support or counselling service",
        "detail": "Most organisations offer free, confidential support.",
        "url": "",
    },
    {
        "name": "The Safeguarding Partnership Board training team",
        "detail": "safeguardingtraining@gov.je, for questions about this course.",
        "url": "",
    },
]


def wellbeing(block_id: str, heading_text: str, html: str) -> Block:
    return block(
        "wellbeing_notice",
        block_id,
        {
            "heading": heading_text,
            "message": html,
            "signposts": items(f"{block_id}-support", SUPPORT),
            "step_away_label": "Step away for now",
            "step_away_url": "/dashboard/",
        },
    )


# Chapter 1 -----------------------------------------------------------------

BEFORE_YOU_START = [
    text(
        "about-workbook",
        paragraphs(
            "This workbook gets you ready for the seminar on child protection conferences. "
            "It takes about two hours. Find somewhere quiet, work through the chapters in "
            "order, and note any questions that occur to you: the seminar builds on your "
            "answers.",
            "Your answers are saved as you type, so you can stop at any point and carry on "
            "later, on this device or another one.",
        ),
    ),
    block(
        "learning_objectives",
        "objectives",
        {
            "heading": "Learning objectives",
            "intro": "When you have finished the workbook and the seminar, you will be able to:",
            "objectives": items(
                "objective",
                [
                    "explain how the Children and Young People (Jersey) Law 2022 and its "
                    "statutory guidance shape the way agencies work together, and your part in it",
                    "use Jersey's Children First approach and the Continuum of Need to judge "
                    "the level of a child's needs",
                    "share information about a child in line with the statutory guidance",
                    "describe how a strategy discussion, a child protection conference and a "
                    "core group work, and what you contribute to each",
                    "write a clear, child-focused report for a child protection conference",
                    "take part in a conference and its decisions with confidence",
                ],
            ),
        },
    ),
    wellbeing(
        "wellbeing-start",
        "This material can be hard to read",
        paragraphs(
            "This workbook is about children who are being harmed. Reading it can stir up "
            "memories of your own experiences, or of people close to you, and protecting "
            "children takes an emotional toll on the people who do it.",
            "Go at your own pace, take breaks, and talk to someone if anything troubles you.",
        ),
    ),
    inset(
        "invented-case",
        paragraphs(
            "The case in this workbook, Jayden and his family, is invented for training. "
            "Never enter real people's details into Threshold."
        ),
    ),
    reflection(
        "reflect-start",
        "Before you begin",
        [
            "What do you want to get out of this workbook and the seminar?",
            "Have you been to a child protection conference before? What stood out for you?",
        ],
    ),
]

# Chapter 2 -----------------------------------------------------------------

RESPONSIBILITIES = [
    text(
        "responsibilities-intro",
        paragraphs(
            "Whatever your job (social worker, health visitor, teacher, GP, police officer, "
            "housing officer), you have duties to the children you meet. This workbook is "
            "written for practitioners working at level 3 or above of the intercollegiate "
            "safeguarding competency framework."
        ),
    ),
    heading("responsibilities-heading", "What is expected of you"),
    text(
        "responsibilities-list",
        bullets(
            "As a professional you should:",
            [
                "follow Jersey's Children First approach and, where a family has wellbeing "
                "needs, begin an early help wellbeing assessment",
                "refer a child with health or development needs to the Children and Families Hub",
                "refer a child with safeguarding needs to the Children and Families Hub",
                "report any worry about a child's safety or welfare to the Hub on 519000, or "
                "to the police if it is urgent",
                "be open and honest with children and families, and explain things in a way "
                "they understand",
                "take part in strategy discussions, child protection enquiries, conferences "
                "and core groups when you are asked to",
                "keep your reports for meetings up to date, and send a well-briefed colleague "
                "if you cannot attend",
            ],
        ),
    ),
    heading("legal-heading", "The legal framework"),
    text(
        "legal-framework",
        paragraphs(
            "Article 2 of the Children (Jersey) Law 2002 makes the child's welfare the "
            "court's paramount consideration: it outweighs everything else the court weighs.",
            "The United Nations Convention on the Rights of the Child (1989) gives every "
            "child the right to a childhood, to protection from harm, to education, to be "
            "treated fairly and to have their views heard.",
            "The Safeguarding Partnership Board's multi-agency child protection procedures "
            "are free for anyone to read online. Every agency must also have its own "
            "safeguarding procedures, so that its staff know how to raise a concern about a "
            "child with the Children and Families Hub.",
        ),
    ),
    inset(
        "shared-vision",
        paragraphs(
            "Agencies in Jersey share one aim: that every child lives a happy, healthy life, "
            "supported by adults who promote their wellbeing and keep them safe. Each of us "
            "plays a part in making the multi-agency arrangements work."
        ),
    ),
    reading(
        "read-safeguarding-level",
        "Read what to do when a child has safeguarding needs",
        guidance(12),
        "Where does the concern go, and when should you call the police instead?",
    ),
    choice_quiz(
        "multiple_choice",
        "quiz-responsibilities",
        "Which of these are part of your responsibilities as a practitioner?",
        [
            option(
                "Start an early help wellbeing assessment when a family has wellbeing needs",
                "Yes. Early help starts with the people who already know the family.",
                correct=True,
            ),
            option(
                "Refer a child with safeguarding needs to the Children and Families Hub",
                "Yes. The Hub triages the concern and passes it on to the right service.",
                correct=True,
            ),
            option(
                "Decide on your own whether a child needs a child protection plan",
                "No. That is decided at a conference, informed by everyone's recommendations.",
            ),
            option(
                "Take part in core group meetings when asked",
                "Yes. The core group carries out the plan, and the people who see the child "
                "are part of it.",
                correct=True,
            ),
            option(
                "Wait until you are sure abuse has happened before telling anyone",
                "No. Reasonable cause to suspect harm is enough to act. If in doubt, ask.",
            ),
        ],
        guidance(12),
    ),
    true_false(
        "quiz-paramount",
        "Under Article 2 of the Children (Jersey) Law 2002, the child's welfare is the "
        "court's paramount consideration.",
        True,
        "Right. 'Paramount' means it comes before every other consideration in the court's "
        "decision.",
        "It is true: the 2002 Law makes the child's welfare the court's paramount consideration.",
        workbook_key("legal-framework"),
    ),
]

# Chapter 3 -----------------------------------------------------------------

SIGNIFICANT_HARM = [
    text(
        "harm-threshold",
        paragraphs(
            "Significant harm is the threshold that justifies the state stepping into family "
            "life without the family's agreement, in the child's best interests. The idea "
            "comes from the Children (Jersey) Law 2002.",
            "When there is reason to think a child is suffering, or is likely to suffer, "
            "significant harm, statutory agencies such as the Children's Service and the "
            "police have a duty to make enquiries under Article 42 of that Law, and to decide "
            "whether they need to act to protect the child.",
        ),
    ),
    inset(
        "harm-domestic-abuse",
        paragraphs(
            "A child who sees or hears another person being ill-treated, for example "
            "domestic abuse at home, is harmed by it. Jersey follows this definition of harm."
        ),
    ),
    text(
        "harm-categories",
        paragraphs(
            "A child becomes subject to a child protection plan because they are suffering, "
            "or are likely to suffer, significant harm in one of four categories: physical "
            "abuse, emotional abuse, sexual abuse or neglect."
        ),
    ),
    definition(
        "definition-physical-abuse",
        "Physical abuse",
        paragraphs(
            "Causing a child physical harm: for example by hitting, shaking, throwing, "
            "scalding or burning, drowning or suffocating them.",
            "It also covers a parent or carer who invents the symptoms of an illness in a "
            "child, or deliberately makes the child ill.",
        ),
        guidance(17),
        [
            "Injuries with no explanation, or an explanation that does not fit",
            "Fabricated or induced illness",
        ],
    ),
    definition(
        "definition-emotional-abuse",
        "Emotional abuse",
        paragraphs(
            "Ill-treatment that goes on over time and seriously harms a child's emotional "
            "development. It can mean making a child feel worthless or unloved, or valued "
            "only for meeting someone else's needs; expecting things beyond their age or "
            "stage of development; over-protecting them; or stopping them exploring, "
            "learning or mixing with other children.",
            "It includes seeing or hearing other people being ill-treated, such as domestic "
            "abuse; serious bullying that leaves a child frightened or in danger; and "
            "exploiting or corrupting a child. Every kind of maltreatment involves some "
            "emotional abuse, but emotional abuse can also happen on its own.",
        ),
        guidance(19),
        ["Living with domestic abuse", "Constant criticism, threats or rejection"],
    ),
    definition(
        "definition-sexual-abuse",
        "Sexual abuse",
        paragraphs(
            "Forcing or enticing a child or young person to take part in sexual activity, "
            "whether or not they understand what is happening, including sexual "
            "exploitation.",
            "It covers contact abuse, with or without penetration, and non-contact abuse: "
            "involving a child in looking at or making sexual images online, making them "
            "watch sexual activity, or encouraging them to behave in sexually inappropriate "
            "ways.",
        ),
        guidance(20),
        ["Grooming a child online", "Showing a child sexual images"],
    ),
    definition(
        "definition-neglect",
        "Neglect",
        paragraphs(
            "A persistent failure to meet a child's basic physical or psychological needs, "
            "likely to seriously damage their health or development. It can start before "
            "birth, if a mother misuses drugs or alcohol in pregnancy, and it includes "
            "ignoring a child's emotional needs.",
            "After birth, it can mean a parent or carer not providing enough food, clothing "
            "or shelter (including shutting a child out of the home or abandoning them); not "
            "protecting them from physical harm or danger; not supervising them properly, "
            "including leaving them with unsuitable carers; or not getting them the medical "
            "care or treatment they need.",
        ),
        guidance(22),
        [
            "No bedding, little food, a home unfit for a child",
            "Medical appointments repeatedly missed",
        ],
    ),
    matching(
        "quiz-categories",
        "Which category of abuse does each example fit best?",
        ["Physical abuse", "Emotional abuse", "Sexual abuse", "Neglect"],
        [
            (
                "A parent gives a child medicine to make them seem ill",
                "Physical abuse",
                "Deliberately making a child ill is physical abuse.",
            ),
            (
                "A young child is regularly left alone in the house overnight",
                "Neglect",
                "Not supervising a child properly is neglect.",
            ),
            (
                "An adult shows a child sexual images online",
                "Sexual abuse",
                "Non-contact abuse, including online images, is sexual abuse.",
            ),
            (
                "A child often hears their father threatening and hitting their mother",
                "Emotional abuse",
                "Seeing or hearing someone else ill-treated harms a child emotionally.",
            ),
            (
                "A toddler sleeps without bedding and there is rarely food in the house",
                "Neglect",
                "Not providing adequate shelter and food is neglect.",
            ),
        ],
        workbook_key("harm-categories"),
        "Real cases often involve more than one category. The conference chooses the one "
        "that fits best.",
    ),
    true_false(
        "quiz-emotional-in-all",
        "Some emotional abuse is involved in every kind of maltreatment.",
        True,
        "Yes. Emotional harm runs through every kind of maltreatment, though it can also "
        "happen on its own.",
        "It is true: emotional harm is part of every kind of maltreatment, even when another "
        "category is the main concern.",
        workbook_key("definition-emotional-abuse"),
    ),
]

# Chapter 4 -----------------------------------------------------------------

STRATEGY = [
    text(
        "strategy-intro",
        paragraphs(
            "When there is reasonable cause to suspect that a child is suffering, or is "
            "likely to suffer, significant harm, Children's Social Work calls a strategy "
            "discussion or meeting. A senior manager from Children's Social Care chairs it.",
            "Everyone who takes part brings all the information their agency holds about the "
            "child, and must be senior enough to make decisions for their agency.",
        ),
    ),
    heading("strategy-decides-heading", "What the strategy discussion decides"),
    text(
        "strategy-decisions",
        bullets(
            "",
            [
                "whether an enquiry under Article 42 is needed and, if so, how it will be "
                "coordinated",
                "whether Children's Social Work investigates on its own, or jointly with the "
                "police",
                "what the family will be told, and who will tell them",
                "what any other children in the household need",
            ],
        ),
    ),
    reading(
        "read-strategy",
        "Read about the strategy discussion",
        guidance(24),
        "Who calls it, who chairs it, and what must each person bring?",
    ),
    heading("article-42-heading", "The Article 42 enquiry"),
    text(
        "article-42",
        paragraphs(
            "Children's Social Work has the statutory lead for enquiries under Article 42 of "
            "the Children (Jersey) Law 2002, working within the Children and Young People "
            "(Jersey) Law 2022 and its statutory guidance. Once the threshold for an enquiry "
            "is met, a multi-agency assessment begins. Jersey's Children First framework is "
            "used to gather and analyse what is known and to reach conclusions and "
            "recommendations.",
            "When the enquiry is complete, Children's Social Care weighs up everything that "
            "has been gathered and decides whether the significant harm threshold is met. "
            "The outcome, and what it means for the child, is then shared in person or in "
            "writing with the agencies closely involved, with the parents, and with children "
            "old enough to understand, always before any initial child protection conference.",
        ),
    ),
    inset(
        "article-42-which-law",
        paragraphs(
            "'Article 42' means different things in different Laws. In this workbook it "
            "always means the duty to make enquiries in the Children (Jersey) Law 2002."
        ),
    ),
    choice_quiz(
        "single_choice",
        "quiz-strategy-chair",
        "Who chairs a strategy discussion?",
        [
            option(
                "A senior Children's Social Care manager",
                "Yes. Children's Social Work calls it and a senior manager chairs it.",
                correct=True,
            ),
            option(
                "The police officer in the case",
                "The police take part, especially when a joint investigation is considered, "
                "but do not chair it.",
            ),
            option(
                "The child's GP",
                "Health professionals bring their information; the chair comes from "
                "Children's Social Care.",
            ),
            option(
                "The conference chair",
                "The conference chair leads the child protection conference later on, not "
                "the strategy discussion.",
            ),
        ],
        guidance(24),
    ),
    choice_quiz(
        "multiple_choice",
        "quiz-strategy-decisions",
        "Which of these does a strategy discussion decide?",
        [
            option("Whether an Article 42 enquiry is needed", "Yes.", correct=True),
            option(
                "Whether the investigation is by Children's Social Work alone or jointly "
                "with the police",
                "Yes.",
                correct=True,
            ),
            option("What the family is told, and by whom", "Yes.", correct=True),
            option(
                "Which category of abuse the child is registered under",
                "No. The category is decided at the child protection conference.",
            ),
            option("What any other children in the household need", "Yes.", correct=True),
        ],
        guidance(26),
    ),
]

# Chapter 5 -----------------------------------------------------------------

CONTINUUM = [
    text(
        "continuum-intro",
        paragraphs(
            "The Continuum of Need, informed by the Children (Jersey) Law 2002 and the "
            "statutory guidance to the 2022 Law, describes four levels of vulnerability, "
            "risk and need. It helps you choose the response that best suits a child and "
            "their family.",
            "The earlier a problem is spotted, the sooner the child and family can get help, "
            "before the problem grows or becomes entrenched. The Safeguarding Partnership "
            "Board's Continuum of Need guidance describes each level in detail.",
        ),
    ),
    definition(
        "level-universal",
        "Universal need",
        paragraphs(
            "The child's needs are met by services every child can use: antenatal care, the "
            "GP and dentist, the healthy child programme, nursery, pre-school, school and "
            "college."
        ),
        guidance(8),
    ),
    definition(
        "level-wellbeing",
        "Wellbeing need (early help)",
        paragraphs(
            "A wellbeing need has been spotted, and an early help wellbeing assessment can "
            "be requested. The people already working with the child (health visitors, youth "
            "services, early years settings, schools and colleges, community and voluntary "
            "services) are usually best placed to help, and to work out what extra support "
            "is needed from one agency or several.",
            "Support from several agencies is coordinated by a team around the child and "
            "family, following Jersey's Children First. When needs are complex enough to "
            "call for a named lead, a Family Partnership Worker from the Children and "
            "Families Hub may be allocated.",
        ),
        guidance(10),
    ),
    definition(
        "level-health-development",
        "Health or development need (child in need)",
        paragraphs(
            "A wellbeing assessment must be carried out. At this level, a social worker, a "
            "paediatrician or a practitioner from the Child and Adolescent Mental Health "
            "Service (CAMHS) is best placed to do it."
        ),
        guidance(11),
    ),
    definition(
        "level-safeguarding",
        "Safeguarding need (child protection)",
        paragraphs(
            "A social worker must make enquiries to find out whether action is needed to "
            "protect the child, and what. Specialist or statutory help includes the "
            "Children's Social Work Service and CAMHS Tier 4."
        ),
        guidance(12),
    ),
    inset(
        "never-do-nothing",
        paragraphs(
            "The Continuum supports your professional judgement; it does not replace it. If "
            "you are unsure, ask your manager, your Designated Safeguarding Lead or the "
            "Children and Families Hub. Whatever happens, never do nothing.",
            "If professionals disagree and curiosity and challenge have not settled it, use "
            "the Safeguarding Partnership Board's escalation policy.",
        ),
    ),
    reading(
        "read-continuum",
        "Read the four levels of need",
        guidance(8),
        "How does the response change from one level to the next?",
    ),
    matching(
        "quiz-levels",
        "Which level of need does each situation suggest?",
        ["Universal", "Wellbeing need", "Health or development need", "Safeguarding need"],
        [
            (
                "A three-year-old is thriving, goes to nursery and sees the dentist",
                "Universal",
                "No extra help is needed: universal services meet this child's needs.",
            ),
            (
                "A parent of a new baby feels isolated and is struggling with routines",
                "Wellbeing need",
                "Early help, perhaps led by the health visitor, could make a difference.",
            ),
            (
                "A child's disability is holding back their development and the family needs "
                "more support",
                "Health or development need",
                "A wellbeing assessment must be made, by a social worker, paediatrician or "
                "CAMHS practitioner.",
            ),
            (
                "A child says a parent hit them, and has bruises on their face",
                "Safeguarding need",
                "There is reasonable cause to suspect significant harm: refer to the Hub so "
                "a social worker can make enquiries.",
            ),
        ],
        guidance(8),
    ),
    reflection(
        "reflect-continuum",
        "Reflect on your practice",
        [
            "Think of a family you have worked with. Where were they on the Continuum, and "
            "how did you decide?",
            "Who would you ask for advice if you could not decide on a level?",
        ],
    ),
]

# Chapter 6 -----------------------------------------------------------------

CONFERENCES = [
    text(
        "conferences-intro",
        paragraphs(
            "The Standards and Quality Team gives independent oversight of child protection "
            "plans and reviews the care of children looked after by the Government of "
            "Jersey. It also investigates allegations against professionals. Its chairs run "
            "child protection conferences."
        ),
    ),
    heading("when-heading", "When an initial conference is held"),
    text(
        "when-held",
        bullets(
            "An initial child protection conference is held when:",
            [
                "an Article 42 enquiry shows a child has suffered, or is likely to suffer, "
                "significant harm",
                "there are concerns about an unborn child",
                "a child on a child protection plan somewhere else moves to Jersey",
            ],
        )
        + paragraphs(
            "It should take place within 15 working days of the strategy discussion, or of "
            "hearing that a child on a plan has moved to Jersey."
        ),
    ),
    heading("purpose-heading", "What a conference is for"),
    text(
        "purposes",
        bullets(
            "A child protection conference exists to:",
            [
                "keep the child safe by looking at immediate, short-term and longer-term "
                "risks, and act straight away where there is an immediate risk of "
                "significant harm",
                "hear the child's voice",
                "bring together what every agency knows about the child's wellbeing, health "
                "and development, and analyse it in the context of their family and "
                "surroundings",
                "share the relevant information, in proportion, so everyone can assess the "
                "risk together",
                "understand the parents' or carers' own health needs and their capacity as "
                "parents, and what would help them meet their child's needs",
                "weigh the evidence, including the family's history and how it works now, and "
                "decide whether the child has suffered, or is likely to suffer, significant "
                "harm, and in which category",
                "recommend what should happen next, including whether the child needs a "
                "child protection plan and what it should achieve",
                "appoint a lead social worker from Children's Social Care, and name a core "
                "group of professionals and family members to carry out and review the plan",
                "agree a contingency plan in case the agreed actions are not done or "
                "circumstances change",
            ],
        ),
    ),
    reading(
        "read-purposes",
        "Read the purposes of a child protection conference",
        guidance(40),
    ),
    heading("people-heading", "Parents and children"),
    text(
        "parents",
        paragraphs(
            "Conferences have changed. When they began in the United Kingdom in 1974, after "
            "the inquiry into the death of Maria Colwell, only professionals took part. After "
            "the Cleveland inquiry in 1988, parents were invited, but only to watch. Today "
            "parents and carers take an active part: they are encouraged to come and "
            "contribute, unless being there would be likely to harm the child's welfare."
        ),
    ),
    text(
        "children-and-advocacy",
        paragraphs(
            "Children know most about their own lives, yet reviews such as Professor Eileen "
            "Munro's in 2011 found they are too often left out of child protection work. The "
            "chair, the social worker and the family decide together whether the child "
            "should be invited and how they can take part in a way that suits them.",
            "An advocate helps a child or young person to say what they think, acts as their "
            "independent supporter and helps them prepare for the conference. In Jersey, "
            "Jersey Cares provides advocates for children who are looked after, and "
            "Barnardo's for children in need and children who need protection.",
        ),
    ),
    choice_quiz(
        "single_choice",
        "quiz-icpc-timescale",
        "Within how many working days of the strategy discussion should an initial child "
        "protection conference be held?",
        [
            option("5", "Five working days is the deadline for reports to a review conference."),
            option("10", "Ten working days is when the first core group meets after a conference."),
            option("15", "Yes: within 15 working days.", correct=True),
            option("20", "That would be too late: the limit is 15 working days."),
        ],
        guidance(37),
    ),
    true_false(
        "quiz-parents",
        "Parents are invited to child protection conferences only as observers.",
        False,
        "Not any more. That was the position after 1988; today parents take an active part "
        "unless that would harm the child.",
        "Right. Parents are active participants, unless their being there is likely to harm "
        "the child.",
        guidance(44),
    ),
    choice_quiz(
        "multiple_choice",
        "quiz-quorum",
        "Who must be at a conference, as a minimum, for it to go ahead?",
        [
            option("Children's Social Care", "Yes: always.", correct=True),
            option(
                "At least two other agencies or professional groups that have had direct "
                "contact with the child",
                "Yes.",
                correct=True,
            ),
            option(
                "The police, in every case",
                "The police come when they have something to contribute, but are not needed "
                "for every conference.",
            ),
            option(
                "The child's school, in every case",
                "The school is often one of the agencies, but is not required in every case.",
            ),
        ],
        guidance(41),
        "In exceptional cases, where fewer than three agencies have had contact with the "
        "child, the chair can decide to go ahead without the full quorum.",
    ),
]

# Chapter 7: Jayden -----------------------------------------------------------

JAYDEN_PANELS = [
    {
        "agency": "Health visitor",
        "information": paragraphs(
            "The health visitor has known Jayden's mother since Jayden was born and feels "
            "they get on well. Jayden is four.",
            "His mother often says she feels isolated. The health visitor has given her "
            "details of local groups and referred her to parenting support groups, but she "
            "said she did not need them and has not gone.",
            "Jayden's immunisations are up to date, although several were late; his mother "
            "always had a good reason for missing an appointment. She also always had a "
            "reason for not being in for planned home visits, and when a visit was missed "
            "she brought Jayden to clinic instead. Reading back through the records, the "
            "health visitor realises there has not been a successful home visit since "
            "Jayden was a small baby. Because he was seen at clinic, this had not seemed a "
            "worry.",
            "Over the years the health visitor has seen a few bruises on Jayden, each "
            "explained by his mother in a way that seemed plausible. Only while writing the "
            "conference report, and going back through the chronology, did it become clear "
            "that Jayden has had more injuries than most four-year-olds, many of them to "
            "his face.",
            "Hospital records show three visits to the emergency department, each reported "
            "by his mother as a fall. These are in addition to the injuries the health "
            "visitor saw. Jayden has no health conditions, and has been referred to speech "
            "and language therapy because his speech seems delayed.",
        ),
    },
    {
        "agency": "Designated teacher",
        "information": paragraphs(
            "Jayden started school this term, so the designated teacher does not know him "
            "well yet. His attendance and punctuality are fine; the couple of times he was "
            "late, his mother apologised and gave a reasonable explanation.",
            "Jayden never brings his homework back, and seems confused when asked about it. "
            "When the teacher raised this with his mother, she seemed to get angry with "
            "Jayden: she told him she always does his homework with him and he has it when "
            "he arrives, so she does not know what he does with it after she leaves him in "
            "the playground. Jayden said nothing, but seemed to freeze and watched his "
            "mother closely. Both reactions worried the teacher.",
            "This was at the end of the school day. The teacher then saw his mother take "
            "Jayden's hand roughly and walk off so fast that he had to keep running to keep "
            "up; she did not seem to notice. A few days later Jayden came to school with "
            "bruising.",
            "Since his father has been looking after him full time, Jayden has brought his "
            "homework in, has been more talkative, and says he likes having his dad around "
            "more.",
        ),
    },
    {
        "agency": "Housing",
        "information": paragraphs(
            "The housing officer has known the family since soon after they arrived in "
            "Jersey. Neighbours have complained several times about fighting and shouting at "
            "the mother's home, and some complaints mention a child crying. When spoken to, "
            "the mother made counter-allegations, saying the neighbours pick on her because "
            "she came from the UK. The weekend before Jayden told school that his mother had "
            "hurt him, there was another complaint: shouting, then what sounded like a child "
            "crying.",
            "The housing officer has not been inside the home for almost a year. On the last "
            "visit, some doors were damaged as though they had been hit, perhaps with a "
            "fist. The mother's bedroom was comfortable and warm, but Jayden's room was "
            "barely furnished: a mattress on the floor with no sheet, a duvet that looked "
            "dirty, and an unpleasant smell. There was a lock high up on the outside of "
            "Jayden's door. His mother said it was to keep him out of his room during the "
            "day because he had been smearing there, which explained the smell, and that the "
            "health visitor had told her to fit it.",
        ),
    },
    {
        "agency": "GP",
        "information": paragraphs(
            "The GP has known Jayden's father since the father was a child, and knows the "
            "wider family well. The GP treated the father for anxiety and depression before "
            "he left Jersey some years ago, but has not seen him since he came back.",
            "Jayden is registered with the same GP, who has seen him twelve times in the "
            "last two years. He seems a clumsy child who falls a lot, with bruises and "
            "bumps, often to his head; a few times the injury needed a visit to the "
            "emergency department.",
            "The GP has been concerned that Jayden can look pale and unkempt, and is often "
            "silent when his mother is with him. He is a very quiet child.",
        ),
    },
]

JAYDEN_QUESTIONS = [
    ("What does this information tell you about what life is like for Jayden?", ""),
    ("What risks or concerns can you see for Jayden?", ""),
    ("What is working well for Jayden?", ""),
    ("What would you do with this information?", ""),
    ("Who else might have information that should be shared?", ""),
    ("Where do you think the risk of harm to Jayden is now?", "Use the Continuum of Need."),
    ("And what about the risk of harm to Jayden in the future?", ""),
]

JAYDEN = [
    wellbeing(
        "wellbeing-jayden",
        "Before you read about Jayden",
        paragraphs(
            "This activity describes injuries to a four-year-old and a home where he may not "
            "be safe. If it brings up difficult feelings, stop, come back later, and talk to "
            "someone you trust."
        ),
    ),
    block(
        "scenario_activity",
        "jayden-activity",
        {
            "title": "Jayden, aged four",
            "introduction": paragraphs(
                "Four agencies know Jayden and his family. Read what each one knows, then "
                "answer the questions. Use the Continuum of Need to help you judge the level "
                "of risk to Jayden."
            ),
            "panels": items("jayden-panel", JAYDEN_PANELS),
            "questions": [
                {"type": "item", "id": f"jayden-q{number}", "value": {"prompt": p, "hint": h}}
                for number, (p, h) in enumerate(JAYDEN_QUESTIONS, start=1)
            ],
        },
    ),
    reading(
        "read-jayden-level",
        "Read the safeguarding level of need again",
        guidance(12),
        "Does what you now know about Jayden reach it?",
    ),
    reflection(
        "reflect-jayden",
        "Reflect on the case",
        [
            "Each agency accepted explanations that seemed plausible on their own. What "
            "helps you step back and see the whole picture?",
            "Which piece of information surprised you most, and why?",
        ],
    ),
]

# Chapter 8 -----------------------------------------------------------------

REPORT_GUIDANCE = {
    "sharing": "If you would not share the report before the conference, explain why.",
    "worries": "One concern per statement, and say how it affects Jayden.",
    "observations": "Only what you saw or heard yourself.",
    "views": "Base your view on the Continuum of Need and the four categories.",
}

REPORT = [
    text(
        "report-intro",
        paragraphs(
            "Every professional invited to a conference should make every effort to go. If "
            "you cannot, send a well-briefed colleague who can speak to your report. Every "
            "professional and agency is expected to send a written report on the standard "
            "template.",
            "Agencies other than Children's Social Care use the Safeguarding Partnership "
            "Board's report template and send it by secure email to the Standards and "
            "Quality Team. If you cannot attend the last core group before a review "
            "conference, send a written report instead.",
        ),
    ),
    heading("good-report-heading", "What makes a good report"),
    text(
        "good-report",
        bullets(
            "",
            [
                "Keep the child at the centre: for every worry, say what it means for the "
                "child's daily life.",
                "Include everything relevant to judging the risks to the child and their welfare.",
                "Write so that everyone at the conference can follow it and weigh the "
                "evidence for themselves.",
                "Make clear which statements are facts, which are your observations, which "
                "are allegations and which are opinions. If you were told something by "
                "someone else, say so and say who.",
                "Do not repeat yourself.",
                "Give enough detail for the conference to decide what to do and to make "
                "realistic, workable plans.",
                "Leave confidential or sensitive information, such as details of a police "
                "investigation, out of the written report and discuss it with the chair "
                "separately. Tell the chair in advance if something should not be shared "
                "with some of the people at the conference.",
            ],
        ),
    ),
    reading(
        "read-provenance",
        "Read about fact, observation, allegation and opinion",
        guidance(49),
    ),
    definition(
        "definition-fact",
        "Fact",
        paragraphs("Information that can be checked and does not depend on anyone's view."),
        guidance(50),
        ["Hospital records show three visits to the emergency department."],
    ),
    definition(
        "definition-observation",
        "Observation",
        paragraphs(
            "What you saw or heard yourself, described as it happened, without interpretation."
        ),
        guidance(51),
        ["Jayden said nothing and watched his mother closely."],
    ),
    definition(
        "definition-allegation",
        "Allegation",
        paragraphs("A claim someone has made that has not been confirmed."),
        guidance(52),
        ["Neighbours report shouting and a child crying."],
    ),
    definition(
        "definition-opinion",
        "Opinion",
        paragraphs(
            "Your professional judgement. It matters, but label it as yours and give your reasons."
        ),
        guidance(53),
        ["In my view Jayden has had more injuries than I would expect at his age."],
    ),
    matching(
        "quiz-provenance",
        "How would you tag each of these statements from the reports about Jayden?",
        ["Fact", "Observation", "Allegation", "Opinion"],
        [
            (
                "Hospital records show Jayden went to the emergency department three times.",
                "Fact",
                "A record that can be checked.",
            ),
            (
                "When his mother spoke angrily, Jayden froze and watched her closely.",
                "Observation",
                "The teacher saw this directly.",
            ),
            (
                "Jayden's mother says the health visitor told her to fit the lock.",
                "Allegation",
                "It is her account and has not been checked. For the housing officer it is "
                "also second-hand, so say where it came from.",
            ),
            (
                "Jayden seems to have had more injuries than most children his age.",
                "Opinion",
                "A professional judgement: label it as one and say what it rests on.",
            ),
            (
                "Neighbours have complained about shouting and a child crying.",
                "Allegation",
                "The complaints are claims that nobody has confirmed.",
            ),
        ],
        workbook_key("definition-allegation"),
    ),
    block(
        "report_task",
        "jayden-report",
        {
            "title": "Write your report for Jayden's conference",
            "instructions": paragraphs(
                "Imagine you are one of the four professionals in Jayden's case (the health "
                "visitor, the designated teacher, the housing officer or the GP) and write "
                "the report you would send to his initial child protection conference. Use "
                "what your agency knows, and invent nothing the case does not tell you.",
                "Tag each statement in the worries and observations sections, and mark "
                "anything someone else told you as second-hand, with its source.",
            ),
            "sections": items(
                "report-section",
                [
                    {"section": section.key, "guidance": REPORT_GUIDANCE.get(section.key, "")}
                    for section in REPORT_SECTIONS
                ],
            ),
        },
    ),
]

# Chapter 9 -----------------------------------------------------------------

ELEVEN_STEPS = [
    "The chair reads the agencies' reports to prepare.",
    "The chair and other professionals consider whether anyone will need to be excluded, "
    "or safety arrangements made.",
    "The chair, the social worker and the family consider whether the child should be "
    "invited and how they can take part.",
    "The chair meets the family beforehand to explain what will happen.",
    "The chair opens the meeting: introductions, ground rules, how it will run, and "
    "confidentiality.",
    "Professionals share their information and its likely impact on the child.",
    "The chair asks the parents, carers and child for their views on what has been shared.",
    "The chair may ask people to leave for part or all of the meeting, for safety or "
    "because information is sensitive.",
    "The chair summarises the information.",
    "Professionals give the chair their recommendation on whether the child needs a child "
    "protection plan.",
    "An outline plan is drawn up at the first core group, to reduce the risk and support "
    "the family.",
]

PROCESS = [
    text(
        "process-intro",
        paragraphs(
            "A conference follows the same steps every time. Knowing them helps you prepare "
            "and take part."
        ),
    ),
    block(
        "ordering",
        "quiz-eleven-steps",
        {
            "question": "Put the eleven steps of a child protection conference in order.",
            "items": [
                {"type": "item", "id": f"step-{number}", "value": {"text": step, "feedback": ""}}
                for number, step in enumerate(ELEVEN_STEPS, start=1)
            ],
            "explanation": "Information is shared and tested before anyone makes a "
            "recommendation, and the detailed plan comes later, at the first core group.",
            "citation_key": guidance(59),
        },
    ),
    text(
        "report-deadlines",
        paragraphs(
            "Reports for an initial conference should reach the chair at least two working "
            "days beforehand; for a review conference, at least five working days."
        ),
    ),
    choice_quiz(
        "single_choice",
        "quiz-report-deadline",
        "How far ahead of a review child protection conference should your report be sent?",
        [
            option("At least 2 working days", "That is the deadline for an initial conference."),
            option("At least 5 working days", "Yes.", correct=True),
            option("On the day", "Too late: the chair needs time to read every report."),
            option(
                "At least 15 working days",
                "Fifteen working days is the time limit for holding an initial conference.",
            ),
        ],
        guidance(38),
    ),
    heading("decisions-heading", "What an initial conference decides"),
    text(
        "decisions",
        bullets(
            "",
            [
                "whether the child has suffered, or is likely to suffer, significant harm "
                "from abuse or neglect, and so needs a child protection plan; if not, "
                "whether a child in need plan should be put in place",
                "which category of harm fits best",
                "an outline plan to keep the child safe and promote their welfare",
                "who is in the core group that will carry out the plan",
                "timescales for the work, referrals and assessments that are needed",
            ],
        ),
    ),
    reading("read-decisions", "Read what an initial conference decides", guidance(74)),
    true_false(
        "quiz-who-decides",
        "At the conference, each professional gives the chair a recommendation on whether "
        "the child needs a child protection plan.",
        True,
        "Yes. Professionals recommend, the chair decides, and both are recorded.",
        "It is true: professionals make recommendations to the chair, and both the "
        "recommendations and the decision are recorded.",
        guidance(72),
    ),
]

# Chapter 10 ----------------------------------------------------------------

PLANS = [
    heading("core-group-heading", "The core group"),
    text(
        "core-group",
        bullets(
            "",
            [
                "Its members are the family members who matter, the child or young person "
                "where appropriate, and the professionals who work with the child or have "
                "actions in the plan.",
                "It first meets within 10 working days of the initial conference, then at "
                "least every four weeks.",
                "It reviews how the plan is going and shares news about the child's safety "
                "and welfare, and it helps to inform assessments.",
                "It meets somewhere safe for everyone, chosen so that as many people as "
                "possible can come.",
                "A social worker or their manager chairs it.",
            ],
        ),
    ),
    choice_quiz(
        "single_choice",
        "quiz-core-group",
        "When should the first core group meet after an initial conference?",
        [
            option("Within 5 working days", "Sooner than required: the limit is 10 working days."),
            option("Within 10 working days", "Yes.", correct=True),
            option("Within four weeks", "Four weeks is the longest gap between later meetings."),
            option(
                "At the first review conference",
                "Far too late: the plan needs to start straight away.",
            ),
        ],
        guidance(39),
    ),
    heading("plan-heading", "The child protection plan"),
    text(
        "plan",
        paragraphs(
            "The plan sets out what work needs to be done, why, when and by whom. It is laid "
            "out as a table with a row for each outcome: what we want to happen, how it will "
            "happen, who will help make it happen, how we will know it has happened, and a "
            "review of the progress made."
        )
        + bullets(
            "A good plan:",
            [
                "says when and in what circumstances the lead social worker will see the "
                "child, both alone and with family members or carers",
                "describes the child's developmental needs and the services that will meet them",
                "sets specific, achievable outcomes centred on the child",
                "sets out realistic strategies and specific actions to reach them",
                "includes a contingency plan for when circumstances change significantly and "
                "quick action is needed",
                "makes clear what each professional and family member will do, including how "
                "often professionals will be in contact",
                "says when progress will be reviewed and how it will be judged",
                "sets out the part played by professionals in routine contact with the "
                "child, such as health visitors, GPs and teachers, as well as those giving "
                "specialist support",
            ],
        ),
    ),
    choice_quiz(
        "multiple_choice",
        "quiz-plan",
        "Which of these should a child protection plan include?",
        [
            option("When the lead social worker will see the child alone", "Yes.", correct=True),
            option("A contingency plan", "Yes.", correct=True),
            option("Specific, achievable outcomes centred on the child", "Yes.", correct=True),
            option(
                "A copy of every agency's conference report",
                "No. The reports inform the plan but are not part of it.",
            ),
            option("How progress will be reviewed and judged", "Yes.", correct=True),
        ],
        guidance(79),
    ),
    reflection(
        "reflect-plan",
        "Reflect on your practice",
        [
            "Think about a plan you have been part of. Was your role in it clear? What would "
            "have made it clearer?"
        ],
    ),
]

# Chapter 11 ----------------------------------------------------------------

TIPS = [
    heading("tips-heading", "Tips for taking part in a conference"),
    text(
        "tips",
        bullets(
            "",
            [
                "Raise your concerns at the conference, not afterwards. If you are unsure "
                "whether to share something, ask the chair beforehand.",
                "Share your report with the parents or the young person, and send it in "
                "before the deadline.",
                "Take an active part in the decisions and in shaping the child's plan.",
                "Do not get drawn into arguments with parents or family members.",
                "Never present an assumption as a fact.",
                "If you cannot go, send a colleague who knows the case.",
                "Summarise the key facts rather than reading your report aloud.",
                "If an interpreter is there, pause often.",
                "Keep in mind language barriers, cultural differences and cognitive "
                "difficulties, both in your report and when you talk with parents and "
                "children.",
            ],
        ),
    ),
    choice_quiz(
        "multiple_choice",
        "quiz-tips",
        "Which of these are good practice at a conference?",
        [
            option("Summarising the key facts from your report", "Yes.", correct=True),
            option(
                "Reading your report out word for word",
                "No. Summarise: everyone has read the reports.",
            ),
            option(
                "Asking the chair beforehand if you are unsure whether to share something",
                "Yes.",
                correct=True,
            ),
            option(
                "Raising a new worry with the social worker after the conference instead",
                "No. Share concerns at the conference, so they can inform the decision.",
            ),
            option("Pausing often when an interpreter is present", "Yes.", correct=True),
        ],
        guidance(58),
    ),
    inset(
        "risk-cannot-be-eliminated",
        paragraphs(
            "Nobody can predict the future. Managing risk can make harm to a child less "
            "likely, but it can never rule it out: an unlikely event can still happen "
            "without anyone's reasoning having been at fault. The Munro review of child "
            "protection (2011) made this point about what society should expect of "
            "professionals."
        ),
    ),
    heading("next-steps-heading", "Next steps"),
    text(
        "next-steps",
        paragraphs(
            "That is the end of the self-directed part of the course. At the seminar you "
            "will discuss a case and what it tells you about the child's life, write a "
            "conference report, and take a role in a mock child protection conference, "
            "where you will decide the level of risk using the Continuum of Need and what "
            "you hear.",
            "Bring your answers: your trainer will refer to them on the day. You can print "
            "them or download them as a PDF from the workbook's contents page.",
            "For further learning, the Safeguarding Partnership Board publishes resources, "
            "including short 'seven-minute briefings' to use with your team, and runs more "
            "courses. Research in Practice, free to partner organisations, has more material "
            "on working with children and families.",
        ),
    ),
    reflection(
        "reflect-final",
        "Looking ahead",
        [
            "What will you do differently the next time you write a report for a conference?",
            "What questions do you want to bring to the seminar?",
        ],
    ),
]

INDEX = {
    "title": "Workbooks",
    "slug": "workbooks",
    "intro": paragraphs(
        "Self-directed learning to work through before a seminar. Your answers are saved as you go."
    ),
}

WORKBOOK: dict[str, Any] = {
    "slug": WORKBOOK_SLUG,
    "title": "Child protection conferences",
    "intro": "Get ready for the seminar: how a worry about a child reaches a conference, "
    "what happens there, and how to write a report that helps the conference decide.",
    "about": paragraphs(
        "Set aside about two hours. Work through the chapters in order, answer the questions "
        "in your own words and write the conference report for Jayden. Your answers are "
        "saved as you type, and you can pick up where you left off on any device.",
        "The seminar builds on the workbook: you will discuss a case, write a report and "
        "take a role in a mock conference. Finish the workbook before the day.",
    ),
    "estimated_minutes": 120,
    "chapters": [
        {
            "slug": "before-you-start",
            "title": "Before you start",
            "summary": "What the workbook covers, what you will learn, and looking after yourself.",
            "body": BEFORE_YOU_START,
        },
        {
            "slug": "responsibilities",
            "title": "Your professional responsibilities",
            "summary": "What every practitioner must do, and the law behind it.",
            "body": RESPONSIBILITIES,
        },
        {
            "slug": "significant-harm",
            "title": "Significant harm and the four categories of abuse",
            "summary": "The threshold for intervening, and physical, emotional and sexual "
            "abuse and neglect.",
            "body": SIGNIFICANT_HARM,
        },
        {
            "slug": "strategy-discussion",
            "title": "The strategy discussion and Article 42 enquiry",
            "summary": "What happens when there is reasonable cause to suspect significant harm.",
            "body": STRATEGY,
        },
        {
            "slug": "continuum-of-need",
            "title": "The Continuum of Need",
            "summary": "Four levels of need, and the response each one calls for.",
            "body": CONTINUUM,
        },
        {
            "slug": "conferences",
            "title": "Child protection conferences: purpose and people",
            "summary": "When a conference is held, what it is for, and who takes part.",
            "body": CONFERENCES,
        },
        {
            "slug": "jayden",
            "title": "Scenario activity: Jayden",
            "summary": "Four agencies' information about a four-year-old, and seven questions.",
            "body": JAYDEN,
        },
        {
            "slug": "conference-report",
            "title": "Writing your conference report",
            "summary": "The multi-agency report template, and fact, observation, allegation "
            "and opinion.",
            "body": REPORT,
        },
        {
            "slug": "conference-process",
            "title": "The conference process",
            "summary": "The eleven steps of a conference, and what it decides.",
            "body": PROCESS,
        },
        {
            "slug": "core-groups-and-plans",
            "title": "Core groups and child protection plans",
            "summary": "Who carries out the plan, and what a good plan contains.",
            "body": PLANS,
        },
        {
            "slug": "tips-and-next-steps",
            "title": "Tips for professionals and next steps",
            "summary": "Taking part in a conference well, and getting ready for the seminar.",
            "body": TIPS,
        },
    ],
}


def all_citation_keys(workbook: dict[str, Any] = WORKBOOK) -> list[str]:
    """Return every citation key the workbook uses, for ``citation_check``."""
    keys: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name, value in node.items():
                if name == "citation_key" and value:
                    keys.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(workbook["chapters"])
    return sorted(set(keys))
