"""The people directory: with it, every history export gives back the ground-truth handovers per case.

The simulator writes ``<prefix>-people.csv`` next to its exports (name, user_name, team, organisation,
line of everyone). The history profiles read it to give each event the team, organisation and support
line of the person who acted, so ``handoffs_per_case`` and ``reopens_per_case`` equal the ground truth
per case in every format that has a per-event actor.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from ssc_mining.analysers.handoffs import handoffs_per_case
from ssc_mining.analysers.reopens import reopens_per_case
from ssc_mining.errors import ConfigError
from ssc_mining.eventlog import columns as C
from ssc_mining.loaders import MappingSpec, load
from ssc_mining.loaders.profiles._common import people_candidates
from ssc_mining.simulate import SimulationConfig, simulate, write_exports

HANDOFF_COLUMNS = ("handovers_person", "handovers_team", "handovers_org", "pingpong_direct", "pingpong_indirect",
                   "escalated", "first_line_only")
#: format → (profile, truth column with the case id in that export)
FORMATS = {
    "generic": ("csv", "case_id"),
    "xes": ("xes", "case_id"),
    "topdesk-history": ("topdesk-history", "topdesk_number"),
    "servicenow-history": ("servicenow-history", "servicenow_number"),
    "servicenow-audit": ("servicenow-audit", "servicenow_number"),
    "jira-json": ("jira", "jira_key"),
    "jira-csv": ("jira-csv", "jira_key"),
}


@pytest.fixture(scope="module")
def sim():
    return simulate(SimulationConfig(seed=3, cases=150))


@pytest.fixture(scope="module")
def paths(sim, tmp_path_factory):
    return write_exports(sim, tmp_path_factory.mktemp("exports"))


@pytest.fixture(scope="module")
def truth(sim):
    return sim.cases.set_index("case_id")


def measured(path, id_column: str, sim, profile: str, spec=None) -> pd.DataFrame:
    """handoffs_per_case + reopens_per_case of the loaded export, indexed by the generic case id."""
    log = load(path, spec)
    assert log.provenance.profile == profile
    hp = handoffs_per_case(log)
    hp["reopens"] = reopens_per_case(log)["reopens"]
    to_id = dict(zip(sim.cases[id_column].astype(str), sim.cases["case_id"]))
    hp.index = hp.index.astype(str).map(to_id)
    assert hp.index.notna().all() and hp.index.is_unique
    return hp


def assert_equal_per_case(got: pd.DataFrame, want: pd.DataFrame, columns) -> None:
    assert sorted(got.index) == sorted(want.index)  # every case found, none invented
    for column in columns:
        g = got.loc[want.index, column]
        assert g.notna().all(), column  # known for every case (escalation needs the support line)
        w = want[column].astype(g.dtype if g.dtype != "boolean" else bool)
        wrong = (g.astype("float64").to_numpy() != w.astype("float64").to_numpy())
        assert not wrong.any(), (column, int(wrong.sum()), list(want.index[wrong][:5]))


def test_people_directory_is_written_next_to_every_export(sim, paths):
    people = pd.read_csv(paths["people"], dtype=str, keep_default_na=False)
    assert paths["people"].name == "ssc-people.csv"
    assert list(people.columns) == ["name", "user_name", "team", "organisation", "line"]
    org = sim.world.org
    assert people["name"].tolist() == [p.name for p in org.people]
    assert people["user_name"].is_unique and people["name"].is_unique
    # the team and organisation of everyone who acted are those of the generic event log
    by_name = people.set_index("name")
    ev = sim.events
    assert (ev[C.TEAM].to_numpy() == by_name.loc[ev[C.RESOURCE], "team"].to_numpy()).all()
    assert (ev[C.ORGANISATION].to_numpy() == by_name.loc[ev[C.RESOURCE], "organisation"].to_numpy()).all()
    line = ev[C.LINE].astype("Int64").astype("string").fillna("").to_numpy()
    assert (line == by_name.loc[ev[C.RESOURCE], "line"].to_numpy()).all()
    assert set(people.loc[people["organisation"] == "SSC", "line"]) == {"1", "2", "3"}
    assert set(people.loc[people["organisation"] != "SSC", "line"]) == {""}


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "jira-csv"])
def test_handoffs_and_reopens_equal_the_truth_per_case(sim, paths, truth, fmt):
    profile, id_column = FORMATS[fmt]
    got = measured(paths[fmt], id_column, sim, profile)
    assert_equal_per_case(got, truth, HANDOFF_COLUMNS + ("reopens",))
    # the check can fail: every phenomenon occurs
    for column in HANDOFF_COLUMNS + ("reopens",):
        assert truth[column].astype(int).sum() > 0, column


def test_jira_csv_equals_the_truth_but_for_the_registration(sim, paths, truth):
    """The flattened Jira changelog has no creator column (only ``Issue created``), so its Register event
    has no resource, team or organisation; no directory can name who registered (the requester through
    the portal, a Servicedesk agent for phone and e-mail, a liaison; the CSV has no channel). The
    handovers from the registration to the next event are therefore not seen: per case, person / team /
    organisation handovers are the truth minus 1 when the registering person / team / organisation
    differs from that of the case's second event. Everything else (ping-pong, escalation, first line
    only, reopens) equals the truth per case."""
    got = measured(paths["jira-csv"], "jira_key", sim, "jira-csv")
    assert_equal_per_case(got, truth, ("pingpong_direct", "pingpong_indirect", "escalated", "first_line_only",
                                       "reopens"))
    ev = sim.events.sort_values([C.CASE, C.TIMESTAMP], kind="stable")
    first_two = ev.groupby(C.CASE, sort=False).head(2)
    for column, attr in (("handovers_person", C.RESOURCE), ("handovers_team", C.TEAM),
                         ("handovers_org", C.ORGANISATION)):
        changes = first_two.groupby(C.CASE)[attr].nunique().gt(1).astype(int)
        want = truth[column] - changes.reindex(truth.index).fillna(0).astype(int)
        assert (got.loc[truth.index, column].astype(int) == want).all(), column
        assert (changes > 0).any()  # the registration handover is real and missed
    assert (got.loc[truth.index, "handovers_person"] < truth["handovers_person"]).any()  # a real gap


def test_without_directory_teams_are_inferred_and_said_so(sim, paths, truth, tmp_path):
    lone = tmp_path / "export-topdesk-history.csv"
    shutil.copy(paths["topdesk-history"], lone)
    log = load(lone)
    assert any("no people directory" in n and "inferred" in n for n in log.provenance.notes)
    assert C.LINE not in log.frame or log.frame[C.LINE].isna().all()
    hp = handoffs_per_case(log)
    assert hp["escalated"].isna().all()  # no support line known
    # the directory makes the difference
    shutil.copy(paths["people"], tmp_path / "export-people.csv")
    log = load(lone)
    assert any("people directory export-people.csv found next to the export" in n for n in log.provenance.notes)
    ssc = (log.frame[C.ORGANISATION] == "SSC").to_numpy()
    assert log.frame.loc[ssc, C.LINE].notna().all() and log.frame.loc[~ssc, C.LINE].isna().all()
    assert handoffs_per_case(log)["escalated"].notna().all()


def test_directory_named_in_the_mapping_file(sim, paths, truth, tmp_path):
    lone = tmp_path / "history.csv"
    shutil.copy(paths["servicenow-history"], lone)
    shutil.copy(paths["people"], tmp_path / "directory.csv")
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[profiles.servicenow-history]\npeople = "directory.csv"\n')
    got = measured(lone, "servicenow_number", sim, "servicenow-history", MappingSpec.from_toml(mapping))
    assert_equal_per_case(got, truth, HANDOFF_COLUMNS)
    log = load(lone, MappingSpec.from_toml(mapping))
    names = {p.name for p in sim.world.org.people}
    assert set(log.frame[C.RESOURCE]) <= names  # sys_updated_by user ids become names
    mapping.write_text('[profiles.servicenow-history]\npeople = "missing.csv"\n')
    with pytest.raises(ConfigError, match="missing.csv"):
        load(lone, MappingSpec.from_toml(mapping))
    # switched off: the file next to the export is not used either
    shutil.copy(paths["people"], tmp_path / "people.csv")
    mapping.write_text('[profiles.servicenow-history]\npeople = ""\n')
    log = load(lone, MappingSpec.from_toml(mapping))
    assert log.frame[C.TEAM].isna().all()


def test_actors_missing_from_the_directory_fall_back_to_inference(sim, paths, tmp_path):
    lone = tmp_path / "a-jira-changelog.json"
    shutil.copy(paths["jira-json"], lone)
    people = pd.read_csv(paths["people"], dtype=str, keep_default_na=False)
    people[people["organisation"] != "SSC"].to_csv(tmp_path / "a-people.csv", index=False)
    log = load(lone)
    assert any("not in the people directory a-people.csv" in n for n in log.provenance.notes)
    ssc = log.frame[C.ORGANISATION] == "SSC"
    assert ssc.any() and (C.LINE not in log.frame or log.frame.loc[ssc, C.LINE].isna().all())  # no line known
    assert log.frame.loc[ssc, C.TEAM].notna().mean() > 0.8  # SSC staff: team inferred from the assignments
    outside = log.frame[C.ORGANISATION].isin(people["organisation"]) & ~ssc
    assert outside.any() and log.frame.loc[outside, C.TEAM].str.startswith(("Medewerkers", "Regie")).all()


def test_lookup_rule():
    from pathlib import Path

    names = [p.name for p in people_candidates(Path("x/run-1-jira-changelog.json"))]
    assert names == ["run-1-jira-changelog-people.csv", "run-1-jira-people.csv", "run-1-people.csv",
                     "run-people.csv", "people.csv"]
    assert "people.csv" not in [p.name for p in people_candidates(Path("people.csv"))]  # never the file itself
    assert np.all([p.parent == Path("x") for p in people_candidates(Path("x/a.csv"))])
