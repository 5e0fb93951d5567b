"""Where to put the nodes of a graph: layers from topological depth, rows by barycentres (chapters 4 and 5).

The layout knows nothing about tensors: nodes are any hashable objects and
edges are ``(source, target)`` pairs, with data flowing from source to
target (left to right in the picture). Chapter 4 lays out the graph behind a
tensor with it; chapter 5 can lay out a network's neurons, whose layers it
already knows, by calling :func:`route_edges`, :func:`order_rows` and
:func:`grid_positions` only.

1. :func:`depth_layers`: an operation sits one layer right of its deepest
   input; an input sits one layer left of its first consumer, so an input
   used late (a bias, a target) does not draw a long edge across the picture.
2. :func:`route_edges`: an edge that spans several layers gets a waypoint
   in every layer it crosses, which takes a row there like a node does, so
   the edge never runs behind a box.
3. :func:`order_rows`: within each layer, nodes and waypoints are sorted by
   the mean row of their neighbours (the barycentre heuristic), sweeping left
   to right and back a few times, which removes most edge crossings.
4. :func:`grid_positions`: layer ``k`` at ``x = k``, its rows one unit apart
   and centred on ``y = 0``, so no two nodes ever share a position.
"""

from collections import defaultdict
from dataclasses import dataclass

__all__ = ["Layout", "Waypoint", "depth_layers", "grid_positions", "layered_layout", "order_rows",
           "route_edges"]


@dataclass(frozen=True)
class Waypoint:
    """The place where edge number ``edge`` crosses a layer between its two ends."""

    edge: int
    layer: int


@dataclass
class Layout:
    """``positions[node] = (x, y)``, and ``waypoints[i]``: the points edge ``i`` passes on its way."""

    positions: dict
    waypoints: list


def depth_layers(nodes, edges):
    """``{node: layer}`` for ``nodes`` in topological order (every source before its targets).

    Nodes without incoming edges (inputs) go one layer before their earliest
    target; every other node one layer after its deepest source. The first
    layer is 0.
    """
    sources = defaultdict(list)
    targets = defaultdict(list)
    for source, target in edges:
        sources[target].append(source)
        targets[source].append(target)
    depth = {}
    for node in nodes:
        if node not in sources:
            depth[node] = 0
            continue
        if any(s not in depth for s in sources[node]):
            raise ValueError("depth_layers needs the nodes in topological order (every source before "
                             "its targets); mlcore.graph.graph_nodes returns them in that order.")
        depth[node] = 1 + max(depth[s] for s in sources[node])
    for node in nodes:
        if node not in sources and node in targets:
            depth[node] = min(depth[t] for t in targets[node]) - 1
    return depth


def route_edges(layers, edges):
    """``(layers, chains)``: ``layers`` with a :class:`Waypoint` added for every layer an edge crosses,
    and for edge ``i`` the chain ``[source, waypoints..., target]`` it follows, one link per layer."""
    layers = dict(layers)
    chains = []
    for i, (source, target) in enumerate(edges):
        chain = [source]
        for layer in range(layers[source] + 1, layers[target]):
            waypoint = Waypoint(i, layer)
            layers[waypoint] = layer
            chain.append(waypoint)
        chains.append(chain + [target])
    return layers, chains


def order_rows(layers, links, sweeps=4):
    """``{layer: [nodes top to bottom]}``, ordered to reduce crossings of the ``links`` (pairs of
    nodes in neighbouring layers).

    Starts from the order in which nodes appear in ``layers`` (a dict keeps
    it), then sorts each layer by the mean row of its neighbours in the layer
    before (sweeping right) or after (sweeping left). Ties keep their order.
    """
    rows = defaultdict(list)
    for node, layer in layers.items():
        rows[layer].append(node)
    neighbours = defaultdict(list)
    for source, target in links:
        neighbours[target, "before"].append(source)
        neighbours[source, "after"].append(target)
    depth = max(rows, default=-1) + 1
    for sweep in range(sweeps):
        if sweep % 2 == 0:
            order, side = range(1, depth), "before"
        else:
            order, side = range(depth - 2, -1, -1), "after"
        for layer in order:
            place = {node: i for layer_nodes in rows.values() for i, node in enumerate(layer_nodes)}
            rows[layer] = sorted(rows[layer], key=lambda node: _barycentre(node, side, neighbours, place))
    return {layer: rows[layer] for layer in range(depth)}


def _barycentre(node, side, neighbours, place):
    around = [place[n] for n in neighbours[node, side]]
    return sum(around) / len(around) if around else place[node]


def grid_positions(rows):
    """``{node: (x, y)}``: layer ``k`` at ``x = k``, first row on top, rows 1 apart, centred on 0."""
    positions = {}
    for layer, layer_nodes in rows.items():
        top = (len(layer_nodes) - 1) / 2
        for i, node in enumerate(layer_nodes):
            positions[node] = (float(layer), top - i)
    return positions


def layered_layout(nodes, edges, sweeps=4):
    """The :class:`Layout` of a directed acyclic graph: the four steps of the module docstring."""
    layers, chains = route_edges(depth_layers(nodes, edges), edges)
    links = [(a, b) for chain in chains for a, b in zip(chain, chain[1:])]
    placed = grid_positions(order_rows(layers, links, sweeps))
    positions = {node: placed[node] for node in nodes}
    waypoints = [[placed[point] for point in chain[1:-1]] for chain in chains]
    return Layout(positions, waypoints)
