"""Example scenario actions for the demo domain (``action = "nlukit.bot.actions:play_music"``).

An action gets the scenario's filled slots (canonical values; optional slots that were
not given are absent) and a context dict (``session_id``, ``intent``, ``text``,
``parse``, ``turns``) and returns the reply. Anything it raises becomes the polite
``action_error`` reply of the ``[bot]`` table and is logged; the bot never crashes.

>>> play_music({"artist": "아이유", "song": "밤편지"}, {})
'아이유의 「밤편지」를 재생할게요.'
>>> play_music({"song": "좋은 날"}, {})
'「좋은 날」을 재생할게요.'
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .scenario import render_template

__all__ = ["play_music"]


def play_music(slots: Mapping[str, str], context: Mapping[str, Any]) -> str:
    """Say what will play from whichever of ``song`` and ``artist`` the user named.

    >>> play_music({"artist": "방탄소년단"}, {})
    '방탄소년단의 노래를 재생할게요.'
    >>> play_music({}, {})
    '요즘 인기 있는 노래를 재생할게요.'
    """
    song, artist = slots.get("song", ""), slots.get("artist", "")
    if song and artist:
        return render_template("{artist}의 「{song}」을/를 재생할게요.", {"artist": artist, "song": song})
    if song:
        return render_template("「{song}」을/를 재생할게요.", {"song": song})
    if artist:
        return render_template("{artist}의 노래를 재생할게요.", {"artist": artist})
    return "요즘 인기 있는 노래를 재생할게요."
