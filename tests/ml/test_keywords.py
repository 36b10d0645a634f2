import numpy as np

from ml.keywords import ctfidf_keywords, label_from_keywords, tokens


def test_japanese_tokens_are_content_words():
    words = tokens("公園の遊具が古くなっているので新しくしてほしい")
    assert "公園" in words and "遊具" in words
    assert "の" not in words and "ほしい" not in words


def test_english_stop_words_removed():
    assert tokens("Please make the park toilets cleaner") == ["park", "toilets", "cleaner"]


def test_ctfidf_prefers_distinctive_words():
    texts = ["公園の遊具", "公園のベンチ", "公園の木陰", "バスの本数", "バス停の屋根", "バスの時刻表"]
    labels = np.array([0, 0, 0, 1, 1, 1])
    keywords = ctfidf_keywords(texts, labels)
    assert keywords[0][0] == "公園"
    assert keywords[1][0] == "バス"
    assert label_from_keywords(["公園", "遊具"], lang="ja") == "公園・遊具"
    assert label_from_keywords(["park", "swing"], lang="en") == "park, swing"


def test_noise_is_ignored():
    keywords = ctfidf_keywords(["a park", "the bus stop"], np.array([0, -1]))
    assert list(keywords) == [0]


def test_german_function_words_are_not_keywords():
    assert tokens("Der Spielplatz im Park ist immer noch alt und sollte erneuert werden", "other") == [
        "spielplatz",
        "park",
        "alt",
        "erneuert",
    ]


def test_german_stop_words_never_touch_english():
    # "bin", "die", "will" are German function words and English content words.
    assert tokens("Put a bin by the bus stop, the old one will die soon", "en") == [
        "bin",
        "bus",
        "stop",
        "old",
        "die",
        "soon",
    ]


def test_central_texts_win_ties():
    """Words that occur once in a theme (most German compounds) are ordered by how typical their text is,
    not alphabetically."""
    texts = ["Altpapier abholen", "Zebrastreifen fehlt", "Biotonne stinkt", "Biotonne leeren"]
    labels = np.array([0, 0, 1, 1])
    plain = ctfidf_keywords(texts, labels, lang="other")
    assert plain[0][:2] == ["abholen", "altpapier"]  # alphabetical: nothing else to go by
    weighted = ctfidf_keywords(texts, labels, lang="other", weights=np.array([0.2, 0.9, 0.8, 0.8]))
    assert weighted[0][:2] == ["fehlt", "zebrastreifen"]
    assert weighted[1][0] == "biotonne"  # used by both texts of its theme


def test_japanese_keywords_are_compound_nouns_not_fragments():
    assert tokens("中間貯蔵施設の建設に反対です。除染の範囲を広げてほしい") == [
        "中間貯蔵施設",
        "建設",
        "除染",
        "範囲",
    ]
    assert tokens("コミュニティバスの最終便を遅くして運賃無料にしてほしい") == [
        "コミュニティバス",
        "最終便",
        "運賃無料",
    ]
    assert tokens("第3回の会合でIAEAの報告書が示された") == ["会合", "IAEA", "報告書"]
    # no single characters, numbers, auxiliary verbs or formula nouns
    words = tokens("本の件で意見を3回送りましたが、ご検討ください")
    assert words == []


def test_japanese_keywords_leave_out_judgements_and_stances():
    # a na-adjective alone judges (静か, 大切, 危険) and 賛成 / 反対 are the writer's stance, which the tone
    # shows; inside a compound the adjective names the matter (安全対策, 安全性)
    assert tokens("静かな場所が大切です。危険な交差点に安全対策を") == ["場所", "交差点", "安全対策"]
    assert tokens("駅前広場の整備に賛成です。安全性を高めないなら反対です") == ["駅前広場", "整備", "安全性"]


def test_terms_spread_evenly_over_themes_and_stop_terms_are_not_keywords():
    districts = ["北町", "東町", "南町"]
    texts, labels = [], []
    for theme, words in enumerate([("公園", "遊具"), ("バス", "バス停"), ("図書館", "蔵書")]):
        for i, district in enumerate(districts * 2):
            texts.append(f"{district}の{words[i % 2]}を利用しています")
            labels.append(theme)
    keywords = ctfidf_keywords(texts, np.array(labels), lang="ja")
    for theme_words in keywords.values():
        assert not set(theme_words[:3]) & set(districts)
        assert "利用" not in theme_words[:3]
    stopped = ctfidf_keywords(
        ["北町公園の遊具", "北町公園のベンチ"], np.array([0, 0]), lang="ja", stop_terms=["北町公園"]
    )
    assert "北町公園" not in stopped[0]


