"""Opinion units: sentences / clauses with their spans, boilerplate left out, votes back to texts."""

import numpy as np

from ml.units import (
    comment_units,
    is_boilerplate,
    key_sentences,
    merge_short,
    opinion_units,
    split_above_chars,
    split_units,
    text_themes,
    unit_table,
    vote,
)

LETTER = "北町に住んでいる会社員です。バスの本数が少なくて通勤に使えない。また、公園のトイレが汚い。以上、よろしくお願いいたします。"


def test_a_letter_splits_into_sentences_with_spans():
    units = split_units(LETTER)
    assert [u.text for u in units] == [
        "北町に住んでいる会社員です。",
        "バスの本数が少なくて通勤に使えない。",
        "公園のトイレが汚い。",  # without its connective 「また、」
        "以上、よろしくお願いいたします。",
    ]
    for unit in units:
        assert LETTER[unit.start : unit.end] == unit.text
    assert [u.text for u in split_units("Also, the buses are late. And the stops are dirty.")] == [
        "the buses are late.",
        "the stops are dirty.",
    ]


def test_greetings_introductions_and_closings_are_boilerplate():
    for text in [
        "北町に住んでいる会社員です。",
        "東町在住の主婦です",
        "いつも市政にご尽力いただきありがとうございます。",
        "今回の計画案について意見を申し上げます。",
        "以上です。",
        "ご検討のほどよろしくお願いします。",
        "Dear council,",
        "Thank you.",
        "I live in Northtown.",
    ]:
        assert is_boilerplate(text), text
    for text in [
        "バスの本数が少なくて通勤に使えない。",
        "北町の件について、反対です。",
        "公園の遊具を新しくしてほしい",
        "The buses are always late.",
    ]:
        assert not is_boilerplate(text), text


def test_opinion_units_drop_formulas_but_never_the_whole_text():
    assert [u.text for u in opinion_units(LETTER)] == ["バスの本数が少なくて通勤に使えない。", "公園のトイレが汚い。"]
    assert [u.text for u in opinion_units("よろしくお願いします。")] == ["よろしくお願いします。"]
    assert opinion_units("") == []


def test_short_pieces_join_their_neighbour_and_short_texts_stay_whole():
    assert [u.text for u in split_units("はい。公園がほしい")] == ["はい。公園がほしい"]
    assert len(split_units("公園の遊具が古くなっているので新しくしてほしい")) == 1
    assert len(split_units("Please add benches to the park")) == 1


def test_long_sentences_are_cut_at_clause_boundaries():
    text = (
        "公園の遊具が古くなっているので新しくしてほしいのですが、予算がないなら、せめて危険な遊具だけでも撤去して、"
        "代わりにベンチを置くなど、子どもと高齢者が安心して過ごせる場所にしてほしいと思います。"
    )
    units = split_units(text)
    assert len(units) == 2 and "".join(u.text for u in units) == text


def test_english_sentences():
    units = split_units("The buses are late. I miss my train every day! Could you add more buses?")
    assert [u.text for u in units] == ["The buses are late.", "I miss my train every day!", "Could you add more buses?"]


def test_abbreviations_and_ordinals_end_no_sentence():
    """Real German comments were quoted as 「So würden auch viel mehr Leute (z.B.」 (ml/README.md, sixth round)."""
    texts = {
        "So würden viel mehr Leute (z.B. Schüler) fahren. Deshalb braucht es mehr Radwege.": 2,
        "Die Spur endet nach ca. 30 Metern an der Ampel. Danach wird es sehr eng für alle.": 2,
        "Der Rat hat das am 17. Juni 2013 beschlossen. Seitdem ist gar nichts passiert.": 2,
        "We need more benches, e.g. Near the school gate. Mr. Smith agrees with that idea.": 2,
        "It was worse in 2013. Then the city rebuilt the whole crossing at last.": 2,
        "The answer from the city was no. Then we wrote again to the mayor.": 2,
    }
    for text, count in texts.items():
        units = [u.text for u in split_units(text)]
        assert len(units) == count, units
        assert not units[0].endswith(("z.B.", "ca.", "17.", "e.g.")), units


