"""Claims on real intercept lines (dev gold phrasing) and on short synthetic sentences for the flags."""

import pytest

from listeningpost.analyze.claims import extract_claims
from listeningpost.analyze.document import build_document


def claims(*texts):
    doc = build_document([{"speaker": "AB"[i % 2], "text": t} for i, t in enumerate(texts)])
    return extract_claims(doc)


def kinds(*texts):
    return [(c.type, c.count) for c in claims(*texts)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ну это официально, блядь. Я тебе скажу, 25 тыщ [=тысяч] 900 погибших. Это, блядь, за два месяца.",
         [("killed", 25900)]),
        ("Сегодня наших 6 трёхсотых. Вчера 4 300.", [("wounded", 6), ("wounded", 4)]),
        ("Направить своих 200-ых и 300-ых в район Тигр 1-22.", [("killed", None), ("wounded", None)]),
        ("У нас весь батальон положили, блядь.", [("killed", None)]),
        ("У нас полковника, блядь, командира батальона положили, блядь.", [("killed", 1)]),
        ("\"82-ой\" и \"83-ий\", оба подбиты.", [("equipment_lost", 2)]),
        ("Технику разъебали, миномёты разъебали.", [("equipment_lost", None)]),
        ("Наши солдаты насилуют этих женщин, блядь.", [("civilian_harm", None)]),
        ("Вообще нет еды.", [("shortage", None)]),
        ("Сегодня двое пропали без вести.", [("missing", 2)]),
        ("Вчера трое сдались в плен.", [("captured", 3)]),
        ("Сто семьдесят человек отказались идти.", [("refused_or_deserted", 170)]),
    ],
)
def test_claim_type_and_count(text, expected):
    assert kinds(text) == expected


def test_quote_is_verbatim_and_short():
    text = "Ну это официально, блядь. Я тебе скажу, 25 тыщ [=тысяч] 900 погибших. Это, блядь, за два месяца."
    (c,) = claims(text)
    assert c.quote == "25 тыщ [=тысяч] 900 погибших"
    assert text[c.start_char:c.end_char] == c.quote


def test_codes_are_not_numbers():
    # "двухсотый" is never the number 200, "4 300" is four wounded, not 4300
    assert kinds("Там двухсотый лежит.") == [("killed", None)]
    assert kinds("Вчера 4 300.") == [("wounded", 4)]


def test_durations_and_calibres_are_not_counts():
    assert kinds("Короче, минут сорок нас просто обстреливали.") == [("other", None)]
    assert kinds("Как начал нас 152 (сто пятьдесят двойкой) накладывать.") == [("other", None)]


def test_questions_and_wishes_are_not_claims():
    assert kinds("Сколько погибших?") == []
    assert kinds("Хочу, чтобы их всех убили.") == []
    assert kinds("Значит надо сделать так, чтобы они там под землёй и остались.") == []


def test_hedge_and_negation_flags():
    (c,) = claims("Говорят, там двести погибших.")
    assert (c.type, c.count, c.hedged, c.negated) == ("killed", 200, True, False)
    got = {(c.type, c.count, c.negated) for c in claims("Он не погиб, его ранило.")}
    assert got == {("killed", 1, True), ("wounded", 1, False)}
    (n,) = claims("Никто не погиб.")
    assert n.negated


def test_read_back_on_the_radio_is_one_claim():
    got = kinds(
        "Две минуты назад по нас работал миномёт.",
        "Две минуты назад работали миномёты, разрывы были среди школы, верно?",
        "Две минуты назад работали миномёты, разрывы были среди школы.",
    )
    assert got == [("other", None)]


def test_civilian_context_turns_killing_into_civilian_harm():
    got = kinds("Бабки есть, старые. Там в деревнях в подвале сидят. В Лимане всех просто шли расстреливали.")
    assert got == [("civilian_harm", None)]


