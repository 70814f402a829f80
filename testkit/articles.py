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

# An ordinary wire-style news report (written for the project in the manner of an agency
# report on an awards night, the kind of page that lit up as propaganda before issue 18):
# attributed quotes, figures, no editorialising.
WIRE_TITLE = "Film about a rural clinic wins top prize at Lisbon awards"

WIRE_PARAGRAPHS = [
    "LISBON, March 14 - A low-budget drama about a rural health clinic won the top prize at the Lisbon Film Awards "
    "on Saturday, beating four studio productions in a ceremony attended by about 2,000 guests.",
    "\"The Long Road North\", directed by Ana Ribeiro, follows a nurse who keeps a village clinic open after its doctor "
    "retires. The film cost 1.8 million euros to make and has taken 6.5 million euros at European box offices "
    "since its release in October, according to its distributor.",
    "\"We made this film with a small crew and a lot of patience,\" Ribeiro said as she accepted the award. "
    "\"I want to thank the people of Vila Nova, who let us film in their homes.\"",
    "The jury, chaired by British actor Thomas Hale, said in a statement that the film was chosen for its "
    "\"restraint and attention to ordinary lives\". Hale told reporters the vote had been close.",
    "The best actor award went to Marco Silva for his role as a fisherman in \"Low Tide\", while Irish actress "
    "Claire Doyle was named best actress for \"The Archive\". Doyle was not at the ceremony; her producer accepted "
    "the prize on her behalf.",
    "The awards, now in their 21st year, are organised by the Portuguese Film Institute with support from the "
    "city council. Organisers said entries rose to 312 films this year from 268 in 2023, with 41 countries "
    "represented.",
    "Some critics had questioned the shortlist. Writing in the daily Publico last month, critic Rui Mendes said the "
    "selection \"leaned heavily on films already distributed in Portugal\". The institute said the rules had not "
    "changed and that all eligible films were considered.",
    "Ribeiro's film will be screened in 14 countries next year, its distributor said. The director said she was "
    "already working on a documentary about the same village.",
]

WIRE_TEXT = WIRE_TITLE + "\n\n" + "\n\n".join(WIRE_PARAGRAPHS) + "\n"

# A German report (the local models read English only; the claude engine reads it).
GERMAN_TEXT = (
    "Stadtrat beschließt Schließung der Stadtbibliothek Ost\n\n"
    "Der Stadtrat hat am Montag mit sieben zu zwei Stimmen beschlossen, die Stadtbibliothek Ost zum Jahresende zu "
    "schließen. Nach Angaben der Kämmerei spart die Stadt dadurch jährlich rund 1,2 Millionen Euro.\n\n"
    "Anwohner nannten die Entscheidung einen Verrat an den arbeitenden Familien. Oberbürgermeisterin Linda Park hatte "
    "2023 erklärt, während ihrer Amtszeit werde keine Bibliothek geschlossen. Die Bestände sollen auf die "
    "Zentralbibliothek und zwei Stadtteilbüchereien verteilt werden.\n"
)