def test_theme_title_is_a_central_unit_without_connectives():
    from ml.keywords import theme_title

    texts = ["また、公園の遊具を新しくしてほしい。", "公園の遊具が古い", "公園のベンチを増やして"]
    rows = np.array([[1.0, 0.0], [0.9, 0.1], [0.6, 0.4]])
    assert theme_title(texts, rows, ["遊具", "公園"], lang="ja") == "公園の遊具を新しくしてほしい"
    long = [
        "公園の遊具が古くなっているので新しくしてほしいのですが、予算がないなら、せめて危険な遊具だけでも撤去してください"
    ]
    title = theme_title(long, np.array([[1.0, 0.0]]), ["遊具"], lang="ja")
    assert len(title) <= 41 and title.endswith("…")
    assert theme_title(["Also, the buses are late."], np.array([[1.0]]), ["buses"], lang="en") == "The buses are late"
    # A long unit whose first sentence (a proposal's title line) fits: that sentence, without "…".
    titled = [
        "ボール遊びができる時間帯を決めてほしい ほとんどの公園でボール遊びが禁止されています。夕方だけでもよいので"
    ]
    assert theme_title(titled, np.array([[1.0]]), ["ボール遊び"], lang="ja") == "ボール遊びができる時間帯を決めてほしい"
    # A proposal's title line is its title even when title and body together are short (the demo's
    # 「中学生が使えるスケートボード広場 中学生・高校生の居場所が公園にありません」); a tiny first line is not one.
    short = ["中学生が使えるスケートボード広場 中学生・高校生の居場所が公園にありません"]
    assert theme_title(short, np.array([[1.0]]), ["スケートボード"], lang="ja") == "中学生が使えるスケートボード広場"
    assert theme_title(["要望 公園に時計がほしい"], np.array([[1.0]]), ["時計"], lang="ja") == "要望 公園に時計がほしい"
    assert theme_title(["LINE で通知してほしい"], np.array([[1.0]]), ["通知"], lang="ja") == "LINE で通知してほしい"
    # A contribution's title line, ended with a full stop when the text was put on one line, is the title
    # when it names a keyword (real German cycling comments); a first sentence that names none is not.
    winter = ["Winterdienst. Kein Winterdienst. Verbesserungsvorschlag: Winterdienst"]
    assert theme_title(winter, np.array([[1.0]]), ["Winterdienst"], lang="other") == "Winterdienst"
    roots = ["Sprungschanzen durch Wurzeln. Er gehört verbreitert und die Schäden ausgebessert"]
    assert theme_title(roots, np.array([[1.0]]), ["Wurzeln", "Asphalt"], lang="other") == "Sprungschanzen durch Wurzeln"
    agreed = ["Agreed. The fares are far too high for families"]
    assert theme_title(agreed, np.array([[1.0]]), ["fares"], lang="en") == agreed[0]
    # List markers are numbering, not words (real Polis comments: 「12. Protecting all endangered …」「- ensure …」).
    from ml.keywords import clean_unit

    assert clean_unit("12. Protecting native fauna is urgent", "en") == "Protecting native fauna is urgent"
    assert clean_unit("- ensure that young people feel safe", "en") == "Ensure that young people feel safe"
    assert [clean_unit(t, "ja") for t in ("①公園を直して", "(3) バスを増やして", "・ベンチを増やして")] == [
        "公園を直して",
        "バスを増やして",
        "ベンチを増やして",
    ]
    assert clean_unit("3.5%の増税に反対", "ja") == "3.5%の増税に反対"
    # Letters as answer pages print them (「Q.」), real Shimane 県民ホットライン pages (ml/README.md).
    assert clean_unit("Q.小泉八雲旧居前の道路を改良してください", "ja") == "小泉八雲旧居前の道路を改良してください"
    assert clean_unit("Q3: Where do the buses stop", "en") == "Where do the buses stop"
    assert clean_unit("Quiet streets at night", "en") == "Quiet streets at night"
    assert clean_unit("z.B. die Ampel am Markt", "other") == "z.B. die Ampel am Markt"
    assert clean_unit("10:00 to 18:00 opening hours", "en") == "10:00 to 18:00 opening hours"
    english = [
        "The swings are broken and unsafe. Children cannot play there any more and parents worry about it a lot."
    ]
    assert theme_title(english, np.array([[1.0]]), ["swings"], lang="en") == "The swings are broken and unsafe"


