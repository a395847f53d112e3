"""Subcommands of ``modq`` that need more than a few lines each."""
