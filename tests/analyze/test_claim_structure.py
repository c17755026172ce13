"""Structural extraction (issue 13). Every sentence here is SYNTHETIC, written for these tests from
general Russian: none is taken from a transcript or a gold file."""

import pytest

from listeningpost.analyze.stage import analyze_turns
from listeningpost.analyze.themes import ThemeOptions


def run(*texts):
    return analyze_turns([{"speaker": "AB"[i % 2], "text": t} for i, t in enumerate(texts)],
                         ThemeOptions(embeddings=False))


def claims(*texts):
    return [(c["type"], c["count"]) for c in run(*texts)["claims"]]


def entities(*texts):
    return [(e["type"], e["text"]) for e in run(*texts)["entities"]]


# --- claims: predicate class + arguments -----------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("У соседей по семь человек в сутки гибнет.", ("killed", 7)),  # a rate
    ("Из восьмидесяти бойцов осталось двенадцать.", ("killed", 68)),  # from a total, M left
    ("Восемь человек сразу накрылись, всех положило.", ("killed", 8)),
    ("Один ночью во сне умер.", ("killed", 1)),  # non-combat
    ("Сосед по палатке повесился.", ("killed", 1)),
    ("Водителя вчера по пьяни зарезали.", ("killed", 1)),
    ("Его брата домой в цинке отправили.", ("killed", 1)),  # body sent home
    ("Двоих осколками посекло.", ("wounded", 2)),
    ("Девять человек отказались идти.", ("refused_or_deserted", 9)),
    ("Жителей грабят по ночам.", ("civilian_harm", None)),
    ("Баржу с боеприпасами потопили.", ("equipment_lost", None)),
])
def test_claim_from_structure(text, expected):
    assert expected in claims(text)


def test_rate_has_a_period():
    got = run("У соседей по семь человек в сутки гибнет.")["claims"]
    assert got[0]["period"] == "per day" and got[0]["data"]["rate"]


def test_unpaid_is_a_shortage_and_money():
    out = run("Денег нам не платят уже полгода, вообще ничего.")
    assert ("shortage", None) in [(c["type"], c["count"]) for c in out["claims"]]
    assert "money_and_pay" in [t["theme"] for t in out["themes"] if t["turn_index"] is None]


def test_paid_is_no_claim():
    assert claims("Зарплату платят вовремя.") == []


def test_condition_and_negation():
    assert claims("Если нас завтра убьют, кто детей кормить будет?") == []
    got = run("Нет, брат не погиб.")["claims"]
    assert got and got[0]["negated"]


def test_answer_in_the_next_turn():
    assert ("killed", 14) in claims("А у вас сколько погибло за ночь?", "Четырнадцать.")
    assert ("wounded", 30) in claims("Трёхсотых много?", "Человек тридцать.")
    assert claims("Как погода там?", "Двадцать градусов.") == []


# --- entities: morphology and role -----------------------------------------------------------------

def test_vocative_short_names_are_persons():
    got = entities("Жень, ты меня слышишь?", "Да, Тань, слышу.")
    assert ("PERSON", "Жень") in got and ("PERSON", "Тань") in got


def test_pronoun_is_not_a_short_name():
    assert not [e for e in entities("Вас, слышно плохо.") if e[0] == "PERSON"]


def test_girls_name_is_not_a_call_sign():
    got = entities("Оля, я тебе позже перезвоню.")
    assert ("PERSON", "Оля") in got and ("CALLSIGN", "Оля") not in got


def test_post_in_the_singular_is_a_role():
    got = entities("Наводчика нашего ранило.", "Связисты у нас хорошие.")
    assert ("PERSON_ROLE", "Наводчика") in got
    assert not [e for e in got if e[1] == "Связисты"]


def test_interjection_is_not_a_person():
    assert not [e for e in entities("Ёшкин кот, опять связь пропала.") if e[0] == "PERSON"]


def test_weapon_name_is_equipment():
    got = entities("Из пулемёта Дегтярёва стреляли всю ночь.")
    assert ("EQUIPMENT", "Дегтярёва") in got and ("PERSON", "Дегтярёва") not in got


@pytest.mark.parametrize("text", [
    "Телефон у меня сдох совсем.",  # a thing "dies"
    "Связь пропала, перезвоню.",
    "Я от сахара отказался.",  # a refusal of something that is not a duty of war
    "Убить тебя мало, честное слово.",  # an infinitive: no fact
])
def test_no_claim_where_the_structure_says_no_fact(text):
    assert claims(text) == []


def test_total_then_survivors():
    assert ("killed", 90) in claims("Нас было сто двадцать, а вернулось тридцать.")


def test_two_losses_told_in_a_row_stay_two():
    assert claims("Бэху подбили на въезде.", "Да.", "Вертушку нашу сбили.") == [
        ("equipment_lost", None), ("equipment_lost", None)]


