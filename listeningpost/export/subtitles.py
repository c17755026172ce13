"""SRT and WebVTT subtitles of one call, from word timestamps.

Rules (those of broadcast subtitling): a line holds at most 42 characters, a language block at most
2 lines, a cue lasts 1-7 s. Bilingual cues put the original above and the English below (in
italics); the English of a turn has no word times, so it is shared out over the turn's cues in
proportion to the original text each cue carries. Turns without words (imported transcripts) are
timed by spreading their words evenly over the turn; those with no start time are left out.
"""

from __future__ import annotations

import html
import io
import re
import textwrap
from dataclasses import dataclass
from datetime import timedelta
from itertools import accumulate
from typing import Any

import srt
import webvtt

MAX_LINE = 42
MAX_LINES = 2
MIN_DUR = 1.0
MAX_DUR = 7.0
_GLUED = re.compile(r"^(?:-\w|[,.!?:;»)\]…])")
#: a turn's guessed length per character when neither its end nor the next start is known
SECONDS_PER_CHAR = 0.07


@dataclass
class SubtitleOptions:
    lang: str = "both"  # orig | en | both
    speakers: bool = False
    max_line: int = MAX_LINE


@dataclass
class Cue:
    start: float
    end: float
    orig: str
    en: str = ""
    speaker: str | None = None
    turn: int | None = None


def english_of(turn: dict[str, Any]) -> str:
    """The turn's English: an analyst-edited or human translation first, then a machine one."""
    best = min((t for t in turn["translations"] if t["lang"] == "en"),
               key=lambda t: (not t["edited"], t["machine"]), default=None)
    return best["text"] if best else ""


def turn_windows(turns: list[dict[str, Any]]) -> list[tuple[float, float] | None]:
    """(start, end) of each turn. Imported transcripts give only the start of the 28-s chunk a turn
    begins in, so turns sharing a start split the time to the next start by their text length."""
    out: list[tuple[float, float] | None] = [None] * len(turns)
    i = 0
    while i < len(turns):
        start = turns[i]["start"]
        if start is None:
            i += 1
            continue
        j = i + 1
        while j < len(turns) and turns[j]["start"] == start and turns[j]["end"] is None and turns[i]["end"] is None:
            j += 1
        group = turns[i:j]
        end = group[-1]["end"]
        if end is None:
            nxt = next((t["start"] for t in turns[j:] if t["start"] is not None and t["start"] > start), None)
            end = nxt if nxt is not None else start + SECONDS_PER_CHAR * sum(len(t["text"]) for t in group)
        out[i:j] = _spread(float(start), float(end), [len(t["text"]) + 1 for t in group])
        i = j
    return out


def _spread(start: float, end: float, weights: list[int]) -> list[tuple[float, float]]:
    """The window cut into consecutive (start, end) spans as long as their weights."""
    total = sum(weights) or 1
    durations = [(end - start) * w / total for w in weights]
    return [(pos, pos + d) for pos, d in zip(accumulate(durations, initial=start), durations)]


def timed_words(turn: dict[str, Any], window: tuple[float, float] | None) -> list[dict[str, Any]]:
    """The turn's timed words; without word times, its words spread evenly over its window."""
    words = [w for w in turn["words"] if w["start"] is not None and w["end"] is not None and w["text"].strip()]
    if words:
        out: list[dict[str, Any]] = []
        for w in words:
            text = w["text"].strip()
            if out and _GLUED.match(text):  # Whisper splits "все -таки", "59 -м": one word on screen
                out[-1]["text"] += text
                out[-1]["end"] = float(w["end"])
            else:
                out.append({"text": text, "start": float(w["start"]), "end": float(w["end"])})
        return out
    if window is None:
        return []
    tokens = turn["text"].split()
    spans = _spread(*window, [len(t) + 1 for t in tokens])
    return [{"text": t, "start": a, "end": b} for t, (a, b) in zip(tokens, spans)]


def orig_lines(opts: SubtitleOptions) -> int:
    """Lines the original may take: one when bilingual, so a cue stays at 2-3 lines on screen."""
    return 1 if opts.lang == "both" else MAX_LINES


