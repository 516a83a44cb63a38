"""Command line: `python -m pipelines <command> --help` for each command.

Each sub-command lives in its own module and registers itself with `add_parser`;
heavy imports (Great Expectations takes seconds) happen only in the command run.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command name -> module with add_parser(subparsers) and run(args) -> int
COMMANDS = {
    "run": "pipelines.commands.run",
    "validate": "pipelines.commands.validate",
    "quarantine": "pipelines.commands.quarantine",
    "demo-data": "pipelines.commands.demo_data",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m pipelines",
        description="Customer Experience Strategy dashboard: data pipeline commands.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module_name in COMMANDS.values():
        importlib.import_module(module_name).add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    module = importlib.import_module(COMMANDS[args.command])
    if getattr(module, "FORWARDS_ARGUMENTS", False):  # a tool with its own parser (demo-data)
        args.arguments = extra
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    return int(module.run(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
