"""Regenerate the committed samples in data/samples/ byte-identically.

Run from the repository root:  .venv/bin/python data/samples/make_samples.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

from ssc_mining.simulate import SAMPLE_NAMES, SimulationConfig, simulate, write_exports  # noqa: E402

CONFIG = SimulationConfig(seed=7, cases=400, start="2024-01-01", months=12)


def main() -> None:
    paths = write_exports(simulate(CONFIG), HERE, names=SAMPLE_NAMES)
    for key, path in paths.items():
        print(f"{path.stat().st_size:>10,}  {path.name}  ({key})")


if __name__ == "__main__":
    main()
