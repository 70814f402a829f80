"""One sample news article for the tests and benchmarks that need ordinary article text."""
from __future__ import annotations

TITLE = "Council votes to close Eastside library"

PARAGRAPHS = [
    "The city council voted 7 to 2 on Monday to close the Eastside public library by the end of the year.",
    "Officials said the closure would save about 1.2 million dollars annually, according to the budget office.",
    "Residents called the decision a disgraceful betrayal of working families and a shameful attack on children.",
    "Mayor Linda Park said in 2023 that no library would close while she was in office.",
    "Everyone knows this council has never cared about the poor, said one furious protester.",
]

# As pasted or saved as .txt: the first line is the title.
TEXT = TITLE + "\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
