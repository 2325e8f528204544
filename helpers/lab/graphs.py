"""A Dask task graph drawn with matplotlib (no graphviz needed): one dot per task, arrows from
each task to the tasks that use its result, sources at the top."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Set

from matplotlib.figure import Figure

_TOKEN = re.compile(r"-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$|-[0-9a-f]{32}$")


def task_name(key: Hashable) -> str:
    """The function part of a Dask key: 'count_primes-1f3c...' -> 'count_primes'."""
    if isinstance(key, tuple) and key:
        key = key[0]
    return _TOKEN.sub("", str(key))


def task_layers(dependencies: Mapping[Hashable, Set[Hashable]]) -> dict[Hashable, int]:
    """Each task's layer: 0 for a task that needs no other, else 1 + the deepest it needs."""
    layers: dict[Hashable, int] = {}

    def layer(key: Hashable, seen: frozenset = frozenset()) -> int:
        if key in layers:
            return layers[key]
        if key in seen:
            raise ValueError(f"the graph has a cycle through {key!r}")
        needs = [d for d in dependencies.get(key, ()) if d in dependencies]
        layers[key] = 0 if not needs else 1 + max(layer(d, seen | {key}) for d in needs)
        return layers[key]

    for key in dependencies:
        layer(key)
    return layers


def plot_task_graph(graph: object, title: str = "The task graph") -> Figure:
    """Draw a task graph: a dask HighLevelGraph (or any object with get_all_dependencies()) or a
    mapping key -> set of keys it depends on."""
    if hasattr(graph, "get_all_dependencies"):
        dependencies = graph.get_all_dependencies()
    elif isinstance(graph, Mapping):
        dependencies = graph
    else:
        raise ValueError("graph must be a dask graph (e.g. total.__dask_graph__()) or a mapping "
                         f"key -> set of dependencies, got {type(graph).__name__}")
    if not dependencies:
        raise ValueError("the graph has no tasks")
    layers = task_layers(dependencies)
    rows: dict[int, list[Hashable]] = {}
    for key in sorted(dependencies, key=str):
        rows.setdefault(layers[key], []).append(key)
    widest = max(len(keys) for keys in rows.values())
    where: dict[Hashable, tuple[float, float]] = {}
    for depth, keys in rows.items():
        for i, key in enumerate(keys):
            where[key] = ((i + 0.5) * widest / len(keys), -depth)
    fig = Figure(figsize=(6, 1.2 + 1.3 * len(rows)), layout="constrained")
    ax = fig.add_subplot()
    for key, needs in dependencies.items():
        for dep in needs:
            if dep in where:
                (x0, y0), (x1, y1) = where[dep], where[key]
                ax.annotate("", xy=(x1, y1 + 0.12), xytext=(x0, y0 - 0.12),
                            arrowprops={"arrowstyle": "->", "color": "0.5"})
    colours = {name: f"C{i}" for i, name in enumerate(sorted({task_name(k) for k in where}))}
    for key, (x, y) in where.items():
        ax.plot(x, y, "o", markersize=14, color=colours[task_name(key)])
    for name, colour in colours.items():
        ax.plot([], [], "o", color=colour, label=name)
    ax.legend(loc="upper right", fontsize="small", title="function", title_fontsize="small")
    ax.set_xlim(-0.2, widest + 0.2)
    ax.set_ylim(-len(rows) + 0.5, 0.6)
    ax.set_axis_off()
    ax.set_title(f"{title}: {len(where)} tasks, results flow downwards")
    return fig