def build_cues(doc: dict[str, Any], opts: SubtitleOptions) -> list[Cue]:
    cues: list[Cue] = []
    width = opts.max_line
    turns = doc["turns"]
    lines = orig_lines(opts)
    for turn, window in zip(turns, turn_windows(turns)):
        words = timed_words(turn, window)
        if not words:
            continue
        english = english_of(turn) if opts.lang in ("en", "both") else ""
        ratio = len(english) / (sum(len(w["text"]) + 1 for w in words)) if english else 0.0
        label = f"{turn['speaker']}: " if opts.speakers and turn["speaker"] else ""
        groups: list[list[dict]] = []
        cur: list[dict] = []
        for w in words:
            trial = (label if not groups else "") + " ".join(x["text"] for x in cur + [w])
            ok_orig = opts.lang == "en" or len(textwrap.wrap(trial, width, break_long_words=True)) <= lines
            ok_en = not english or len(trial) * ratio <= width * lines - 4
            ok_dur = w["end"] - (cur[0]["start"] if cur else w["start"]) <= MAX_DUR
            if cur and not (ok_orig and ok_en and ok_dur):
                groups.append(cur)
                cur = []
            cur.append(w)
        if cur:
            groups.append(cur)
        en_parts = _share(english, [sum(len(w["text"]) + 1 for w in g) for g in groups])
        for k, (g, en) in enumerate(zip(groups, en_parts)):
            cue = Cue(g[0]["start"], g[-1]["end"], " ".join(w["text"] for w in g), en,
                      turn["speaker"] if k == 0 and label else None, turn["id"])
            cues += _split_long(cue, opts)
    cues.sort(key=lambda c: (c.start, c.end))
    return _fix_durations(cues, opts)


def _too_long(cue: Cue, opts: SubtitleOptions) -> bool:
    orig, en = cue_lines(cue, opts)
    return len(orig) > orig_lines(opts) or len(en) > MAX_LINES


def _split_long(cue: Cue, opts: SubtitleOptions) -> list[Cue]:
    """Halve a cue (text and time) until each language block fits its lines."""
    ow, ew = cue.orig.split(), cue.en.split()
    if not _too_long(cue, opts) or (len(ow) < 2 and len(ew) < 2):
        return [cue]
    oh, eh = (len(ow) + 1) // 2, (len(ew) + 1) // 2
    left = " ".join(ow[:oh]) if opts.lang != "en" else ""
    share = (len(left) / max(len(cue.orig), 1)) if opts.lang != "en" else eh / max(len(ew), 1)
    mid = cue.start + (cue.end - cue.start) * share
    a = Cue(cue.start, mid, " ".join(ow[:oh]), " ".join(ew[:eh]), cue.speaker, cue.turn)
    b = Cue(mid, cue.end, " ".join(ow[oh:]), " ".join(ew[eh:]), None, cue.turn)
    return _split_long(a, opts) + _split_long(b, opts)


def _share(text: str, weights: list[int]) -> list[str]:
    """Split ``text`` at word boundaries into len(weights) parts proportional to the weights."""
    if not text:
        return [""] * len(weights)
    words = text.split()
    total = sum(weights) or 1
    ends = [len(words) if k == len(weights) - 1 else round(len(words) * acc / total)
            for k, acc in enumerate(accumulate(weights))]
    cuts = list(accumulate(ends, max, initial=0))  # a part never starts before the one before it ends
    return [" ".join(words[a:b]) for a, b in zip(cuts, cuts[1:])]


