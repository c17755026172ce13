"""Read existing transcripts into calls and turns.

Formats: plain text with dash-marked turns (``- ...`` speaker A, ``-- ...`` speaker B, ...; the
Radio-Analyzer chunk headers give start seconds), SRT and WebVTT (with an optional parallel
translation file ``NAME.en.srt``), the Radio-Analyzer JSON of ../shared/data/transcripts/, and the
gold format of ../shared/eval/FORMAT.md (one JSON object, or JSONL with one call per line).

Each format is a :class:`TranscriptFormat` registered with ``@register_format("name")``: a file is
read by the last registered format that lists its extension and whose ``detect`` accepts its text
(so a format added later can claim, by content, files of an extension a built-in one also reads).
Formats living in other modules are imported through ``listeningpost.plugins.TRANSCRIPT_MODULES``.
See docs/extending.md.
"""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from listeningpost.records import ImportedCall, Turn
from listeningpost.registry import Registry

#: extensions some registered format reads (kept up to date by ``register_format``)
TRANSCRIPT_EXTENSIONS: set[str] = set()
MAX_TRANSCRIPT_BYTES = 50 * 1024 * 1024
SPEAKER_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class TranscriptError(Exception):
    """The file is not a transcript we can read; the message says why, for the user."""


# -- text decoding ----------------------------------------------------------------------------
def read_text(path: Path) -> str:
    data = path.read_bytes()
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise TranscriptError(f"transcript too large ({len(data)} bytes; limit {MAX_TRANSCRIPT_BYTES})")
    return decode_text(data)


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional), UTF-16 with BOM, or Windows-1251 when it clearly reads as Cyrillic."""
    if not data.strip():
        raise TranscriptError("empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data:
        raise TranscriptError("binary data, not a text transcript")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("cp1251", errors="replace")
    letters = [c for c in text if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if letters and cyrillic / len(letters) > 0.6 and "\ufffd" not in text:
        return text
    raise TranscriptError("unreadable text encoding (not UTF-8, UTF-16 or Windows-1251)")


def _clean(text: str) -> str:
    # control characters other than newline/tab are never meaningful in a transcript
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    return re.sub(r"[ \t]+", " ", text).strip()


# -- plain text with dashes ---------------------------------------------------------------------
CHUNK_HEADER = re.compile(r"^#+\s*START OF \S+\s*\(\s*([\d:]+)\s*-\s*[\d:]+\s*s?\)\s*#+\s*$", re.I)
OTHER_HEADER = re.compile(r"^#{3,}.*#{3,}$")
DASH_LINE = re.compile(r"^\s*(-{1,6}|[\u2013\u2014])\s*(.*)$")


def _seconds(stamp: str) -> float:
    return float(sum(int(part) * 60 ** i for i, part in enumerate(reversed(stamp.split(":")))))


def parse_dash_text(text: str) -> list[Turn]:
    """Dash-marked turns: the number of leading hyphens is the speaker (``-`` A, ``--`` B, ...).

    Typographic dashes (— / –) mark alternating speakers, as in Russian dialogue. A line without a
    dash continues the previous turn. Text with no dashes at all is one turn of speaker A.
    """
    turns: list[Turn] = []
    chunk_start: float | None = None
    alternate = 0
    for raw in text.splitlines():
        if not (line := raw.strip()):
            continue
        if header := CHUNK_HEADER.match(line):
            chunk_start = _seconds(header.group(1))
            continue
        if OTHER_HEADER.match(line) or set(line) <= set("x#*=_"):
            continue
        dash = DASH_LINE.match(line)
        if dash and dash.group(2):
            marker, body = dash.groups()
            if marker[0] == "-":
                speaker = SPEAKER_LETTERS[min(len(marker), len(SPEAKER_LETTERS)) - 1]
            else:
                speaker = SPEAKER_LETTERS[alternate % 2]
                alternate += 1
            turns.append(Turn(text=_clean(body), speaker=speaker, start=chunk_start))
        elif turns:
            turns[-1].text = _clean(turns[-1].text + " " + line)
        else:
            turns.append(Turn(text=_clean(line), speaker="A" if not dash else None, start=chunk_start))
    if not (turns := [t for t in turns if t.text]):
        raise TranscriptError("no transcript text found")
    return turns


# -- subtitles --------------------------------------------------------------------------------
VOICE_TAG = re.compile(r"^<v(?:\.[^ >]*)?\s+([^>]+)>")
LABEL_PREFIX = re.compile(r"^([A-ZА-ЯЁІЇЄ][\w .'-]{0,24}):\s+(.+)$", re.S)


def _cue_turns(body: str, start: float, end: float, last_speaker: list[str | None]) -> list[Turn]:
    """One cue -> turns. Lines starting with '-' in a cue are two speakers talking (subtitle
    convention); ``<v Name>`` (VTT) and ``NAME: text`` give named speakers."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if len(lines) > 1 and all(line.startswith(("-", "\u2013", "\u2014")) for line in lines):
        return [Turn(text=_strip_tags(_clean(re.sub(r"^[-\u2013\u2014]+\s*", "", line))),
                     speaker=SPEAKER_LETTERS[i % 2], start=start, end=end) for i, line in enumerate(lines)]
    text = _clean(" ".join(lines))
    speaker = None
    if voice := VOICE_TAG.match(text):
        speaker = voice.group(1).strip()
    elif (label := LABEL_PREFIX.match(text)) and len(label.group(1).split()) <= 3:
        speaker, text = label.group(1).strip(), label.group(2)
    text = _strip_tags(text)
    speaker = last_speaker[0] = speaker if speaker is not None else last_speaker[0]
    return [Turn(text=text, speaker=speaker, start=start, end=end)] if text else []


