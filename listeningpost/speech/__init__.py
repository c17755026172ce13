"""Speech stage: recordings -> speaker turns with word timestamps, confidences and language.

One entry point for the eval driver, tests and scripts::

    from listeningpost.speech import transcribe, SpeechOptions
    turns = transcribe("call.mp4", SpeechOptions())   # list[records.Turn]

Heavy imports (faster-whisper, onnxruntime) happen on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from listeningpost.speech.core import SpeechOptions, SpeechResult, run, transcribe

__all__ = ["transcribe", "run", "SpeechOptions", "SpeechResult", "AudioError"]


def __getattr__(name: str) -> Any:
    if name in ("transcribe", "run", "SpeechOptions", "SpeechResult"):
        from listeningpost.speech import core as module

        return getattr(module, name)
    if name == "AudioError":
        from listeningpost.audio import AudioError

        return AudioError
    raise AttributeError(name)