def test_a_title_line_ends_its_sentence_when_the_comment_is_put_on_one_line():
    """Proposals are analysed as ``title\nbody``: titles and quotes read "Fix the swings The swings …"."""
    texts = [
        "Fix the swings\nThe swings in North Park are broken and children get hurt.",
        "Why no buses?\nThe last bus leaves at nine.",
        "ボール遊びの時間\nほとんどの公園でボール遊びが禁止されています。",
        "Radweg Zustand\nDer Radweg ist in diesem Bereich richtig schlecht (z.B. Wurzeln).",
        "The swings in the park are\nbroken and the slide is,\nI think, too hot in summer.",
    ]
    assert comment_units(texts, "en").texts[:2] == [
        "Fix the swings. The swings in North Park are broken and children get hurt.",
        "Why no buses? The last bus leaves at nine.",
    ]
    assert comment_units(texts, "ja").texts[2] == "ボール遊びの時間 ほとんどの公園でボール遊びが禁止されています。"
    assert comment_units(texts, "other").texts[3].startswith("Radweg Zustand. Der Radweg")
    # a hard-wrapped sentence goes on in lower case: no full stop is made up
    assert (
        comment_units(texts, "en").texts[4]
        == "The swings in the park are broken and the slide is, I think, too hot in summer."
    )


def test_votes_map_unit_themes_back_to_texts():
    table = unit_table(
        ["バスが来ない。公園が汚い。公園のトイレが壊れている。", "よろしくお願いします。", "図書館を増やして"]
    )
    assert table.owner.tolist() == [0, 0, 0, 1, 2]
    labels = np.array([1, 0, 0, -1, 2])
    assert vote(table, labels, 3).tolist() == [0, -1, 2]
    assert text_themes(table, labels, 3) == [{0, 1}, set(), {2}]


def test_title_lines_are_units_and_topic_markers_are_dropped():
    from ml.text import normalise_lines

    text = normalise_lines(
        "東町公園でも：AEDを公園のトイレ付近に\n東町公園の利用者です。トイレの近くにAEDを置いてください。"
    )
    assert [u.text for u in opinion_units(text)] == ["AEDを公園のトイレ付近に", "トイレの近くにAEDを置いてください。"]
    assert [u.text for u in split_units("北町の件：バスを増やして")] == ["バスを増やして"]
    assert [u.text for u in split_units("時刻：午後三時")] == ["時刻：午後三時"]


def test_merged_unit_leaves_out_a_self_introduction_after_the_title_line():
    """A proposal reaches the analysis as its title line and its body, whose first sentence is often who
    writes. The demo's largest theme was titled 「ボール遊びができる時間帯を決めてほしい 南町公園の利用者です。
    ほとんどの公園でボ…」: the merged unit ran from the title to the body's last sentence, self-introduction and all."""
    from ml.text import normalise_lines

    texts = [
        normalise_lines(
            "ボール遊びができる時間帯を決めてほしい\n南町公園の利用者です。ほとんどの公園でボール遊びが禁止されています。"
        ),
        "The swings are broken.\nI live in North Town. Please fix them soon.",
        "公園の遊具が古いので新しくしてほしい。北町の住民です。よろしくお願いします。",
    ]
    merged = merge_short(unit_table(texts), texts, 300)
    assert merged.texts[0] == "ボール遊びができる時間帯を決めてほしい ほとんどの公園でボール遊びが禁止されています。"
    assert merged.texts[1] == "The swings are broken. Please fix them soon."
    assert merged.texts[2] == "公園の遊具が古いので新しくしてほしい。" and len(merged.texts) == 3


