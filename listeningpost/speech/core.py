"""The speech pipeline for one recording: decode -> VAD -> ASR -> language ID -> diarization -> turns.

Audio is streamed in windows (default 10 min) cut at pauses, so memory stays bounded for
recordings of any length; only words and speaker embeddings (a few KB per minute) accumulate.
Times of turns and words are seconds from the start of the call (``start_s`` inside the source;
0 for a whole file), as every stage reads them.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from itertools import groupby
from pathlib import Path
from typing import Any, Callable

import numpy as np

from listeningpost.audio import SAMPLE_RATE, AudioError, check_complete, is_true_stereo, stream_blocks
from listeningpost.intervals import union
from listeningpost.records import Turn, Word
from listeningpost.speech import diarize, vad
from listeningpost.speech.asr import AsrOptions, AsrSegment, AsrWord, clean_segments, make_engine
from listeningpost.speech.vad import ActivityConfig


@dataclass
class SpeechOptions:
    asr: AsrOptions = field(default_factory=AsrOptions)
    vad: vad.VadConfig = field(default_factory=vad.VadConfig)
    diarize: diarize.DiarizeConfig = field(default_factory=diarize.DiarizeConfig)
    activity: ActivityConfig = field(default_factory=ActivityConfig)
    window_s: float = 600.0          # streaming window; cut at a pause
    max_turn_gap_s: float = 2.0      # a pause this long starts a new turn of the same speaker
    #: a pause shorter than this between two speakers is shared between their turns at its middle
    #: (turns are contiguous in a conversation, and in noisy audio the VAD finds both the end of one
    #: turn and the start of the next late or early; 0 keeps bare speech bounds)
    hold_floor_s: float = 2.5
    #: speech the recogniser returned no words for still counts as its speaker's time (an empty,
    #: low-confidence turn when it stands alone, so the analyst knows to listen there)
    min_untranscribed_s: float = 0.5
    #: mono: inside one VAD speech span, a speaker's run of words shorter than this at the span's
    #: edge, or between two runs of the other voice, joins its neighbour (speakers change at pauses;
    #: the 1.6 s embedding windows blur the words next to a change)
    min_speaker_run_s: float = 1.5
    low_turn_logprob: float = -1.0   # turns below this avg log-prob are marked low-confidence
    #: mono: when energy activity covers this share of the VAD speech, the recording is quiet
    #: between takes (gated, edited, or clean) and turn bounds follow the activity regions
    reliable_activity: float = 0.9

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SpeechOptions":
        asr = {key: tuple(value) if key in ("languages", "temperatures") else value
               for key, value in data.get("asr", {}).items()}
        parts = {"vad": vad.VadConfig, "diarize": diarize.DiarizeConfig, "activity": ActivityConfig}
        return cls(asr=AsrOptions(**asr),
                   **{k: parts[k](**v) if k in parts else v for k, v in data.items() if k != "asr"})


@dataclass
class SpeechResult:
    turns: list[Turn]
    duration_s: float
    speech_s: float
    language: str | None            # ru, uk, mixed, other, or None without speech
    stereo: bool
    speakers: list[str]


@dataclass
class _Word:
    word: AsrWord
    segment: AsrSegment
    speaker: int = 0


def transcribe(path: str | Path, options: SpeechOptions | None = None,
               start_s: float | None = None, end_s: float | None = None) -> list[Turn]:
    """Transcribe one recording into speaker turns with word timestamps.

    ``path``: any audio/video PyAV decodes. ``options``: :class:`SpeechOptions` (default: Whisper
    base int8 on CPU, beam 5, batched, ru/uk language ID, two speakers). ``start_s``/``end_s``
    delimit a call inside a longer source. Raises :class:`AudioError` for media that cannot be
    decoded (corrupt or truncated). See :func:`run` for duration, language and speaker summary."""
    return run(path, options, start_s, end_s).turns


def run(path: str | Path, options: SpeechOptions | None = None,
        start_s: float | None = None, end_s: float | None = None) -> SpeechResult:
    options = options or SpeechOptions()
    engine = make_engine(options.asr)
    window = int(options.window_s * SAMPLE_RATE)
    words: list[_Word] = []
    speech_regions: list[tuple[float, float]] = []
    channel_regions: list[list[tuple[float, float]]] = [[], []]
    activity: list[tuple[float, float]] = []  # mono signal presence (energy above the floor)
    windows = diarize.SpeakerWindows()
    unvoiced = diarize.SpeakerWindows()
    buffer = np.zeros((1, 0), dtype=np.float32)
    consumed = 0
    speech = 0
    stereo: bool | None = None

    def process(final: bool) -> int:
        nonlocal speech, stereo
        mono = buffer.mean(axis=0) if buffer.shape[0] > 1 else buffer[0]
        if stereo is None:
            stereo = is_true_stereo(buffer)
        spans = vad.speech_spans(mono, options.vad)
        cut = len(mono) if final else vad.last_pause(spans, len(mono), min_keep=len(mono) // 2)
        spans = [(s, min(e, cut)) for s, e in spans if s < cut]
        speech += sum(e - s for s, e in spans)
        offset = consumed / SAMPLE_RATE
        speech_regions.extend((offset + s / SAMPLE_RATE, offset + e / SAMPLE_RATE) for s, e in spans)
        embedding = None
        if not stereo:
            regions = vad.activity_regions(mono[None, :cut], options.activity)[0]
            activity.extend((offset + a, offset + b) for a, b in regions)
            if options.diarize.speakers != 1:
                # speaker embeddings (numpy, one thread) need only the VAD spans: computed beside
                # the recogniser, they fill its idle moments instead of adding their time after it
                embedding = background.submit(_embed_voices, windows, unvoiced, mono[:cut], spans, regions, offset,
                                              options.diarize.hop_s)
        segments = clean_segments(engine.transcribe_clips(vad.gate(mono[:cut], spans), vad.group_clips(spans)), options.asr)
        if embedding is not None:
            embedding.result()
        new = [_Word(w, seg) for seg in segments for w in seg.words]
        new += _untranscribed(spans, new, options.min_untranscribed_s)
        if stereo:
            spans_w = [(int(w.word.start * SAMPLE_RATE), int(w.word.end * SAMPLE_RATE)) for w in new]
            for item, channel in zip(new, diarize.channel_of_words(buffer[:, :cut], spans_w)):
                item.speaker = int(channel)
            for c, regions in enumerate(vad.activity_regions(buffer[:2, :cut], options.activity)):
                channel_regions[c].extend((offset + a, offset + b) for a, b in regions)
        for item in new:  # times from the start of the window -> from the start of the call
            item.word = replace(item.word, start=round(item.word.start + offset, 3),
                                end=round(item.word.end + offset, 3))
        words.extend(new)
        return cut

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="lpost-voices") as background:
        for block in stream_blocks(path, start_s, end_s, block_s=min(60.0, options.window_s)):
            buffer = block if buffer.shape[1] == 0 else np.concatenate([buffer, block], axis=1)
            if buffer.shape[1] >= window:
                cut = process(final=False)
                buffer, consumed = buffer[:, cut:], consumed + cut
        if buffer.shape[1]:
            consumed += process(final=True)
    duration = consumed / SAMPLE_RATE
    check_complete(path, duration, start_s, end_s)
    turns = _speaker_turns(words, bool(stereo), windows, unvoiced, speech_regions, channel_regions, activity, options)
    return SpeechResult(
        turns=turns, duration_s=round(duration, 3), speech_s=round(speech / SAMPLE_RATE, 3),
        language=_call_language(turns), stereo=bool(stereo), speakers=sorted({t.speaker for t in turns if t.speaker}),
    )


def _speaker_turns(words: list[_Word], stereo: bool, windows: diarize.SpeakerWindows,
                   unvoiced: diarize.SpeakerWindows, speech_regions: list[tuple[float, float]],
                   channel_regions: list[list[tuple[float, float]]], activity: list[tuple[float, float]],
                   options: SpeechOptions) -> list[Turn]:
    """The recording's words, once all are in, as speaker turns: diarized by voice (mono) or by
    channel (true stereo), then fitted to the channels' activity, the mono activity or the speech."""
    times, labels, embeddings = np.zeros((0, 2)), np.zeros(0, dtype=int), np.zeros((0, 256))
    if not stereo and options.diarize.speakers != 1 and words:
        times, embeddings = windows.arrays()
        labels = diarize.cluster(embeddings, options.diarize)
        word_times = np.array([[w.word.start, w.word.end] for w in words])
        for item, label in zip(words, diarize.assign_words(word_times, times, labels)):
            item.speaker = int(label)
        _changes_at_pauses(words, speech_regions, options.min_speaker_run_s)
    turns = _turns(words, options, relabel=not stereo)
    activity = union(activity)
    if stereo:  # each channel is one speaker: its turns span that channel's activity, overlaps kept
        turns = _fit_to_channels(turns, channel_regions, options)
    elif turns and _covers(activity, speech_regions) >= options.reliable_activity:
        voice_of = diarize.nearest_voice(embeddings, labels, *unvoiced.arrays(), fallback=(times, labels))
        turns = _fit_to_activity(turns, activity, speech_regions, voice_of, options)
    else:
        turns = _fit_to_speech(turns, speech_regions)
        for cur, nxt in zip(turns, turns[1:]):
            if cur.speaker != nxt.speaker and 0 < nxt.start - cur.end <= options.hold_floor_s:
                cur.end = nxt.start = round((cur.end + nxt.start) / 2, 3)
    return turns


