"""Re-encode real audio into other containers/codecs with PyAV, for format tests."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np


def read_mono(path: Path, rate: int = 16000) -> np.ndarray:
    import av

    out = []
    with av.open(str(path)) as container:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=rate)
        for frame in container.decode(audio=0):
            for f in resampler.resample(frame):
                out.append(f.to_ndarray().reshape(-1))
    return np.concatenate(out).astype(np.int16)


FORMATS = {
    # suffix: (container format, audio codec, sample rate, layout, video codec)
    ".wav": ("wav", "pcm_s16le", 16000, "mono", None),
    ".mp3": ("mp3", "libmp3lame", 16000, "mono", None),
    ".ogg": ("ogg", "libopus", 48000, "mono", None),
    ".opus": ("opus", "libopus", 48000, "mono", None),
    ".m4a": ("ipod", "aac", 16000, "mono", None),
    ".flac": ("flac", "flac", 16000, "mono", None),
    ".mp4": ("mp4", "aac", 16000, "mono", "libx264"),
    ".webm": ("webm", "libopus", 48000, "mono", "libvpx"),
}


#: formats whose encoder PyAV's wheels no longer ship (18.1 dropped libopencore-amrnb; the decoder
#: stays): the same Stierlitz speech, encoded once with PyAV 18.0 (see tests/data/README.md)
PREENCODED = {".amr": Path(__file__).parent / "data" / "tinkoff_voicekit_stierlitz.amr"}


def encode(pcm: np.ndarray, rate: int, dest: Path, suffix: str, stereo: bool = False) -> Path:
    """Write ``pcm`` (int16 mono at ``rate``) as ``dest`` in the format for ``suffix``."""
    import av

    fmt, codec, out_rate, layout, video = FORMATS[suffix]
    if stereo:
        layout = "stereo"
    with av.open(str(dest), "w", format=fmt) as container:
        vstream = None
        if video:
            vstream = container.add_stream(video, rate=5)
            vstream.width, vstream.height, vstream.pix_fmt = 64, 48, "yuv420p"
        astream = container.add_stream(codec, rate=out_rate)
        astream.layout = layout
        resampler = av.AudioResampler(format=astream.format.name if astream.format else "s16", layout=layout, rate=out_rate)
        data = np.stack([pcm, pcm]) if stereo else pcm.reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(data.reshape(1, -1) if stereo else data), format="s16", layout=layout
        )
        frame.sample_rate = rate
        frame.pts = 0
        frame.time_base = Fraction(1, rate)
        if vstream is not None:
            seconds = len(pcm) / rate
            for i in range(int(seconds * 5) + 1):
                img = av.VideoFrame.from_ndarray(np.full((48, 64, 3), (i * 7) % 255, np.uint8), format="rgb24")
                img.pts = i
                for packet in vstream.encode(img.reformat(format="yuv420p")):
                    container.mux(packet)
        for f in resampler.resample(frame) + resampler.resample(None):
            for packet in astream.encode(f):
                container.mux(packet)
        for packet in astream.encode(None):
            container.mux(packet)
        if vstream is not None:
            for packet in vstream.encode(None):
                container.mux(packet)
    return dest