def test_merge_short_keeps_short_comments_whole_and_splits_letters():
    texts = [
        "北町の住民です。バスを増やしてほしい。駅前が暗い。以上です。",
        "A" * 10,
        "公園の遊具を直してほしい。" * 12,
    ]
    table = unit_table(texts)
    merged = merge_short(table, texts, 120)  # the limit the caller gives (by default 500 / 1,200)
    assert merged.owner.tolist().count(0) == 1
    assert merged.texts[0] == "バスを増やしてほしい。駅前が暗い。"
    start, end = merged.spans[0]
    assert texts[0][start:end] == merged.texts[0]
    assert merged.owner.tolist().count(2) == table.owner.tolist().count(2) > 1  # 156 characters: split
    assert merge_short(table, texts, 0) is table
    assert sorted(set(merged.owner.tolist())) == [0, 1, 2]
    # Points enumerated in a short comment: its units stay apart.
    marked = [
        "1. 公園の遊具が古い。2. バスの本数が少ない。",
        "(1)県民歌について。テレビで流してほしい。(2)美術館の催しについて。模型展をしてほしい。",
        "①公園を直して。②バスを増やして。",
        "第一に、公園を直して。第二に、バスを増やして。",
        "Parks need benches. Secondly, the buses are late.",
    ]
    kept = merge_short(unit_table(marked), marked, 120)
    assert [kept.owner.tolist().count(i) for i in range(5)] == [2] * 5
    # Connectives go on with the same matter in real letters (ml/README.md, "Real resident letters").
    same_point = [
        "公園の遊具が古い。しかし、直せば使える。",
        "川の氾濫対策に力を入れてほしいです。また、上流と下流で対応の仕方も変わってくると思います。",
        "Parks need benches. Also, the paths are muddy.",
    ]
    assert len(merge_short(unit_table(same_point), same_point, 120).texts) == 3
    assert split_above_chars("ja") < split_above_chars("en") == split_above_chars("de")


def test_a_long_comment_is_quoted_by_its_sentences_that_name_the_theme():
    letter = (
        "丸山新知事誕生おめでとうございます。新知事に望むことは、人口減少対策や過疎化対策などいろいろあります。"
        "そこで、まずは県のホームページを全面リニューアルしてほしいです。見やすいホームページをお願いします。"
        "テレビにもどんどん出演してください。よろしくお願いします。"
    )
    quote = key_sentences(letter, ["ホームページ", "リニューアル"], "ja", limit=60)
    assert (
        quote == "そこで、まずは県のホームページを全面リニューアルしてほしいです。見やすいホームページをお願いします。"
    )
    # No keyword named: the first sentence that asks for something (a letter's point), not the greeting.
    assert key_sentences(letter, [], "ja", limit=60).startswith("そこで、まずは県のホームページ")
    assert key_sentences("公園が好きです。" * 30, [], "ja").startswith("公園が好きです")  # none asks: the first
    assert key_sentences("バスを増やしてほしい。", ["公園"], "ja") == "バスを増やしてほしい。"  # short: whole
    english = (
        "I live downtown. "
        + "The buses are late every single morning and we miss work. " * 8
        + "The parks are fine and well kept."
    )
    assert key_sentences(english, ["parks"], "en") == "The parks are fine and well kept."


def test_key_sentences_leave_out_the_sentences_asked_to_skip():
    from ml.units import sentence_key

    skip = frozenset({sentence_key("近所の方とも話し合い、同じ意見でした。"), sentence_key("Thanks for listening!")})
    text = "朝の増便を 7時台の便が1本しかありません。 近所の方とも話し合い、同じ意見でした。"
    assert key_sentences(text, [], "ja", skip=skip) == "朝の増便を 7時台の便が1本しかありません。"
    assert key_sentences(text, [], "ja") == text  # nothing skipped: short, whole
    assert key_sentences("The buses are late. Thanks for listening!", [], "en", skip=skip) == "The buses are late."
    assert key_sentences("近所の方とも話し合い、同じ意見でした。", [], "ja", skip=skip) == ""
