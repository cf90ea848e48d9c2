"""`python3 -m monitor …` and the `monitor` command run the CLI (the former works where pip's script
directory is not on PATH).

The command's script imports `main` from here, and a spawned analysis process re-runs its parent's main
script: so this module imports nothing at the top, and the CLI (typer, the database layer, every stage) is
imported only when `main()` runs — never in an analysis process (pipeline/analysis_worker.py).
"""


def main() -> None:
    """Run the CLI."""
    from monitor.cli import main as cli_main

    cli_main()


if __name__ == "__main__":
    main()
