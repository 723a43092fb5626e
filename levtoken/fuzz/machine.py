"""The hypothesis state machine: one rule that runs a program of operations on a fresh system.

Every example starts from the post-setup snapshot (chain) and a fresh model; each rule call appends a
program (8 bytes per operation) and the harness checks state and invariants after every operation.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import RuleBasedStateMachine, rule, run_state_machine_as_test

from levtoken.fuzz.harness import Harness

log = logging.getLogger(__name__)

DATABASE_DIR = Path(".hypothesis") / "levtoken"


def machine_for(harness: Harness, max_ops: int = 256, salt: int = 0, min_ops: int = 16) -> type[RuleBasedStateMachine]:
    """A state machine class bound to one (already deployed) harness. `salt` varies the programs between
    otherwise identical derandomized runs."""
    mask = salt.to_bytes(8, "little") * max_ops if salt else b""

    class ProtocolMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            harness.reset()

        @rule(program=st.binary(min_size=8 * min_ops, max_size=8 * max_ops))
        def run_program(self, program: bytes) -> None:
            if mask:
                program = bytes(x ^ y for x, y in zip(program, mask))
            harness.run(program, final_lens=False)

        def teardown(self) -> None:
            if harness.backend is not None:
                harness.compare_lens("end of example")

    ProtocolMachine.__name__ = f"ProtocolMachine_{harness.backend.name if harness.backend else 'model'}"
    return ProtocolMachine


def fuzz(harness: Harness, steps: int, *, examples_per_round: int = 50, rules_per_example: int = 10,
         max_ops: int = 256, derandomize: bool = True, database: bool = False,
         on_round: Callable[[int], None] | None = None) -> int:
    """Runs the state machine until `harness` has executed at least `steps` operations (each followed by
    the state comparison and every invariant). Returns the steps executed. Raises on the first failure,
    with hypothesis's shrunk program."""
    start = harness.stats.steps
    salt = 0
    db = DirectoryBasedExampleDatabase(str(DATABASE_DIR)) if database else None
    while harness.stats.steps - start < steps:
        machine = machine_for(harness, max_ops, salt)
        run_state_machine_as_test(machine, settings=settings(
            max_examples=examples_per_round, stateful_step_count=rules_per_example, deadline=None,
            derandomize=derandomize, database=db, suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink] if database else
            [Phase.explicit, Phase.generate, Phase.shrink],
            print_blob=True,
        ))
        salt += 1
        if on_round:
            on_round(harness.stats.steps - start)
    return harness.stats.steps - start
