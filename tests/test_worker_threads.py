"""A worker shares the machine's cores among its threads' model runs, unless CROSSCHECK_INFERENCE_THREADS says how many."""
import pytest

from core.jobs.cli import inference_threads


@pytest.mark.parametrize(("configured", "workers", "cores", "expected"), [
    (0, 1, 2, 2),   # one thread: the models' usual two
    (0, 2, 2, 1),   # two threads on two cores: one each, side by side
    (0, 4, 2, 1),   # more threads than cores: never fewer than one
    (0, 2, 16, 2),  # many cores: at most two each
    (0, 1, 1, 1),
    (3, 2, 2, 3),   # the setting wins
])
def test_inference_threads(configured: int, workers: int, cores: int, expected: int) -> None:
    assert inference_threads(configured, workers, cores) == expected
