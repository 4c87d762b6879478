"""Put the latest results in the README: `python -m bench.readme` replaces the table between
the bench markers of README.md's Speed section with bench/results/latest.json's."""

import json
import re
import sys
from pathlib import Path

from bench import report

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- bench:results -->", "<!-- /bench:results -->"


def block(results: dict) -> str:
    machine, scale, s = results["machine"], results["scale"], results["summary"]
    load = ", ".join(f"{x:.1f}" for x in machine["load_before"])
    return "\n".join([
        START,
        f"Latest full run: {results['finished_at'][:16].replace('T', ' ')} UTC, commit "
        f"`{results['commit'][:10]}`, {scale['listings']:,} listings / "
        f"{scale['bookings']:,} bookings, {machine['cores']} cores ({machine.get('cpu', '')}), "
        f"load average before the run {load}; {results['seconds'] / 60:.1f} minutes. "
        f"**{s['met']} met, {s['missed']} missed**, {s['not_judged']} without a target.",
        "",
        report.markdown(results),
        "",
        "![Each figure as the share of its target it uses: 1 is the target, less is better]"
        "(bench/results/latest.png)",
        END,
    ])  # fmt: skip


def main() -> int:
    results = json.loads((ROOT / "bench" / "results" / "latest.json").read_text())
    readme = ROOT / "README.md"
    text = readme.read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(text):
        print("README.md has no bench markers", file=sys.stderr)
        return 1
    readme.write_text(pattern.sub(lambda _m: block(results), text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
