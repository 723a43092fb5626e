"""Differential and stateful fuzzing of the contracts against `levtoken.model` on two backends."""
