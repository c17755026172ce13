"""Entity layers on real intercept phrasing (dev transcripts) and clearly synthetic sentences."""

import json

import pytest
from conftest import EVAL, need_shared

from listeningpost.analyze.document import build_document
from listeningpost.analyze.entities import extract_entities, translit
from listeningpost.evaluation.extraction import score_entities


def ents(*texts, natasha=True):
    doc = build_document([{"text": t, "speaker": "A"} for t in texts])
    extract_entities(doc, use_natasha=natasha)
    return doc, {(e.type, e.text): e for e in doc.entities}


def test_casualty_codes_every_inflection_and_not_numbers():
    _, found = ents("Направить своих 200-ых и 300-ых в район.", "Сегодня наших 6 трёхсотых. Вчера 4 300.",
                    "Двухсотые есть, груз 200 отправили.", natasha=False)
    for text in ("200-ых", "300-ых", "трёхсотых", "Двухсотые"):
        assert found[("CASUALTY_CODE", text)]
    assert found[("CASUALTY_CODE", "300-ых")].norm == 'wounded ("300")'
    assert found[("CASUALTY_CODE", "Двухсотые")].norm == 'killed ("200")'
    assert ("CASUALTY_CODE", "300") in found  # bare code right after a count
    assert any(t == "CASUALTY_CODE" and "груз" in s for t, s in found)


def test_units():
    _, found = ents("У нас весь батальон положили.", "Было принято решение убрать первое хозяйство.",
                    "Он служил в в/ч 12345, потом ушёл в ЧВК \"Вагнер\".", "Ёб твою дивизию!", natasha=False)
    assert found[("UNIT", "батальон")].norm == "battalion (speaker's)"
    assert found[("UNIT", "первое хозяйство")].norm.startswith("1st")
    assert found[("UNIT", "в/ч 12345")].norm == "military unit 12345"
    assert any(t == "UNIT" and "Вагнер" in s and e.norm == "Wagner Group" for (t, s), e in found.items())
    assert not any("дивизию" in s for _, s in found)  # an oath is not a unit


def test_person_roles():
    _, found = ents("Комбригу прилетело, командующий бригады.", "У нас полковника, командира батальона положили.",
                    natasha=False)
    assert found[("PERSON_ROLE", "Комбригу")].norm == "brigade commander"
    assert found[("PERSON_ROLE", "командира батальона")].norm == "battalion commander"
    assert found[("PERSON_ROLE", "командующий бригады")].norm == "brigade commander"
    assert ("UNIT", "батальона") not in found


def test_callsigns_quoted_addressed_and_coded():
    _, found = ents('"Буран-30", я "Юг-95". Передать "Лампасу".', "Шестой, Шестой, я Первый, приём.",
                    "93-9-6-6, как приняли?", 'Я "Рысь". "Рысь", я "Кот". Приём.', natasha=False)
    assert found[("CALLSIGN", "Буран-30")].norm == "Buran-30"
    assert found[("CALLSIGN", "Лампасу")].norm == "Lampas"
    assert ("CALLSIGN", "Шестой") in found and ("CALLSIGN", "Первый") in found
    assert ("CALLSIGN", "93-9-6-6") in found
    assert not any(s.lower() == "приём" for _, s in found)


def test_equipment_incl_slang_and_case_rules():
    _, found = ents('На вертушке отправили. Как начали "Грады". Птичка считала. Это БУК.',
                    "Точка-У прилетела, птур и миномёты работали.", "Пошёл град, потом бук зацвёл.", natasha=False)
    assert found[("EQUIPMENT", "вертушке")].norm == "helicopter"
    assert found[("EQUIPMENT", "Грады")].norm == "BM-21 Grad MLRS"
    assert found[("EQUIPMENT", "Точка-У")].norm == "Tochka-U ballistic missile"
    assert ("EQUIPMENT", "БУК") in found and ("EQUIPMENT", "птур") in found
    assert ("EQUIPMENT", "Птичка") in found and ("EQUIPMENT", "миномёты") in found
    assert ("EQUIPMENT", "град") not in found and ("EQUIPMENT", "бук") not in found  # hail, beech


def test_dates():
    _, found = ents("Две минуты назад по нас работал миномёт.", "Вы там стоите трое суток.",
                    "Я сёдня... [=сегодня] смотрел, это за два месяца.", "В пять утра начали. Минут сорок петушили.",
                    "Это было с 14-го по 15-е, а 23 февраля праздник.", "Каждый день бомбят.", natasha=False)
    assert found[("DATE", "Две минуты назад")].norm == "2 minutes ago"
    assert ("DATE", "трое суток") in found and ("DATE", "два месяца") in found
    assert found[("DATE", "сёдня")].norm == "today"  # the note is read, the original surface kept
    assert ("DATE", "В пять утра") in found and ("DATE", "Минут сорок") in found
    assert ("DATE", "с 14-го по 15-е") in found and found[("DATE", "23 февраля")].norm == "23 February"
    assert not any("день" in s for t, s in found if t == "DATE")