def _strip_tags(text: str) -> str:
    return _clean(re.sub(r"</?[a-zA-Z][^>]*>", "", text))


def _srt_cues(text: str) -> list[tuple[float, float, str]]:
    import srt

    try:
        return [(c.start.total_seconds(), c.end.total_seconds(), c.content) for c in srt.parse(text)]
    except (srt.SRTParseError, ValueError) as exc:
        raise TranscriptError(f"invalid SRT: {exc}") from exc


def _vtt_cues(text: str) -> list[tuple[float, float, str]]:
    import webvtt

    try:
        captions = webvtt.from_buffer(io.StringIO(text))
    except Exception as exc:  # webvtt raises its own MalformedFileError/-CaptionError types
        raise TranscriptError(f"invalid WebVTT: {exc}") from exc
    return [(c.start_time.in_milliseconds() / 1000, c.end_time.in_milliseconds() / 1000, c.raw_text) for c in captions]


def parse_subtitles(text: str, kind: str) -> list[Turn]:
    cues = _srt_cues(text) if kind == "srt" else _vtt_cues(text)
    last: list[str | None] = [None]  # the speaker of the cue before, for cues that name none
    turns = [turn for start, end, body in cues for turn in _cue_turns(body, start, end, last)]
    if not turns:
        raise TranscriptError(f"no subtitle cues in the {kind.upper()} file")
    _letter_speakers(turns)
    return turns


def _letter_speakers(turns: list[Turn]) -> None:
    """Named speakers keep their name in data; the label becomes A, B, ... (per call)."""
    names: dict[str, str] = {}
    for t in turns:
        if t.speaker and t.speaker not in SPEAKER_LETTERS:
            letter = names.setdefault(t.speaker, SPEAKER_LETTERS[len(names) % 26])
            t.data["speaker_name"] = t.speaker
            t.speaker = letter


def attach_parallel_translation(turns: list[Turn], other: list[Turn], lang: str) -> bool:
    """Attach a parallel subtitle file's text as the human translation, cue by cue."""
    if len(other) != len(turns):
        return False
    for t, o in zip(turns, other):
        t.translations[lang] = o.text
    return True


# -- JSON formats -------------------------------------------------------------------------------
def _iso_date(value: Any) -> str | None:
    if not value:
        return None
    text = str(value).strip()
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text):
        d, mo, y = map(int, m.groups())
        return date(y, mo, d).isoformat()
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}).*", text):
        return date(*map(int, m.groups())).isoformat()
    return text


def _turns_from_json(items: list[dict], translations: dict[str, list | None]) -> list[Turn]:
    turns = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise TranscriptError(f"turn {i} is not an object")
        if (text := item.get("text")) is None:
            continue  # speech whose words are unknown (DER-only gold)
        turn = Turn(text=_clean(str(text)), speaker=item.get("speaker"),
                    start=item.get("start", item.get("start_s")), end=item.get("end", item.get("end_s")))
        for lang, parallel in translations.items():
            if parallel and i < len(parallel) and parallel[i]:
                value = parallel[i]
                turn.translations[lang] = _clean(value["text"] if isinstance(value, dict) else str(value))
        turns.append(turn)
    return turns


def call_from_json(obj: dict) -> ImportedCall:
    if not isinstance(obj, dict) or not isinstance(obj.get("turns"), list):
        raise TranscriptError("JSON has no 'turns' list (expected the Radio-Analyzer or eval FORMAT layout)")
    translations: dict[str, list | None] = {}
    if isinstance(obj.get("translation_en"), list):
        translations["en"] = obj["translation_en"]
    for key, lang in (("turns_english", "en"), ("turns_german", "de")):
        if isinstance(obj.get(key), list) and len(obj[key]) == len(obj["turns"]):
            translations.setdefault(lang, obj[key])
    if not (turns := _turns_from_json(obj["turns"], translations)):
        raise TranscriptError("the transcript has no turns with text")
    meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
    provenance = {
        "source_url": meta.get("source_url") or obj.get("source_url"),
        "published_date": _iso_date(meta.get("upload_date") or obj.get("published_date")),
        "title": meta.get("title_original") or obj.get("title"),
        "language": obj.get("lang"),
    }
    extra = {k: obj[k] for k in ("source", "duplicate_of", "possible_duplicate_of", "duplicate_note") if obj.get(k)}
    if meta:
        extra["meta"] = meta
    return ImportedCall(turns=turns, external_id=obj.get("id"), title=provenance["title"],
                        category=obj.get("category") or meta.get("category"), language=obj.get("lang"),
                        provenance={k: v for k, v in provenance.items() if v}, extra=extra)