def test_a_title_that_asks_for_something_wins_a_tie():
    """Real letters: a theme on smoking was titled by a definition (「受動喫煙は、…煙を吸わされることです」)."""
    from ml.keywords import theme_title

    candidates = ["受動喫煙は他人のたばこの煙を吸わされることです", "受動喫煙のない社会にするため対策をお願いします"]
    title = theme_title(candidates, np.array([[1.0], [1.0]]), ["受動喫煙"], lang="ja")
    assert title == "受動喫煙のない社会にするため対策をお願いします"


def test_a_title_already_taken_is_avoided_while_another_is_left():
    """The demo's sub-themes took their parent's title when the largest held the parent's central unit."""
    from ml.keywords import theme_title

    texts = ["公園の遊具を新しくしてほしい", "公園の遊具が古くて危ない"]
    rows = np.array([[1.0, 0.0], [0.9, 0.1]])
    assert theme_title(texts, rows, ["遊具"], lang="ja") == "公園の遊具を新しくしてほしい"
    taken = {"公園の遊具を新しくしてほしい"}
    assert theme_title(texts, rows, ["遊具"], lang="ja", avoid=taken) == "公園の遊具が古くて危ない"
    assert theme_title(texts[:1], rows[:1], ["遊具"], lang="ja", avoid=taken) == "公園の遊具を新しくしてほしい"
    # nothing else left: the most central of the taken titles, not the first unit
    everything = {"公園の遊具を新しくしてほしい", "公園の遊具が古くて危ない"}
    assert theme_title(texts[::-1], rows[::-1], ["遊具"], lang="ja", avoid=everything) == "公園の遊具を新しくしてほしい"


def test_keywords_are_shown_as_the_texts_write_them():
    """Real German comments gave 「radweg, radfahrer, kennedybrücke」: German nouns are written capitalised."""
    texts = [
        "Der Radweg an der Kennedybrücke ist kaputt. Der Radweg hat Löcher.",
        "Die Ampel schaltet zu langsam. Die Ampelschaltung nervt, die Ampel ist rot.",
        "Parking is hard here. We need parking near the bus stop and the Brexit office.",
    ]
    keywords = ctfidf_keywords(texts, np.array([0, 1, 2]), lang="other")
    assert keywords[0][0] == "Radweg" and "Kennedybrücke" in keywords[0] and "Ampel" in keywords[1]
    assert "parking" in keywords[2]  # "Parking is …" opens a sentence: it says nothing about the word
    assert "Brexit" in keywords[2]


def test_german_keywords_put_the_nouns_first(monkeypatch):
    """Real German comments: a theme on parked cars was labelled 「parken, Falschparker, parkende」 and a
    mixed one 「geringem, Anschrägung, überwinden」; German writes its nouns capitalised, English does not."""
    import ml.keywords

    parking = [
        f"Auf dem Radweg parken ständig {car} und die parkenden {car} blockieren den Weg für die Radfahrer."
        for car in ("Autos", "Lieferwagen", "Autos", "Transporter", "Falschparker", "Autos")
    ]
    lights = [
        f"An der Kreuzung schaltet die {light} viel zu langsam und die Radfahrer warten ewig bei Rot."
        for light in ("Ampel", "Ampel", "Fußgängerampel", "Ampel", "Fahrradampel", "Ampel")
    ]
    english = [
        f"Cars park on the cycle lane and parked {v} block it for cyclists every day." for v in ("cars", "vans")
    ] * 3 + [
        f"The lights change far too slowly and cyclists wait at the {x} for ages." for x in ("junction", "crossing")
    ] * 3
    labels = np.array([0] * 6 + [1] * 6)
    german = ctfidf_keywords(parking + lights, labels, lang="other")
    english_keywords = ctfidf_keywords(english, labels, lang="other")
    monkeypatch.setattr(ml.keywords, "NOUN_CAPITALS_SHARE", 1.0)  # as before: no language puts nouns first
    before = ctfidf_keywords(parking + lights, labels, lang="other")
    assert sorted(german[0]) == sorted(before[0]) and german[0] != before[0]  # the same words, reordered
    assert all(word[0].isupper() for word in german[0][:5]) and german[0][5:] == ["blockieren", "parken", "parkenden"]
    assert english_keywords == ctfidf_keywords(english, labels, lang="other")  # English: nothing reordered