def _embed_voices(windows: diarize.SpeakerWindows, unvoiced: diarize.SpeakerWindows, mono: np.ndarray,
                  spans: list[tuple[int, int]], regions: list[tuple[float, float]], offset: float, hop_s: float) -> None:
    """Speaker embeddings over the VAD speech, and apart over the takes the VAD passed over
    (matched to the voices at the end)."""
    windows.add(mono, spans, offset, hop_s)
    takes = [(int(a * SAMPLE_RATE), int(b * SAMPLE_RATE)) for a, b in regions]
    unvoiced.add(mono, [(a, b) for a, b in takes if not any(s < b and e > a for s, e in spans)], offset, hop_s)


_NO_SEGMENT = AsrSegment(start=0.0, end=0.0, text="")


def _untranscribed(spans: list[tuple[int, int]], words: list[_Word], min_s: float) -> list[_Word]:
    """Placeholder (empty) words for VAD speech spans that contain no recognised word."""
    mids = np.sort([(w.word.start + w.word.end) / 2 for w in words]) if words else np.zeros(0)
    out = []
    for start, end in spans:
        a, b = start / SAMPLE_RATE, end / SAMPLE_RATE
        if b - a >= min_s and np.searchsorted(mids, b) == np.searchsorted(mids, a):
            out.append(_Word(AsrWord("", a, b, 1.0), _NO_SEGMENT))
    return out