def test_people_places_orgs_with_natasha_filtered():
    _, found = ents("Это просто пизда, Лёха, была вообще.", "Ну набери Володьке, скажи.",
                    "Тут разъёбаны посты ДПС. Мы когда Лиман сдавали, в Торском всех повырезали.")
    assert found[("PERSON", "Лёха")].norm == "Lekha"
    assert ("PERSON", "Володьке") in found
    assert not any(t == "PERSON" and s == "пизда" for t, s in found)
    assert found[("ORG", "ДПС")]
    lyman = found[("PLACE", "Лиман")]
    assert lyman.norm == "Lyman" and abs(lyman.lat - 48.99) < 0.2
    assert ("PLACE", "Торском") in found


def test_offsets_point_into_original_text():
    doc, _ = ents("Чо [=Что] там? Я сёдня... [=сегодня] видел \"Грады\" под Бахмутом.")
    for e in doc.entities:
        assert doc.turns[e.turn_index].text[e.start_char:e.end_char] == e.text
    assert {e.text for e in doc.entities} >= {"сёдня", "Грады", "Бахмутом"}


def test_translit():
    assert translit("Буран") == "Buran" and translit("шестой") == "shestoy"


def test_dev_gold_entity_f1():
    """The whole extractor on the real hand-annotated dev intercepts (gold turns as input)."""
    path = need_shared(EVAL / "dev_gold.jsonl")
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        doc = build_document([t for t in item["turns"] if t.get("text")])
        extract_entities(doc)
        pairs.append((item, {"entities": [{"type": e.type, "text": e.text} for e in doc.entities]}))
    result = score_entities(pairs)
    assert result["f1"] >= 0.85, result["per_type"]


def test_scorer_rules():
    gold = {"id": "x", "entities": [{"type": "PLACE", "text": "на Днепре"}, {"type": "DATE", "text": "сегодня"},
                                    {"type": "DATE", "text": "вчера"}]}
    doc = {"entities": [{"type": "PLACE", "text": "Днепр"}, {"type": "DATE", "text": "Сегодня"},
                        {"type": "DATE", "text": "сегодня"}, {"type": "PLACE", "text": "вчера"},
                        {"type": "DATE", "text": "завтра", "status": "rejected"}]}
    r = score_entities([(gold, doc)])
    # Днепр~на Днепре (Jaccard 1/2), сегодня once (same surface), вчера typed PLACE does not match
    assert r["per_type"]["PLACE"]["precision"] == 0.5 and r["per_type"]["DATE"]["recall"] == 0.5
    assert r["precision"] == pytest.approx(2 / 3, abs=1e-3) and r["recall"] == pytest.approx(2 / 3, abs=1e-3)


def test_town_adjectives_are_places_but_nationalities_are_not():
    # synthetic: relational adjectives of towns name where people come from
    _, found = ents("Мёртвых полно: и липецких, и харьковских, и мариупольских ребят.",
                    "Украинских баб не трогать, русских тоже.", natasha=False)
    assert found[("PLACE", "липецких")].norm == "Lipetsk"
    assert found[("PLACE", "харьковских")].norm == "Kharkiv"
    assert found[("PLACE", "мариупольских")].norm == "Mariupol"
    assert not any(s in ("Украинских", "русских") for _, s in found)


def test_unit_owned_through_u_nas_and_new_lexicon_entries():
    # synthetic sentences in the style of the calls
    _, found = ents("У нас в роте нету даже бронетехники, а у них в батальоне всё есть.",
                    "Сегодня с утра опять прилетело, вчера вечером тоже.",
                    "Сзади стоит заградотряд. БК дают меньше, одни минки.", natasha=False)
    assert found[("UNIT", "роте")].norm == "company (speaker's)"
    assert found[("UNIT", "батальоне")].norm == "battalion"
    assert found[("EQUIPMENT", "бронетехники")].norm == "armoured vehicles"
    assert found[("DATE", "Сегодня с утра")].norm == "this morning"
    assert found[("DATE", "вчера вечером")].norm == "yesterday evening"
    assert found[("UNIT", "заградотряд")].norm == "blocking detachment"
    assert found[("EQUIPMENT", "БК")]
    assert found[("EQUIPMENT", "минки")]


def test_deputy_commander_roles():
    _, found = ents("Приказал замкомбата, блядь, отбить обратно позиции, а замкомполка молчит.", natasha=False)
    assert found[("PERSON_ROLE", "замкомбата")].norm == "deputy battalion commander"
    assert found[("PERSON_ROLE", "замкомполка")].norm == "deputy regiment commander"