def test_timestamps_and_speaker_come_from_the_turn():
    doc = build_document([{"speaker": "B", "start_s": 28.0, "end_s": 40.5, "text": "Сегодня наших 6 трёхсотых."}])
    (c,) = extract_claims(doc)
    assert (c.speaker, c.start_s, c.end_s, c.turn_index) == ("B", 28.0, 40.5, 0)


def test_execution_threat_is_a_claim_even_as_a_condition():
    # synthetic lines in the style of the calls; a plain wish or question stays no claim
    assert kinds("Сказали: либо расстрел, либо воюй.") == [("other", None)]
    assert kinds("Если кто назад побежит, замочим.") == [("other", None)]
    assert kinds("Если бы у нас были танки, было бы легче.") == []
    assert kinds("Кто назад побежит, того расстреляют?") == []


def test_fire_at_us_without_a_weapon_word():
    assert kinds("Свои по нашим въебали сегодня.") == [("other", None)]
    assert kinds("Лупят по нам каждый день.") == [("other", None)]
    assert kinds("Мы по ним стреляли весь день.") == []


def test_a_confirmed_or_echoed_claim_in_the_next_turn_is_one_claim():
    got = claims("Говорил, там у вас кушать нечего.", "Нечего, согласен. Вообще нет еды.")
    assert [(c.type, c.count) for c in got] == [("shortage", None)]
    assert got[0].data.get("repeats")
    # counted claims are not folded across turns: different numbers are different reports
    assert kinds("Сегодня наших 6 трёхсотых.", "Вчера 4 300.") == [("wounded", 6), ("wounded", 4)]


def rules(*texts):
    return [c.data.get("rule") for c in claims(*texts) if c.data.get("rule")]


# recurring phenomena ("other" claims from phrase rules): synthetic sentences, one negative each
@pytest.mark.parametrize(
    "texts, rule",
    [
        (("Раненых никто не вывозит уже два дня.",), "wounded_not_evacuated"),
        (("Трёхсотых бросили прямо в поле.",), "wounded_not_evacuated"),
        (("Куда раненых девают?", "Сами выбираются, как могут."), "wounded_get_out_themselves"),
        (("Двухсотых не забирают, так и валяются.",), "bodies_not_returned"),
        (("Тела родным не отдают.",), "bodies_not_returned"),
        (("Там столько трупов было. Их потом просто в яму скидывают.",), "bodies_dumped"),
        (("К нам заключённых с колонии привезли целый автобус.",), "convicts_brought_in"),
        (("В военкомате матерям сказали, что нас здесь официально нет.",), "official_denial"),
        (("Жене ответили, что мы на учениях.",), "official_denial"),
        (("Командование врёт родным про потери.",), "lying_to_families"),
    ],
)
def test_recurring_phenomena_are_other_claims(texts, rule):
    got = [c for c in claims(*texts) if c.data.get("rule") == rule]
    assert len(got) == 1 and got[0].type == "other" and not got[0].negated


@pytest.mark.parametrize(
    "texts",
    [
        ("Раненых вывезли вечером на машине.",),  # evacuated: no claim
        ("Мы сами вышли из окружения.",),  # getting out, but nobody wounded
        ("Тела отдали родным.",),  # handed over
        ("Ну сидят там и воюют, просто скидывают мусор в яму.",),  # dumping, but no bodies
        ("Зэки тоже люди.",),  # convicts, nobody brought in
        ("Мы на учениях под Брянском, всё нормально.", "Говорят, у нас тут воды нет."),  # no official denial
        ("Моя жена врёт мне постоянно.",),  # lying, not to the families
        ("А раненых вывозят?", "Хоть бы тела отдали родным."),  # a question and a wish
    ],
)
def test_recurring_phenomena_negatives(texts):
    assert rules(*texts) == []


def test_different_phenomena_in_one_turn_are_not_merged():
    got = rules("Зэков привезли с тюрьмы. Раненых никто не вывозит.")
    assert got == ["convicts_brought_in", "wounded_not_evacuated"]