def _turns(words: list[_Word], options: SpeechOptions, relabel: bool) -> list[Turn]:
    words = sorted(words, key=lambda w: w.word.start)
    if relabel:  # A = whoever speaks first
        for w, label in zip(words, diarize.by_first_appearance(np.array([w.speaker for w in words]))):
            w.speaker = int(label)
    groups: list[list[_Word]] = []
    for w in words:
        last = groups[-1][-1] if groups else None
        if last is None or w.speaker != last.speaker or w.word.start - last.word.end > options.max_turn_gap_s:
            groups.append([w])
        else:
            groups[-1].append(w)
    return [_turn(group, options) for group in groups]


def _turn(group: list[_Word], options: SpeechOptions) -> Turn:
    real = [w for w in group if w.word.text]
    start, end = group[0].word.start, max(w.word.end for w in group)
    speaker = diarize.label_name(group[0].speaker)
    if not real:
        return Turn(text="", speaker=speaker, start=start, end=end, low_confidence=True, data={"untranscribed": True})
    segments = {id(w.segment): w.segment for w in real}
    weights = Counter(id(w.segment) for w in real)

    def mean(attr: str) -> float | None:
        values = [(getattr(s, attr), weights[sid]) for sid, s in segments.items() if getattr(s, attr) is not None]
        return round(sum(v * n for v, n in values) / sum(n for _, n in values), 4) if values else None

    langs = Counter(w.segment.language for w in real if w.segment.language)  # weighted by words
    language = max(langs, key=langs.get) if langs else None
    probs = [w.word.probability for w in real]
    low_words = [i for i, p in enumerate(probs) if p < options.asr.low_word_probability]
    avg_logprob = mean("avg_logprob")
    no_speech = mean("no_speech_prob")
    low = (avg_logprob is not None and avg_logprob < options.low_turn_logprob) or float(np.mean(probs)) < 0.5 \
        or (no_speech or 0) > options.asr.no_speech_threshold
    data: dict[str, Any] = {"low_confidence_words": low_words} if low_words else {}
    if len(real) < len(group):
        data["untranscribed_s"] = round(sum(w.word.end - w.word.start for w in group if not w.word.text), 2)
    return Turn(
        text="".join(w.word.text for w in real).strip(), speaker=speaker, start=start, end=end,
        language=language, language_prob=mean("language_prob") if language != "other" else None,
        avg_logprob=avg_logprob, no_speech_prob=no_speech, low_confidence=bool(low),
        words=[Word(w.word.text.strip(), w.word.start, w.word.end, round(w.word.probability, 4)) for w in real],
        data=data,
    )


