"""`glutebot run` tunes the garbage collector once start-up is done (CPU: see docs/BENCHMARKS.md)."""

from __future__ import annotations

import gc

from bot.process import YOUNG_OBJECTS_COLLECTED_AT, tune_garbage_collection


def test_start_up_objects_are_frozen_and_young_ones_collected_less_often() -> None:
    threshold = gc.get_threshold()
    try:
        tune_garbage_collection()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (YOUNG_OBJECTS_COLLECTED_AT, *threshold[1:])
    finally:
        gc.unfreeze()  # this test process goes on to build and drop many applications
        gc.set_threshold(*threshold)
