"""Stateful fuzzing (hypothesis) of the contracts against the model, with every invariant after every step.

CI profile: at least 10,000 steps on Anvil and 200,000 in-process; `make fuzz` runs the long profile.
"""


from levtoken.backends import open_backend
from levtoken.fuzz.harness import Harness
from levtoken.fuzz.machine import fuzz
from levtoken.fuzz.ops import Kind

ANVIL_STEPS = 10_000
IN_PROCESS_STEPS = 200_000
MODEL_STEPS = 50_000


def _coverage(h: Harness) -> None:
    st = h.stats
    assert set(st.by_kind) == {k.name for k in Kind}, st.by_kind
    assert set(st.succeeded) == {k.name for k in Kind}, st.succeeded  # every kind also gets through
    # the programs reach the interesting states, not only the happy path
    for error in ("SlippageExceeded", "ZeroAmount", "NoRebalanceTrigger", "StalePrice", "InvalidPrice",
                  "ERC20InsufficientBalance", "HealthReportTooSoon", "NoUpkeepNeeded"):
        assert st.errors.get(error), f"no {error} in {st.errors}"


def test_stateful_fuzz_on_anvil_compares_every_view_after_every_step():
    h = Harness(open_backend("anvil"), lens_every=1)
    try:
        steps = fuzz(h, ANVIL_STEPS)
    finally:
        h.backend.close()
    assert steps >= ANVIL_STEPS
    assert h.stats.lens_reads >= steps
    _coverage(h)


def test_stateful_fuzz_in_process_compares_state_every_step_and_views_every_16():
    h = Harness(open_backend("revm"), lens_every=16)
    steps = fuzz(h, IN_PROCESS_STEPS)
    assert steps >= IN_PROCESS_STEPS
    assert h.stats.lens_reads >= steps // 16
    _coverage(h)


def test_model_only_fuzz_holds_every_invariant():
    h = Harness(None)
    steps = fuzz(h, MODEL_STEPS)
    assert steps >= MODEL_STEPS
    _coverage(h)