def test_punctuation_read_as_a_noun_never_joins_a_keyword():
    """janome reads 「.」「(」 after NFKC as nouns: real letters gave 「.フェリー」「(1)投稿」「Q.県民ホットライン」."""
    from ml.keywords import tokens
    from ml.text import normalise

    assert tokens(normalise("2.フェリーのドック入りは高速船の運行期間内に"), "ja")[0] == "フェリー"
    assert tokens(normalise("(1)投稿の内容"), "ja")[0] == "投稿"
    assert tokens(normalise("Q.県民ホットラインの回答"), "ja")[0] == "県民ホットライン"


def test_prefixes_join_only_when_they_are_kanji():
    assert tokens("防災倉庫とかまどベンチの設置") == ["防災倉庫", "ベンチ", "設置"]
    assert "再整備" in tokens("公園の再整備をお願いします")


def test_no_japanese_label_is_made_of_single_kanji_fragments():
    """Issue 16 found labels such as 「染・除・表現」 (除染 and 汚染 split apart) on real comments. Every keyword
    of these public-comment style texts is a whole word: two characters or more, and never a piece glued to
    a single kanji wherever it occurs (``ml.evaluate_tokenizers.is_fragment``)."""
    from ml.evaluate_tokenizers import is_fragment

    texts = [
        "除染で出た除去土壌の再生利用には反対です。汚染の表現があいまいです。",
        "除去土壌の再生利用について、安全性の説明が足りません。",
        "汚染土を公共工事に使うことに反対します。除染の基準を示してください。",
        "中間貯蔵施設から県外最終処分までの工程表を示してほしい。",
        "中間貯蔵施設の土壌を最終処分する場所をどう決めるのか不安です。",
        "県外最終処分の約束を守ってください。中間貯蔵施設の期限が心配です。",
        "IAEAの報告書の内容をわかりやすく説明してください。",
        "IAEAの専門家会合の報告を住民向けに公開してほしい。",
        "国際原子力機関の評価報告について説明会を開いてください。",
    ]
    labels = np.repeat([0, 1, 2], 3)
    keywords = ctfidf_keywords(texts, labels, lang="ja", top=6)
    for theme, words in keywords.items():
        members = [texts[i] for i in np.where(labels == theme)[0]]
        for word in words:
            assert len(word) >= 2, (theme, word)
            assert not all(is_fragment(word, text) for text in members if word in text), (theme, word)
        label = label_from_keywords(words, lang="ja")
        assert all(len(part) >= 2 for part in label.split("・")), label
    assert any("除染" in w or "除去土壌" in w or "汚染土" in w for w in keywords[0])
    assert any("中間貯蔵施設" in w or "最終処分" in w for w in keywords[1])


def test_english_keywords_are_shown_as_the_phrases_they_stand_in():
    """Real English Polis comments read 「UBI, income, funded」「wage, small, hour」「young, police, policing」;
    now "basic income", "small business", "young people" — a phrase when at least half the theme's texts that
    use the word use it, in two texts at least."""
    wages = [
        "A higher minimum wage will close many small businesses.",
        "Small businesses cannot pay a $15 minimum wage.",
        "The minimum wage should rise with inflation.",
        "My small business barely survives; the wage increase will hurt.",
        "Raise the wage for young workers too.",
    ]
    police = [
        "Police should talk with young people in schools.",
        "Young people do not trust the police.",
        "More police officers on foot, please.",
        "Policing must respect young people.",
    ]
    keywords = ctfidf_keywords(wages + police, np.array([0] * 5 + [1] * 4), lang="en")
    assert keywords[0][:2] == ["minimum wage", "small business"]  # "businesses" folded into "business"
    assert keywords[1][0] == "young people" and "young" not in keywords[1] and "people" not in keywords[1]
    words = [part for keyword in keywords[0] for part in keyword.split()]
    assert len(words) == len(set(words))  # a word shown in a phrase is not listed again
    # "police officers" is in one text of the three that say "police": the word stays a word
    assert "police" in keywords[1] and "police officers" not in keywords[1]