@pytest.mark.parametrize("text, expected", [
    ("Девять человек разом положило одной миной.", ("killed", 9)),  # the count of the victims, not the mine
    ("Старшине руку оторвало.", ("wounded", 1)),  # the person in the dative
    ("Из взвода пятеро уцелело, а было тридцать.", ("killed", 25)),
    ("Срочник сам себя застрелил в карауле.", ("killed", 1)),  # by one's own hand
])
def test_arguments_decide(text, expected):
    assert expected in claims(text)


def test_self_harm_is_not_equipment():
    assert [k for k, _ in claims("Контрактник сам себя подорвал гранатой.")] == ["killed"]


def test_jammed_weapon_name_in_quotes_is_equipment():
    assert ("EQUIPMENT", "Корд") in entities("«Корд» опять заклинило.")


def test_code_word_counted_after_it():
    assert ("killed", 15) in claims("Двухсотых у нас человек пятнадцать.")


def test_people_lost_and_not_back():
    assert ("killed", 30) in claims("Потеряли тридцать человек за сутки.")
    got = run("Шесть человек не вернулись с задания.")["claims"]
    assert [(c["type"], c["count"], c["negated"]) for c in got] == [("missing", 6, False)]
    assert claims("Он не вернулся ещё, позже позвонит.") == []
    assert claims("Разведка пропала, третьи сутки нет.") == [("missing", None)]  # a collective, not one


def test_group_nouns_count_and_are_people():
    assert ("killed", 10) in claims("Десяток человек погибло.")
    assert ("killed", 100) in claims("Сотня человек полегла за день.")
    assert ("killed", None) in claims("Сотни людей гибнут.")  # "сотни" is vague


def test_reported_is_hedged():
    got = run("Пишут, что двадцать танков сожгли.")["claims"]
    assert got and got[0]["hedged"]


def test_call_sign_by_role():
    got = entities("Гром, ответь Пятому.", "Передай Вектору, что мы на месте.")
    assert {("CALLSIGN", "Гром"), ("CALLSIGN", "Пятому"), ("CALLSIGN", "Вектору")} <= set(got)
    assert not [e for e in entities("Бабуля, ты как?") if e[0] == "CALLSIGN"]  # kin is not a call sign


def test_negation_stays_in_its_clause():
    got = [(c["type"], c["count"], c["negated"]) for c in run("Двухсотых нет, трёхсотых двое.")["claims"]]
    assert ("killed", None, True) in got and ("wounded", 2, False) in got


def test_heart_gave_out_is_a_death_not_a_negation():
    got = run("У него сердце не выдержало.")["claims"]
    assert [(c["type"], c["negated"]) for c in got] == [("killed", False)]
    assert claims("Я не выдержу больше.") == []


def test_longer_answer_gives_the_count():
    assert claims("Сколько погибло?", "Много, человек тридцать наверное, а может больше.") == [("killed", 30)]


@pytest.mark.parametrize("text, expected", [
    ("Ну там, короче, по два-три человека в сутки двухсотыми уходят.", ("killed", 2)),  # a people count in the clause
    ("Мужик ночью просто не проснулся.", ("killed", 1)),  # negated survive/wake
    ("Бабка одна от холода не проснулась.", ("killed", 1)),  # a civilian dying is no civilian harm
    ("Сына ихнего домой в цинке отправили, матери.", ("killed", 1)),  # a parse with two roots
])
def test_more_structure(text, expected):
    assert expected in claims(text)


def test_weapon_name_needs_a_weapon_cue():
    assert ("EQUIPMENT", "Максим") in entities("Ёпт, Максим опять строчит, нахуй, с пулемёта.")
    assert ("PERSON", "Максим") in entities("Максим работает в штабе, нормально.")


def test_an_animal_dying_is_no_claim():
    assert claims("У нас тут кот сдох, старый был.") == []


@pytest.mark.parametrize("texts, expected", [
    (("Если честно, у нас вчера пятеро погибли.",), [("killed", 5)]),  # an aside, not a condition
    (("Чтоб ты знал, троих положили.",), [("killed", 3)]),  # a collective numeral is people
    (("Если убьют, то всё.",), []),
    (("Хочу, чтобы ты не волновалась.",), []),
])
def test_asides_are_not_conditions(texts, expected):
    assert claims(*texts) == expected


@pytest.mark.parametrize("texts, expected", [
    (("Хотел тебе позвонить, а тут двоих убило.",), [("killed", 2)]),  # a wish verb holds its own clause only
    (("Завтра нас всех убьют.",), []),  # a future is no fact
    (("Если нас накроет, всех положат.",), []),
])
def test_wish_and_future(texts, expected):
    assert claims(*texts) == expected


def test_different_predicates_near_each_other_are_different_events():
    got = claims("Там женщин насиловали, ужас. Мужиков всех забирали к себе.")
    assert got == [("civilian_harm", None), ("civilian_harm", None)]
    assert claims("Пацанов убили. Убили прямо на посту.") == [("killed", None)]  # the same predicate: one event
