"""`python3 -m monitor …` runs the CLI (works where pip's script directory is not on PATH)."""

from monitor.cli import main

main()
