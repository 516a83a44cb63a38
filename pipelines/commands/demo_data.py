"""`python -m pipelines demo-data` (data contract s6): hands over to the demo-data
generator, a development tool kept in the repository's `tools/demo/`.

The generator is not part of what ships (`pipelines/` never imports `tools/`): the
command starts it as its own process, with every argument as given, so a checkout
has the contract's command and an installation without `tools/` says plainly that
it has no generator.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
GENERATOR = REPOSITORY / "tools" / "demo"
FORWARDS_ARGUMENTS = True  # cli.main hands every argument after `demo-data` to the generator


def add_parser(sub: argparse._SubParsersAction) -> None:
    sub.add_parser(
        "demo-data", add_help=False,
        help="write a realistic synthetic set of extracts for every source (development tool; --help for options)",
        description="Write a realistic synthetic set of extracts for every source (tools/demo).")


def run(args: argparse.Namespace) -> int:
    if not (GENERATOR / "__main__.py").is_file():
        print(f"demo-data: the demo-data generator is a development tool in the repository's tools/ folder, "
              f"which this installation does not have ({GENERATOR} is missing).", file=sys.stderr)
        return 2
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPOSITORY), env.get("PYTHONPATH")) if p)
    return subprocess.call([sys.executable, "-m", "tools.demo", *args.arguments], env=env)
