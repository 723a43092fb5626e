"""Seeded synthetic price paths: geometric Brownian motion with Merton (log-normal) jumps.

Every parameter is annualised (a year is 365 days = 8,760 hours) and the path is sampled every
``step_seconds`` (one hour by default), ``dt`` years apart. Each step's log return is

    (drift - volatility**2 / 2 - jump_intensity * k) * dt  +  volatility * sqrt(dt) * Z  +  sum(Y_1..Y_N)

with ``Z ~ N(0, 1)``, ``N ~ Poisson(jump_intensity * dt)`` jumps per step and log jump sizes
``Y_i ~ N(jump_mean, jump_stdev**2)``. ``k = exp(jump_mean + jump_stdev**2 / 2) - 1`` compensates the
jumps, so ``drift`` is the expected (arithmetic) growth rate of the price with or without jumps:
``E[S_t] = S_0 * exp(drift * t)``.

- ``drift``: expected annual growth rate (0.1 = +10 % a year, continuously compounded).
- ``volatility``: annual standard deviation of the diffusion's log returns (0.8 = 80 %).
- ``jump_intensity``: expected number of jumps a year.
- ``jump_mean``, ``jump_stdev``: mean and standard deviation of one jump's log size (-0.05 = about -5 %).

The defaults are loosely ETH-like (80 % volatility, a dozen mostly downward jumps a year), not a
calibration. The path is a pure function of its arguments: ``random.Random(seed)`` drives it, and prices
are rounded half-even to ``decimals`` places (never below one unit of the last place, so strictly
positive); the rounding does not feed back into the simulation.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from levtoken.feeds.candles import PricePoint

YEAR_SECONDS = 365 * 24 * 3600
DEFAULT_START = 1_609_459_200  # 2021-01-01 00:00 UTC


@dataclass(frozen=True)
class SyntheticPath:
    """A simulated path and where its jumps happened."""

    points: list[PricePoint]
    jumps: dict[int, int]  # step index (1-based: the move into points[i]) -> number of jumps in that step
    dt: float  # years per step

    @property
    def jump_count(self) -> int:
        return sum(self.jumps.values())


def _poisson(rng: random.Random, mean: float) -> int:
    """Poisson sample by multiplying uniforms (fine for the small per-step means used here)."""
    if mean <= 0:
        return 0
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def simulate(
    seed: int,
    hours: int,
    start_price: Decimal | int | str = 2000,
    drift: float = 0.0,
    volatility: float = 0.8,
    jump_intensity: float = 12.0,
    jump_mean: float = -0.03,
    jump_stdev: float = 0.06,
    *,
    start_timestamp: int = DEFAULT_START,
    step_seconds: int = 3600,
    decimals: int = 8,
) -> SyntheticPath:
    """Simulates ``hours`` points (the first is ``start_price`` at ``start_timestamp``); see the module doc."""
    if hours < 1:
        raise ValueError(f"hours must be at least 1, got {hours}")
    start = Decimal(str(start_price))
    if not start.is_finite() or start <= 0:
        raise ValueError(f"start_price must be positive, got {start_price}")
    if volatility < 0 or jump_intensity < 0 or jump_stdev < 0:
        raise ValueError("volatility, jump_intensity and jump_stdev must not be negative")
    if step_seconds < 1 or decimals < 0:
        raise ValueError("step_seconds must be positive and decimals not negative")

    rng = random.Random(seed)
    dt = step_seconds / YEAR_SECONDS
    compensator = math.exp(jump_mean + jump_stdev**2 / 2) - 1
    drift_step = (drift - volatility**2 / 2 - jump_intensity * compensator) * dt
    diffusion_step = volatility * math.sqrt(dt)
    quantum = Decimal(1).scaleb(-decimals)

    log_price = math.log(float(start))
    points = [PricePoint(start_timestamp, start)]
    jumps: dict[int, int] = {}
    for i in range(1, hours):
        step = drift_step + diffusion_step * rng.gauss(0.0, 1.0)
        n = _poisson(rng, jump_intensity * dt)
        if n:
            jumps[i] = n
            step += sum(rng.gauss(jump_mean, jump_stdev) for _ in range(n))
        log_price += step
        if log_price > 700:  # math.exp overflows near 709
            raise ValueError(f"the path overflowed at step {i}: lower the drift or volatility")
        price = Decimal(math.exp(log_price)).quantize(quantum, rounding=ROUND_HALF_EVEN)
        points.append(PricePoint(start_timestamp + i * step_seconds, max(price, quantum)))
    return SyntheticPath(points=points, jumps=jumps, dt=dt)


def synthetic_path(
    seed: int,
    hours: int,
    start_price: Decimal | int | str = 2000,
    drift: float = 0.0,
    volatility: float = 0.8,
    jump_intensity: float = 12.0,
    jump_mean: float = -0.03,
    jump_stdev: float = 0.06,
    *,
    start_timestamp: int = DEFAULT_START,
    step_seconds: int = 3600,
    decimals: int = 8,
) -> list[PricePoint]:
    """``hours`` hourly points of a seeded GBM-with-jumps path (see the module doc for the parameters)."""
    return simulate(
        seed, hours, start_price, drift, volatility, jump_intensity, jump_mean, jump_stdev,
        start_timestamp=start_timestamp, step_seconds=step_seconds, decimals=decimals,
    ).points
