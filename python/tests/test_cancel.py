"""Ctrl-C during a run: the engine stops at its next chunk of runs, the
call raises KeyboardInterrupt, and no folder is left behind."""

import _thread
import tempfile
import threading
import time

import pytest

import tariffsim
from conftest import LONDON


def test_interrupt_stops_the_run_and_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    timer = threading.Timer(1.0, _thread.interrupt_main)
    started = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # About 10 minutes of work on one thread if not stopped.
            tariffsim.run(LONDON, runs=200_000, threads=1, charts=False)
    finally:
        timer.cancel()
    took = time.monotonic() - started
    assert 1.0 <= took < 10, took
    assert list(tmp_path.iterdir()) == []


def test_the_gil_is_released_while_the_engine_runs(starter):
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    t = threading.Thread(target=count)
    t.start()
    try:
        started = time.monotonic()
        tariffsim.run(LONDON, runs=400, threads=1, charts=False)
        took = time.monotonic() - started
    finally:
        stop.set()
        t.join()
    # A thread that needs the GIL kept ticking during the run.
    assert took > 0.3 and len(ticks) > took / 0.01 * 0.5, (took, len(ticks))