def test_english_plurals_are_folded_when_the_texts_use_the_singular():
    texts = ["The bus is late", "Buses are late", "More buses at night", "News about the bus", "Bus stops"]
    keywords = ctfidf_keywords(
        texts + ["Parks need shade", "The park is dirty"], np.array([0] * 5 + [1] * 2), lang="en"
    )
    assert "bus" in keywords[0] and "buses" not in keywords[0]
    assert "park" in keywords[1] and "parks" not in keywords[1]
    assert "news" in keywords[0]  # never folded to a word the texts do not use ("new" is a stop word)
    fares = ctfidf_keywords(
        ["Fares are far too high", "Lower the fares", "The fare is high"], np.array([0] * 3), lang="en"
    )
    assert "fare" in fares[0] and "fares" not in fares[0]  # not "far"
    german = ctfidf_keywords(["Die Busse fahren selten", "Der Bus ist spät"], np.array([0, 0]), lang="other")
    assert {"Bus", "Busse"} <= set(german[0])  # the English rule only


def test_an_english_comment_in_a_japanese_analysis_is_titled_by_english_rules():
    """Real English comments imported into a Japanese consultation were titled 「Under a UBI the」: cut at the
    first space after a third of Japanese's 40 characters. A title follows its own text's language."""
    from ml.keywords import theme_title

    ubi = [
        "Under a UBI the stigma of income support would be reduced as more people would see it as practical "
        "to their own financial security."
    ]
    title = theme_title(ubi, np.array([[1.0]]), ["UBI"], lang="ja")
    assert title.startswith("Under a UBI the stigma of income support would be reduced")
    assert title.endswith("…") and len(title) <= 91
    short = ["The buses are late. Please run more in the morning."]
    assert theme_title(short, np.array([[1.0]]), ["buses"], lang="ja") == "The buses are late"
    # and a Japanese comment in an English analysis keeps Japanese rules (its title line)
    titled = ["中学生が使えるスケートボード広場 中学生・高校生の居場所が公園にありません"]
    assert theme_title(titled, np.array([[1.0]]), ["スケートボード"], lang="en") == "中学生が使えるスケートボード広場"


def test_a_sentence_many_comments_add_never_titles_a_theme():
    """The demo's bus proposals end one in four with 「近所の方とも話し合い、同じ意見でした。」, and it named the
    largest bus theme (its 近所 a keyword). A sentence three or more different comments add to words of their
    own is skipped; a form letter sent as it is, or a proposal posted for several places, repeats no sentence and
    still titles its theme."""
    from ml.keywords import theme_title
    from ml.units import repeated_sentences

    closing = "近所の方とも話し合い、同じ意見でした。"
    texts = [
        "朝の通勤時間帯の増便を 7時台の便が1本しかなく、満員で乗れないことがあります。" + closing,
        "夜の最終便を遅くしてください 最終便が19時台で、仕事帰りに使えません。" + closing,
        "市民病院への直通便を 乗り換えが負担です。" + closing,
    ]
    form = ["同じことを感じていました。賛成です"] * 5
    # the same proposal posted for several places, once with a translation: its sentences are its point
    body = "中央公園に幼児向けの遊具を 小学生向けが中心です。低い滑り台や砂場の屋根があると助かります。"
    variants = [body, body + " English: More play equipment for toddlers.", body + closing]
    repeated = repeated_sentences(texts + form + variants)
    assert repeated == {"近所の方とも話し合い同じ意見でした"}
    rows = np.array([[1.0, 0.0], [0.9, 0.1], [0.8, 0.2]])
    assert theme_title(texts, rows, ["近所"], lang="ja") == "近所の方とも話し合い、同じ意見でした"  # before
    assert theme_title(texts, rows, ["近所"], lang="ja", skip=repeated).startswith("朝の通勤時間帯の増便を 7時台")
    assert (
        theme_title(form, np.ones((5, 1)), ["賛成"], lang="ja", skip=repeated) == "同じことを感じていました。賛成です"
    )
    # only the repeated sentence left: no title from it, the next comment's
    alone = [closing, *texts[1:]]
    assert theme_title(alone, rows, ["近所"], lang="ja", skip=repeated) == "夜の最終便を遅くしてください"


