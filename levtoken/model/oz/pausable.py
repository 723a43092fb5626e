"""OpenZeppelin `Pausable`: the flag, `whenNotPaused` and the internal pause and unpause."""

from __future__ import annotations

from ..errors import EnforcedPause, ExpectedPause
from ..evm import Chain


class Pausable(Chain):
    """`paused` (the `paused()` view is this attribute)."""

    paused: bool

    def _require_not_paused(self) -> None:
        """`_requireNotPaused` (the `whenNotPaused` modifier)."""
        if self.paused:
            raise EnforcedPause()

    def _pause(self, sender: str) -> None:
        """`_pause()` called by `sender` (`whenNotPaused`)."""
        self._require_not_paused()
        self.paused = True
        self._ev.append(("Paused", {"account": sender}))

    def _unpause(self, sender: str) -> None:
        """`_unpause()` called by `sender` (`whenPaused`)."""
        if not self.paused:
            raise ExpectedPause()
        self.paused = False
        self._ev.append(("Unpaused", {"account": sender}))
