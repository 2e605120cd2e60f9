"""What each view says, read from its DOT and Mermaid source (no Graphviz needed)."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

from trustmap.analysis import Analysis
from trustmap.catalog import Catalog
from trustmap.diagrams.architecture import architecture_view
from trustmap.diagrams.dataflow import dataflow_view
from trustmap.diagrams.mermaid import mermaid_architecture, mermaid_responsibility
from trustmap.diagrams.responsibility import bands, responsibility_view
from trustmap.diagrams.text import mermaid_id
from trustmap.findings import Report


def _statement(source: str, node: str) -> str:
    """The DOT statement of a node or edge (`"c_web"` or `"c_a" -> "c_b"`)."""
    match = re.search(rf"^\s*{re.escape(node)} \[.*\];$", source, re.MULTILINE)
    assert match is not None, node
    return match.group()


def test_clusters_are_keyed_by_boundary_id_not_label(example: Callable[[str], Analysis]) -> None:
    analysis = example("three-tier-web")
    source = architecture_view(analysis.graph).source
    for boundary_id in analysis.graph.boundaries:
        assert source.count(f'subgraph "cluster_{boundary_id}" {{') == 1
    # public-a and public-b are both named "Public": still two boxes
    names = [b.name for b in analysis.graph.boundaries.values()]
    assert len(names) > len(set(names))


def test_cluster_labels_give_name_kind_and_trust(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    source = architecture_view(analysis.graph).source
    for boundary in analysis.graph.boundaries.values():
        block = source[source.index(f'subgraph "cluster_{boundary.id}"') :]
        label = block[: block.index("\n", block.index("label="))]
        assert f"trust {boundary.trust}" in label
        assert boundary.name in label


def test_flow_styles_in_the_architecture(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    source = architecture_view(analysis.graph).source
    for flow in analysis.graph.flows():
        edge = _statement(source, f'"c_{flow.source}" -> "c_{flow.target}"')
        assert ('style="dashed"' in edge) == (not flow.encrypted)
        assert ('penwidth="2.2"' in edge) == bool(flow.crosses)
        assert (flow.name or flow.protocol) in edge


def test_components_carry_their_responsibility_badge(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    source = architecture_view(analysis.graph).source
    badges = {
        "infrastructure": "customer-managed OS",
        "container": "AWS-managed OS",
        "abstracted": "AWS-managed service",
        "external": "external (not AWS)",
    }
    for component in analysis.graph.components():
        node = _statement(source, f'"c_{component.id}"')
        assert badges[component.service_model] in node
        assert "<IMG SRC=" in node  # every catalog service has an icon


def test_partial_view_draws_neighbours_as_context(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    view = architecture_view(analysis.graph, frozenset({"web"}), "architecture-app", "app")
    assert view.name == "architecture-app"
    drawn = set(re.findall(r'^\s*"c_([a-z0-9_-]+)" \[', view.source, re.MULTILINE))
    neighbours = {f.source for f in analysis.graph.flows() if f.target == "web"}
    neighbours |= {f.target for f in analysis.graph.flows() if f.source == "web"}
    assert drawn == {"web"} | neighbours
    assert view.source.count("outside this view") == len(neighbours)


def test_dataflow_notation_and_numbering(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    source = dataflow_view(analysis.graph, cast(Report, SimpleNamespace(findings=[]))).source
    shapes = {"process": 'shape="ellipse"', "external-entity": 'shape="box"', "datastore": 'SIDES="TB"'}
    for component in analysis.graph.components():
        assert shapes[component.dfd] in _statement(source, f'"c_{component.id}"')
    for number, flow in enumerate(analysis.graph.flows(), start=1):
        edge = _statement(source, f'"c_{flow.source}" -> "c_{flow.target}"')
        assert f"<B>{number}</B>" in edge
    assert source.count('style="dashed,rounded";') == len(analysis.graph.boundaries)
    # boundaries are neutral grey: red and orange belong to severities alone
    assert len(re.findall(r'^\s*color="#5F6B7A";$', source, re.MULTILINE)) == len(analysis.graph.boundaries)


def _finding(kind: str, subject: str, severity: str, status: str = "open") -> Any:
    return SimpleNamespace(subject=SimpleNamespace(kind=kind, id=subject), severity=severity, status=status)


def test_dataflow_highlights_open_findings_only(example: Callable[[str], Analysis]) -> None:
    analysis = example("shop")
    flows = analysis.graph.flows()
    report = SimpleNamespace(
        findings=[
            _finding("flow", flows[0].id, "high"),
            _finding("flow", flows[0].id, "low"),
            _finding("flow", flows[1].id, "critical", status="accepted"),
            _finding("component", "db", "medium"),
        ]
    )
    source = dataflow_view(analysis.graph, cast(Report, report)).source
    first = _statement(source, f'"c_{flows[0].source}" -> "c_{flows[0].target}"')
    second = _statement(source, f'"c_{flows[1].source}" -> "c_{flows[1].target}"')
    assert "2 open findings (high)" in first
    assert "open finding" not in second  # accepted is not open
    assert "1 open finding (medium)" in _statement(source, '"c_db"')


def test_responsibility_matrix_has_every_layer_and_component(
    example: Callable[[str], Analysis], catalog: Catalog
) -> None:
    analysis = example("three-tier-web")
    source = responsibility_view(analysis.graph, catalog).source
    for layer in catalog.layers.values():
        assert layer.title in source
    cells = re.findall(
        r'<TD BGCOLOR="#[0-9A-F]{6}"><FONT POINT-SIZE="8" COLOR="#[0-9A-F]{6}">([a-zA-Z ]+)</FONT>', source
    )
    assert len(cells) == len(catalog.layers) * len(analysis.graph.components())
    assert set(cells) <= {"AWS", "customer", "shared", "third party", "none"}


def test_bands_are_balanced_and_bounded() -> None:
    assert bands(0) == [(0, 0)]
    assert bands(16) == [(0, 16)]
    assert bands(17) == [(0, 9), (9, 17)]
    assert bands(30, 16) == [(0, 15), (15, 30)]
    assert all(stop - start <= 16 for start, stop in bands(300))


def test_mermaid_responsibility_has_one_column_per_component_and_one_cell_per_layer(
    example: Callable[[str], Analysis],
) -> None:
    analysis = example("hybrid")
    text = mermaid_responsibility(analysis.graph, analysis.catalog)
    assert text.endswith("\n") and text.count("\n") == len(text.splitlines())
    lines = [line.strip() for line in text.splitlines()]
    components = analysis.graph.components()
    assert sum(line.startswith("subgraph ") for line in lines) == lines.count("end") == len(components)
    classes = {
        cell: line.split()[-1].removeprefix("own_")
        for line in lines
        if line.startswith("class ")
        for cell in line.split()[1].split(",")
    }
    for component in components:
        assert f'subgraph {mermaid_id("c", component.id)}["' in text
        for layer_id, layer in analysis.catalog.layers.items():
            cell = mermaid_id("r", f"{component.id}.{layer_id}")
            assert sum(line.startswith(f'{cell}["{layer.title}: ') for line in lines) == 1
            assert classes[cell] == component.responsibility[layer_id].replace("-", "_h")


def test_mermaid_structure(example: Callable[[str], Analysis]) -> None:
    analysis = example("three-tier-web")
    text = mermaid_architecture(analysis.graph)
    assert text.splitlines()[1] == "flowchart TB"
    assert text.count("\n") == len(text.splitlines())  # ends with one newline
    for boundary_id in analysis.graph.boundaries:
        assert text.count(f"subgraph b_{boundary_id.replace('-', '_h')}[") == 1
    lines = [line.strip() for line in text.splitlines()]
    assert sum(line.startswith("subgraph ") for line in lines) == lines.count("end")
    flows = analysis.graph.flows()
    edges = [line for line in text.splitlines() if re.search(r"(-->|==>|-\.->)\|", line)]
    assert len(edges) == len(flows)
    unencrypted = [str(i) for i, flow in enumerate(flows) if not flow.encrypted]
    if unencrypted:
        assert f"linkStyle {','.join(unencrypted)} stroke:" in text