def _changes_at_pauses(words: list[_Word], spans: list[tuple[float, float]], min_run_s: float) -> None:
    """Relabel, in place, short runs of one voice inside a VAD span (see ``min_speaker_run_s``)."""
    words.sort(key=lambda w: w.word.start)
    span_of = _region_finder(spans)
    by_span: dict[int, list[_Word]] = {}
    for w in words:
        if (i := span_of((w.word.start + w.word.end) / 2)) is not None:
            by_span.setdefault(i, []).append(w)
    for group in by_span.values():
        runs = [list(run) for _, run in groupby(group, key=lambda w: w.speaker)]
        if len(runs) < 2:
            continue
        length = [r[-1].word.end - r[0].word.start for r in runs]
        for i, run in enumerate(runs):
            if length[i] >= min_run_s:
                continue
            if i == 0 and length[1] >= min_run_s:
                target = runs[1][0].speaker
            elif i == len(runs) - 1 and length[i - 1] >= min_run_s:
                target = runs[i - 1][0].speaker
            elif 0 < i < len(runs) - 1 and runs[i - 1][0].speaker == runs[i + 1][0].speaker:
                target = runs[i - 1][0].speaker
            else:
                continue
            for w in run:
                w.speaker = target


def _region_finder(regions: list[tuple[float, float]]) -> Callable[[float], int | None]:
    """``region_of(time)``: the index of the region (``regions`` sorted and disjoint) that contains
    ``time``, else None."""
    starts = np.array([a for a, _ in regions])

    def region_of(time: float) -> int | None:
        i = int(np.searchsorted(starts, time, side="right")) - 1
        return i if i >= 0 and time <= regions[i][1] else None
    return region_of


def _overlaps(regions: list[tuple[float, float]], spans: list[tuple[float, float]]) -> list[float]:
    """Time of ``spans`` inside each of ``regions`` (both sorted and disjoint; one linear sweep)."""
    out, j = [], 0
    for a, b in regions:
        while j < len(spans) and spans[j][1] <= a:
            j += 1
        k, total = j, 0.0
        while k < len(spans) and spans[k][0] < b:
            total += min(b, spans[k][1]) - max(a, spans[k][0])
            k += 1
        out.append(total)
    return out


def _covers(regions: list[tuple[float, float]], spans: list[tuple[float, float]]) -> float:
    """Share of the time of ``spans`` that lies inside ``regions``."""
    total = sum(b - a for a, b in spans)
    return sum(_overlaps(regions, spans)) / total if total > 0 else 0.0


