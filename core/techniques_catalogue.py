"""The 14 persuasion techniques Crosscheck detects: their names, labels and definitions, and when one is *found*.

The names are the labels of SemEval-2020 Task 11 (PTC corpus v2), in the corpus
spelling; documents, models and the CSV exports use them as they are, and people
read the labels.
"""
from __future__ import annotations

# The 14 labels of SemEval-2020 Task 11 (PTC corpus v2), in the corpus spelling.
TECHNIQUES: tuple[str, ...] = (
    "Appeal_to_Authority",
    "Appeal_to_fear-prejudice",
    "Bandwagon,Reductio_ad_hitlerum",
    "Black-and-White_Fallacy",
    "Causal_Oversimplification",
    "Doubt",
    "Exaggeration,Minimisation",
    "Flag-Waving",
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Slogans",
    "Thought-terminating_Cliches",
    "Whataboutism,Straw_Men,Red_Herring",
)

TECHNIQUE_LABELS: dict[str, str] = {
    "Appeal_to_Authority": "Appeal to Authority",
    "Appeal_to_fear-prejudice": "Appeal to Fear / Prejudice",
    "Bandwagon,Reductio_ad_hitlerum": "Bandwagon / Reductio ad Hitlerum",
    "Black-and-White_Fallacy": "Black-and-White Fallacy",
    "Causal_Oversimplification": "Causal Oversimplification",
    "Doubt": "Doubt",
    "Exaggeration,Minimisation": "Exaggeration / Minimisation",
    "Flag-Waving": "Flag-Waving",
    "Loaded_Language": "Loaded Language",
    "Name_Calling,Labeling": "Name Calling / Labeling",
    "Repetition": "Repetition",
    "Slogans": "Slogans",
    "Thought-terminating_Cliches": "Thought-terminating Clichés",
    "Whataboutism,Straw_Men,Red_Herring": "Whataboutism / Straw Man / Red Herring",
}

# One-line definitions after Da San Martino et al. (2019, 2020).
TECHNIQUE_DEFINITIONS: dict[str, str] = {
    "Appeal_to_Authority": "Claims something is true because an authority or expert says so, without other evidence.",
    "Appeal_to_fear-prejudice": "Builds support for an idea by stoking fear of, or prejudice against, an alternative.",
    "Bandwagon,Reductio_ad_hitlerum": "Urges agreement because 'everyone' does, or rejects an idea because a hated group holds it.",
    "Black-and-White_Fallacy": "Presents two options as the only possibilities when more exist.",
    "Causal_Oversimplification": "Assumes a single cause for an issue that has several.",
    "Doubt": "Questions the credibility of someone or something without substantiating it.",
    "Exaggeration,Minimisation": "Makes something look larger, better or worse than it is, or downplays it.",
    "Flag-Waving": "Appeals to national or group identity to justify or promote an idea.",
    "Loaded_Language": "Uses words with strong emotional connotations to influence the reader.",
    "Name_Calling,Labeling": "Labels the target as something the audience fears, hates or finds undesirable.",
    "Repetition": "Repeats the same message over and over so that the audience accepts it.",
    "Slogans": "A brief, striking phrase that may include labeling and stereotyping.",
    "Thought-terminating_Cliches": "A short generic phrase that discourages critical thought and discussion.",
    "Whataboutism,Straw_Men,Red_Herring": "Deflects by pointing at the opponent's hypocrisy, misrepresenting their view, or changing the subject.",
}


# The one rule for a technique being *found* in an article: headlined, gauged, counted in
# the Library and Compare, and marked in reports. Nearly every long text has a loaded word
# somewhere, so "the technique occurs" (``Technique.confidence``) says little; a technique is
# found only when the article uses it more strongly than ordinary news does. The engines set
# ``Technique.found`` by this rule (the local engine: core.ml.reference.NewsReference.assess,
# whose cut-offs are fitted by ``python -m core train news-reference``) and it is stored in
# the document; everything that asks uses Technique.found.
FOUND_RULE = "used more strongly than in nearly all ordinary news"