def test_a_label_that_opens_texts_across_the_themes_never_starts_a_title():
    """Austria's Klimarat marked its own proposals 「Klimarat: …」 in each of its five Polis conversations, and the
    analysis titled a theme 「Klimarat: Klimaschutzmaßnahmen müssen immer sozial…」. A label before a colon that
    opens texts in three or more themes is who filed them, not what they are about; a label within one theme
    (「Heizung: …」) says what the theme is about and stays."""
    from ml.keywords import theme_title
    from ml.units import leading_label, shared_labels, without_label

    texts = [
        "Klimarat: Klimaschutzmaßnahmen müssen immer sozial gerecht sein.",
        "Klimarat: Öffis in ganz Österreich ausbauen.",
        "KLIMARAT: Fleischkonsum in Kantinen reduzieren.",
        "Klimarat:Photovoltaik auf alle öffentlichen Dächer.",
        "Heizung: Ölkessel bis 2030 tauschen.",
        "Heizung: Fernwärme fördern.",
        "Heizung: Wärmepumpen fördern.",
        "Radwege ausbauen: das ist wichtig.",
    ]
    themes = [0, 1, 2, 3, 3, 3, 3, 1]
    assert shared_labels(texts, themes) == {"klimarat"}
    assert shared_labels(texts, [0] * 8) == frozenset()  # one theme: nothing is shared across themes
    assert without_label(texts[0], {"klimarat"}) == "Klimaschutzmaßnahmen müssen immer sozial gerecht sein."
    assert without_label(texts[3], {"klimarat"}) == "Photovoltaik auf alle öffentlichen Dächer."
    assert without_label(texts[4], {"klimarat"}) == texts[4]
    assert without_label("Klimarat:", {"klimarat"}) == "Klimarat:"  # nothing after it: not a label
    assert leading_label("https://example.org/bus") == "" and leading_label("10:30 Uhr fährt kein Bus") == ""
    title = theme_title(texts[:1], np.array([[1.0]]), ["Klimaschutzmaßnahmen"], lang="de", labels={"klimarat"})
    assert title == "Klimaschutzmaßnahmen müssen immer sozial gerecht sein"
    heating = theme_title(texts[4:5], np.array([[1.0]]), ["Ölkessel"], lang="de", labels={"klimarat"})
    assert heating.startswith("Heizung: Ölkessel")
    japanese = ["要望：北町の街灯を増やしてください", "要望：バスの増便を", "要望：公園の遊具を直して"]
    assert shared_labels(japanese, [0, 1, 2]) == {"要望"}
    assert without_label(japanese[0], {"要望"}) == "北町の街灯を増やしてください"


def test_german_inflected_forms_are_one_keyword():
    """The Klimarat's themes listed 「Flächen・Fläche」「Bäume・Baum」「Lebensmittel・Lebensmitteln」 side by side. An
    inflected form is counted as the stem the texts also use; a short word is never taken for a stem (Bau /
    Bauer: construction / farmer)."""
    from ml.keywords import _inflection_folds, ctfidf_keywords

    folds = _inflection_folds({"flächen", "fläche", "bäume", "baum", "bauer", "bau", "radwegen", "radwege", "radweg"})
    assert folds == {"flächen": "fläche", "bäume": "baum", "radwegen": "radweg", "radwege": "radweg"}
    texts = [
        "Keine Bauten auf freien Flächen, die Fläche bleibt grün.",
        "Versiegelte Flächen entsiegeln und Bäume pflanzen.",
        "Jeder Baum zählt, mehr Bäume in der Stadt.",
        "Auf jeder Fläche Bäume statt Beton.",
        "Mehr Busse und Bahnen am Land.",
        "Öffis ausbauen, Busse öfter fahren lassen.",
        "Bahnen und Busse billiger machen.",
    ]
    keywords = ctfidf_keywords(texts, np.array([0, 0, 0, 0, 1, 1, 1]), lang="other")
    assert "Fläche" in keywords[0] and "Baum" in keywords[0]
    assert not {"Flächen", "Bäume"} & set(keywords[0])
