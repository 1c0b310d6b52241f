"""What ``ssc-mining discover`` does, without the command-line parsing (which lives in :mod:`ssc_mining.cli`).

Mines a model with the inductive miner on the variants covering ``coverage`` of
the cases and writes it as BPMN and/or PNML; writes the process map as SVG;
checks conformance against a reference model; optionally writes the fitness of
every case as CSV and everything as JSON. Returns the lines to print.

Example:
    >>> from ssc_mining.loaders import load
    >>> lines = run_discover(load("data/samples/generic-events.csv"), coverage=0.8)
    >>> lines[0].startswith("Model: Found by the inductive miner from the")
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssc_mining._io import atomic_write_text, json_text, safe_frame
from ssc_mining.discovery.aggregates import Aggregates, aggregates_of
from ssc_mining.discovery.inductive import discover_model, write_bpmn, write_pnml
from ssc_mining.eventlog.log import EventLog


def run_discover(log: EventLog | Aggregates, *, coverage: float = 0.8, max_variants: int = 5000, noise: float = 0.0,
                 bpmn: Path | None = None, pnml: Path | None = None, svg: Path | None = None,
                 mode: str = "frequency", map_activities: float = 1.0, map_paths: float = 0.9,
                 reference: Path | None = None, cases_csv: Path | None = None,
                 json_out: Path | None = None, run: dict[str, Any] | None = None) -> list[str]:
    """Discover, export and check; returns human-readable lines (what was done, where it was written).

    The JSON file (``json_out``) holds the model, the map settings, the conformance, the provenance of the
    input and ``run`` (the command line and options, see :mod:`ssc_mining.run_record`)."""
    from ssc_mining.discovery.map_layout import MapSettings, filter_map, rare_activities
    from ssc_mining.report.process_map import export_svg

    lines: list[str] = []
    source = aggregates_of(log)
    provenance = source.provenance
    data: dict[str, Any] = {"schema": "ssc_mining.discover/1", "source": provenance.source.name,
                            "run": run or {}, "provenance": provenance.to_dict()}
    model = discover_model(source.variant_table(), coverage=coverage, max_variants=max_variants,
                           noise_threshold=noise)
    caption = model.caption()
    lines.append(f"Model: {caption} Mined in {model.seconds:.2f} s.")
    lines.append(f"Process tree: {model.tree}")
    data["model"] = model.to_dict()
    if bpmn:
        lines.append(f"BPMN: {write_bpmn(model.bpmn, bpmn, caption)}")
    if pnml:
        lines.append(f"PNML: {write_pnml(model.net, model.initial_marking, model.final_marking, pnml, caption)}")
    if svg:
        graph = source.directly_follows()
        settings = MapSettings(activity_coverage=map_activities, path_coverage=map_paths)
        kept = filter_map(graph, settings)
        export_svg(kept.dfg, svg, title=f"Process map — {provenance.source.name}", mode=mode,  # type: ignore[arg-type]
                   note=kept.note(), rare=rare_activities(graph, settings.rare_share))
        data["map"] = kept.to_dict()
        lines.append(f"Process map ({mode}): {svg}")
    if reference:
        from ssc_mining.discovery.conformance import check_conformance, read_reference

        result = check_conformance(source, read_reference(reference))
        data["conformance"] = result.to_dict()
        lines.append(f"Conformance: {result.summary()}")
        lines.extend(f"  - {d['text']}" for d in result.deviation_list(10))
        if result.by_mother is not None:
            for row in result.by_mother.itertuples(index=False):
                lines.append(f"  {row.mother}: mean fitness {row.mean_fitness:.3f} over {row.cases_checked} cases")
        if cases_csv:
            frame = result.cases.copy()
            frame["deviations"] = [
                "; ".join(f"{k}:{a}" for k, a in devs)
                for devs in result.variants["deviations"].to_numpy()[frame["variant"].to_numpy()]]
            atomic_write_text(Path(cases_csv), safe_frame(frame).to_csv(index=False, lineterminator="\n"))
            lines.append(f"Fitness per case: {cases_csv}")
    if json_out:
        atomic_write_text(Path(json_out), json_text(data))
        lines.append(f"JSON: {json_out}")
    return lines