def _fix_durations(cues: list[Cue], opts: SubtitleOptions) -> list[Cue]:
    """Bring every cue to 1-7 s: lengthen a short one into the silence after or before it, else merge
    it with a neighbour of the same turn, else take the time from a neighbour that can spare it;
    as a last resort it overlaps the next cue (players stack overlapping cues)."""
    out: list[Cue] = []
    for i, c in enumerate(cues):
        nxt = cues[i + 1] if i + 1 < len(cues) else None
        c.end = min(c.end, c.start + MAX_DUR)
        if _short(c):
            c.end = max(c.end, min(c.start + MIN_DUR, nxt.start if nxt else c.start + MIN_DUR))
        if _short(c) and out:
            c.start = max(min(c.start, c.end - MIN_DUR), out[-1].end)
        if _short(c) and out and _mergeable(out[-1], c, opts):
            prev = out[-1]
            prev.orig, prev.en, prev.end = f"{prev.orig} {c.orig}", f"{prev.en} {c.en}".strip(), c.end
            continue
        if _short(c) and nxt and _mergeable(c, nxt, opts):
            nxt.start, nxt.speaker = c.start, c.speaker or nxt.speaker
            nxt.orig, nxt.en = f"{c.orig} {nxt.orig}", f"{c.en} {nxt.en}".strip()
            continue
        need = MIN_DUR - (c.end - c.start)
        if need > 0 and nxt and nxt.end - max(nxt.start, c.end + need) >= MIN_DUR:
            c.end += need
            nxt.start = max(nxt.start, c.end)
        elif need > 0 and out and min(out[-1].end, c.start - need) - out[-1].start >= MIN_DUR:
            c.start -= need
            out[-1].end = min(out[-1].end, c.start)
        elif need > 0:
            c.end = c.start + MIN_DUR
        out.append(c)
    return out


def _short(c: Cue) -> bool:
    return c.end - c.start < MIN_DUR


def _mergeable(a: Cue, b: Cue, opts: SubtitleOptions) -> bool:
    merged = Cue(a.start, b.end, f"{a.orig} {b.orig}", f"{a.en} {b.en}".strip(), a.speaker, a.turn)
    return a.turn == b.turn and b.end - a.start <= MAX_DUR and not _too_long(merged, opts)


def cue_lines(cue: Cue, opts: SubtitleOptions) -> tuple[list[str], list[str]]:
    """(original lines, English lines) of a cue, wrapped."""
    prefix = f"{cue.speaker}: " if cue.speaker else ""
    orig = textwrap.wrap(prefix + cue.orig, opts.max_line, break_long_words=True) if opts.lang != "en" else []
    en = textwrap.wrap((prefix if opts.lang == "en" else "") + cue.en, opts.max_line, break_long_words=True)
    return orig, en


def cue_text(cue: Cue, opts: SubtitleOptions, markup: bool = True) -> str:
    orig, en = cue_lines(cue, opts)
    if opts.lang == "both" and markup:  # WebVTT/SRT renderers read < and & as markup
        en = [f"<i>{html.escape(line, quote=False)}</i>" for line in en]
        orig = [html.escape(line, quote=False) for line in orig]
    return "\n".join(orig + en)


def _timed_texts(doc: dict[str, Any], opts: SubtitleOptions) -> list[tuple[timedelta, timedelta, str]]:
    """(start, end, text) of every cue that shows some text, times rounded to the millisecond."""
    cues = [(c, cue_text(c, opts)) for c in build_cues(doc, opts)]
    return [(_td(c.start), _td(c.end), text) for c, text in cues if text.strip()]


def _td(seconds: float) -> timedelta:
    return timedelta(milliseconds=round(seconds * 1000))


def to_srt(doc: dict[str, Any], opts: SubtitleOptions) -> str:
    subs = [srt.Subtitle(i, *cue) for i, cue in enumerate(_timed_texts(doc, opts), 1)]
    return srt.compose(subs, reindex=True)


def to_vtt(doc: dict[str, Any], opts: SubtitleOptions) -> str:
    vtt = webvtt.WebVTT()
    for start, end, text in _timed_texts(doc, opts):
        stamps = (srt.timedelta_to_srt_timestamp(t).replace(",", ".") for t in (start, end))
        vtt.captions.append(webvtt.Caption(*stamps, text))
    buf = io.StringIO()
    vtt.write(buf)
    return re.sub(r"\n{3,}", "\n\n", buf.getvalue())