def _fit_to_activity(turns: list[Turn], regions: list[tuple[float, float]], vad_spans: list[tuple[float, float]],
                     voice_of: Callable[[float, float], int], options: SpeechOptions) -> list[Turn]:
    """Mono with a clean floor between takes: each turn stretches over the activity regions its
    words fall in; inside a region two speakers' turns meet halfway between their words (or where
    the next starts, when they overlap). A word that starts just before a region boundary (Whisper's
    times are a few hundred ms off) does not pull the turn into the region before. Takes with no
    words (at least 1 s, or with VAD speech) become empty, low-confidence turns of the voice heard
    there, as on a stereo channel."""
    edge = 0.5
    out = [t for t in turns if t.start is not None and t.end is not None]
    region_of = _region_finder(regions)
    bounds = []
    for i, turn in enumerate(out):
        first, last = region_of(turn.start), region_of(turn.end)
        if first is not None and regions[first][1] - turn.start < edge and first + 1 < len(regions) \
                and regions[first + 1][0] - turn.start < edge + 1.0 and regions[first + 1][0] < turn.end:
            first += 1  # the first word only grazes the end of the previous region
        if last is not None and turn.end - regions[last][0] < edge and last > 0 \
                and turn.end - regions[last - 1][1] < edge + 1.0 and regions[last - 1][1] > turn.start:
            last -= 1
        start = regions[first][0] if first is not None else turn.start
        end = regions[last][1] if last is not None else turn.end
        bounds.append([start, end])
    for i in range(len(out) - 1):  # neighbours sharing a region meet between their words
        cur, nxt = out[i], out[i + 1]
        if bounds[i][1] > bounds[i + 1][0]:
            meet = (cur.end + nxt.start) / 2 if nxt.start > cur.end else nxt.start
            bounds[i][1] = max(bounds[i][0], min(bounds[i][1], meet))
            bounds[i + 1][0] = min(bounds[i + 1][1], max(bounds[i + 1][0], meet))
    for turn, (start, end) in zip(out, bounds):
        turn.start, turn.end = round(float(start), 3), round(float(end), 3)
    covered = _overlaps(regions, union([(t.start, t.end) for t in out]))
    for (a, b), speech, taken in zip(regions, _overlaps(regions, vad_spans), covered):
        if not taken and (speech >= options.min_untranscribed_s or b - a >= 2 * options.min_untranscribed_s):
            out.append(Turn(text="", speaker=diarize.label_name(voice_of(a, b)), start=round(float(a), 3),
                            end=round(float(b), 3), low_confidence=True, data={"untranscribed": True}))
    return sorted(out, key=lambda t: t.start)


def _fit_to_speech(turns: list[Turn], regions: list[tuple[float, float]]) -> list[Turn]:
    """Widen turn bounds from Whisper's word times (often clipped) to the VAD speech region they
    start/end in, without reaching into the neighbouring turns."""
    region_of = _region_finder(regions)
    for i, turn in enumerate(turns):
        if turn.start is None or turn.end is None:
            continue
        prev_end = turns[i - 1].end if i else -np.inf
        next_start = turns[i + 1].start if i + 1 < len(turns) else np.inf
        if (j := region_of(turn.start)) is not None:
            turn.start = round(max(regions[j][0], prev_end, turn.start - 1.0), 3)
        if (k := region_of(turn.end)) is not None:
            turn.end = round(min(regions[k][1], next_start, turn.end + 1.0), 3)
    return turns


def _fit_to_channels(turns: list[Turn], channel_regions: list[list[tuple[float, float]]],
                     options: SpeechOptions) -> list[Turn]:
    """Stereo: each turn's bounds snap to the activity regions of its own channel that it touches
    (Whisper word times are often off by a few hundred ms), up to the neighbouring turns of the
    same speaker; the other channel's turns may overlap. A channel's activity that no turn covers
    becomes an empty, low-confidence turn (the analyst should listen there)."""
    snap = 1.0
    out = list(turns)
    for c, regions in enumerate(channel_regions):
        speaker = diarize.label_name(c)
        own = [t for t in turns if t.speaker == speaker and t.start is not None and t.end is not None]
        for i, turn in enumerate(own):
            touching = [(a, b) for a, b in regions if a - snap <= turn.end and b + snap >= turn.start]
            if not touching:
                continue
            prev_end = own[i - 1].end if i else -np.inf
            next_start = own[i + 1].start if i + 1 < len(own) else np.inf
            turn.start = round(float(max(touching[0][0], prev_end, turn.start - snap)), 3)
            turn.end = round(float(min(max(touching[-1][1], turn.end - snap), next_start)), 3)
        for a, b in regions:
            if b - a >= options.min_untranscribed_s and not any(t.start < b and t.end > a for t in own):
                out.append(Turn(text="", speaker=speaker, start=round(float(a), 3), end=round(float(b), 3),
                                low_confidence=True, data={"untranscribed": True}))
    return sorted(out, key=lambda t: (t.start if t.start is not None else 0.0))


def _call_language(turns: list[Turn]) -> str | None:
    counts: Counter[str] = Counter()
    for t in turns:
        if t.language:
            counts[t.language] += len(t.words)
    if not counts:
        return None
    total = sum(counts.values())
    top = max(counts, key=counts.get)
    if top in ("ru", "uk") and counts[top] < 0.8 * total and counts["ru"] + counts["uk"] >= 0.5 * total:
        return "mixed"
    return top


__all__ = ["SpeechOptions", "SpeechResult", "AudioError", "transcribe", "run"]