def parse_json(text: str, jsonl: bool) -> list[ImportedCall]:
    try:
        if jsonl:
            objects = [json.loads(line) for line in text.splitlines() if line.strip()]
        else:
            loaded = json.loads(text)
            objects = loaded if isinstance(loaded, list) else [loaded]
    except json.JSONDecodeError as exc:
        raise TranscriptError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not objects:
        raise TranscriptError("no calls in the JSON file")
    return [call_from_json(obj) for obj in objects]


# -- entry point --------------------------------------------------------------------------------
def parallel_translation_file(path: Path) -> tuple[Path, str] | None:
    """``call.srt`` -> (``call.en.srt``, 'en') when such a file lies next to it."""
    for lang in ("en", "eng", "de", "uk"):
        candidate = path.with_name(f"{path.stem}.{lang}{path.suffix}")
        try:
            if candidate.exists():
                return candidate, lang[:2]
        except OSError:  # name too long: no such file
            continue
    return None


def is_parallel_translation(path: Path) -> bool:
    """``call.en.srt`` next to ``call.srt``: read as the translation of that file, not on its own."""
    stem = Path(path.stem)
    return path.suffix.lower() in {".srt", ".vtt"} and stem.suffix.lower() in {".en", ".eng", ".de", ".uk"} and (
        path.with_name(stem.stem + path.suffix).exists()
    )


class TranscriptFormat(Protocol):
    #: the registered name (set by ``register_format``)
    name: str
    #: file extensions it reads, lower case with the dot (".txt")
    extensions: tuple[str, ...]

    def detect(self, path: Path, text: str) -> bool:
        """Whether ``text`` (the decoded file, its extension already matched) is in this format."""

    def parse(self, path: Path, text: str) -> tuple[str, list[ImportedCall]]:
        """(format name recorded for the source, calls); raise :class:`TranscriptError` with a
        message for the user when the file cannot be read."""


FORMATS = Registry("transcript format", plugins="TRANSCRIPT_MODULES", instantiate=True,
                   on_register=lambda fmt: TRANSCRIPT_EXTENSIONS.update(e.lower() for e in fmt.extensions))
#: class decorator: ``@register_format("name")`` registers an instance of the class as transcript format ``name``
register_format = FORMATS.register
load_format_plugins = FORMATS.load_plugins


def transcript_extensions() -> set[str]:
    """Extensions read as transcripts (every registered format's)."""
    load_format_plugins()
    return set(TRANSCRIPT_EXTENSIONS)


class _ByExtension:
    """A built-in format reads every file of its extensions (a plugin format may claim some by content)."""

    def detect(self, path: Path, text: str) -> bool:
        return True


@register_format("text")
class DashTextFormat(_ByExtension):
    extensions = (".txt",)

    def parse(self, path: Path, text: str) -> tuple[str, list[ImportedCall]]:
        return "text", [ImportedCall(turns=parse_dash_text(text))]


@register_format("subtitles")
class SubtitleFormat(_ByExtension):
    extensions = (".srt", ".vtt")

    def parse(self, path: Path, text: str) -> tuple[str, list[ImportedCall]]:
        kind = path.suffix.lower()[1:]
        turns = parse_subtitles(text, kind)
        if parallel := parallel_translation_file(path):
            attach_parallel_translation(turns, parse_subtitles(read_text(parallel[0]), kind), parallel[1])
        return kind, [ImportedCall(turns=turns)]


@register_format("json")
class JsonFormat(_ByExtension):
    extensions = (".json", ".jsonl")

    def parse(self, path: Path, text: str) -> tuple[str, list[ImportedCall]]:
        calls = parse_json(text, jsonl=path.suffix.lower() == ".jsonl")
        fmt = "json-radio-analyzer" if any(c.extra.get("meta") for c in calls) else "json-eval"
        return fmt, calls


def parse_transcript(path: Path) -> tuple[str, list[ImportedCall]]:
    """Returns (format name, calls): the file read by the last registered format that lists its
    extension and whose ``detect`` accepts its text."""
    load_format_plugins()
    suffix = path.suffix.lower()
    text = read_text(path)
    if not (candidates := [f for f in reversed(list(FORMATS.values())) if suffix in f.extensions]):
        raise TranscriptError(f"unsupported transcript type {suffix or '(no extension)'}")
    for fmt in candidates:
        if fmt.detect(path, text):
            return fmt.parse(path, text)
    raise TranscriptError(f"not a {' or '.join(f.name for f in candidates)} transcript")
