"""The graph behind a result (mlcore.graph) and its picture (mlcore.plots.draw_graph), chapter 4.

- graph_nodes is a topological order without recursion; backward_steps replays
  backward() edge by edge with the engine's own rules, and its totals are
  mlcore's and PyTorch's gradients.
- The layout puts every node in its own place, routes long edges around boxes,
  and the picture draws every node and every edge, with the tensors' values
  and gradients as labels (empty slots before backward()).
"""

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

import mlcore
from mlcore import nn
from mlcore.graph import backward_rule, backward_steps, graph_edges, graph_nodes, rule_source
from mlcore.plots import draw_graph
from mlcore.plots.graph import format_number, layout_graph, node_kind
from mlcore.plots.graph_drawing import BOX_HEIGHT, BOX_WIDTH, KIND_STYLES, edge_endpoints
from mlcore.plots.graph_layout import Waypoint, depth_layers, layered_layout, route_edges
from mlcore.plots.scene_image import SceneImage
from mlcore.plots.stamp_text import StampText
from oracle import RTOL64


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def leaf(value):
    return mlcore.tensor(value, requires_grad=True)


# name -> (build(lib) -> (root, {name: tensor})): the same expression in mlcore and in torch.
def _fact(lib):
    x, y, z = (lib.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    q = x + y
    f = q * z
    return f, {"x": x, "y": y, "z": z, "q": q}


def _fan_out(lib):
    x = lib.tensor(3.0, requires_grad=True)
    u = x * x
    return u + x, {"x": x, "u": u}


def _neuron(lib):
    w, b = lib.tensor(0.8, requires_grad=True), lib.tensor(-0.5, requires_grad=True)
    x, y = lib.tensor(1.5), lib.tensor(1.0)
    z = w * x + b
    a = z.tanh()
    return (a - y) ** 2, {"w": w, "b": b, "z": z, "a": a}


def _diamond(lib):
    x = lib.tensor(0.7, requires_grad=True)
    s = x.sigmoid()
    e = x.exp()
    return (s * e + s / e - x) * x, {"x": x, "s": s, "e": e}


EXPRESSIONS = {"fact": _fact, "fan_out": _fan_out, "neuron": _neuron, "diamond": _diamond}
expression = pytest.mark.parametrize("build", EXPRESSIONS.values(), ids=EXPRESSIONS.keys())


def torch_gradients(build):
    root, named = build(torch)
    for tensor in named.values():
        if tensor.requires_grad and not tensor.is_leaf:
            tensor.retain_grad()
    root.backward()
    return {name: float(tensor.grad) for name, tensor in named.items()}


# ------------------------------------------------------------------ graph walk

@expression
def test_graph_nodes_is_a_topological_order_of_every_tensor_once(build):
    root, named = build(mlcore)
    nodes = graph_nodes(root)
    assert nodes[-1] is root
    assert len({id(node) for node in nodes}) == len(nodes)
    place = {node: i for i, node in enumerate(nodes)}
    for node in nodes:
        for parent in node.parents:
            assert place[parent] < place[node]
    assert all(tensor in place for tensor in named.values())


def test_graph_nodes_follows_a_chain_far_deeper_than_the_recursion_limit():
    x = leaf(1.0)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    nodes = graph_nodes(y)
    assert len(nodes) == 1 + 2 * 20_000  # x, and per step a constant and a product
    assert nodes[0] is x


def test_graph_edges_counts_both_edges_of_x_times_x():
    x = leaf(2.0)
    u = x * x
    assert [(p is x, c is u, k) for p, c, k in graph_edges(graph_nodes(u))] == [(True, True, 0),
                                                                                (True, True, 1)]


@expression
def test_backward_steps_multiply_local_by_upstream_and_end_at_torchs_gradients(build):
    root, named = build(mlcore)
    steps = backward_steps(root)
    totals = {}
    for step in steps:
        assert step.downstream == pytest.approx(step.local * step.upstream, rel=1e-14)
        totals[step.parent] = step.total
    expected = torch_gradients(build)
    for name, tensor in named.items():
        if tensor.requires_grad:
            assert totals[tensor] == pytest.approx(expected[name], rel=RTOL64), name


@expression
def test_backward_steps_visit_a_node_only_once_its_gradient_is_complete(build):
    root, named = build(mlcore)
    steps = backward_steps(root)
    final = {step.parent: step.total for step in steps}
    final[root] = 1.0
    for k, step in enumerate(steps):
        # The upstream gradient a node sends on is its final gradient: nothing reaches it later.
        assert step.upstream == pytest.approx(final[step.node], rel=1e-14)
        assert all(later.parent is not step.node for later in steps[k:])


def test_backward_steps_match_mlcores_own_backward_and_leave_grad_alone():
    root, named = _neuron(mlcore)
    totals = {step.parent: step.total for step in backward_steps(root)}
    assert named["w"].grad is None, "backward_steps must not write .grad"
    root.backward()  # the graph was not freed by the replay
    for name in ("w", "b"):
        assert totals[named[name]] == pytest.approx(float(named[name].grad), rel=1e-15)


def test_fan_out_collects_one_contribution_per_edge():
    root, named = _fan_out(mlcore)
    x = named["x"]
    contributions = [step.downstream for step in backward_steps(root) if step.parent is x]
    assert contributions == [1.0, 3.0, 3.0]
    assert [step.total for step in backward_steps(root) if step.parent is x] == [1.0, 4.0, 7.0]


def test_backward_steps_explains_what_it_cannot_step_through():
    with pytest.raises(ValueError, match="graphs of single numbers.*shape \\(3,\\)"):
        backward_steps((leaf([1.0, 2.0, 3.0]) * 2).sum())
    with pytest.raises(ValueError, match="does not require grad"):
        backward_steps(mlcore.tensor(2.0) * 3)
    with pytest.raises(TypeError, match="needs an mlcore Tensor"):
        backward_steps(3.0)
    f, _ = _fact(mlcore)
    f.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        backward_steps(f)


def test_rule_source_points_at_the_engine_line_that_holds_the_rule():
    x = leaf(0.3)
    for result in (x * x, x.tanh(), x + 1.0, x.exp()):
        path, line, text = rule_source(result)
        assert path.startswith("mlcore/") and path.endswith(".py")
        source = (mlcore.__file__.rsplit("mlcore", 1)[0] + path)
        with open(source, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
        assert lines[line - 1].strip() == text.splitlines()[0].strip()
        whole_path, whole_line, whole = rule_source(result, operation=True)
        # The function that builds the operation: ``binary``/``unary`` for a table entry.
        assert whole_path == path and "def backward" in whole or "lambda g" in whole
    # mul is a line of the table of derivatives: its forward and both gradients, side by side.
    path, line, text = rule_source(x * x)
    assert path == "mlcore/ops/arithmetic.py" and text.startswith('mul = binary("mul", np.multiply,')
    assert "g * b" in text and "g * a" in text
    assert rule_source(x * x, operation=True)[2].startswith("def binary(")
    # sum is written as a function of its own: its rule is the backward it defines.
    assert "def sum(" in rule_source(x.sum(), operation=True)[2]
    assert backward_rule(x) is None
    with pytest.raises(ValueError, match="leaf tensor"):
        rule_source(x)


# --------------------------------------------------------------------- layout

def test_inputs_sit_one_layer_before_their_first_consumer():
    # a, b -> mul -> add(., c) -> tanh: c joins late, so it sits in layer 1, not 0.
    edges = [("a", "mul"), ("b", "mul"), ("mul", "add"), ("c", "add"), ("add", "tanh")]
    assert depth_layers(["a", "b", "mul", "c", "add", "tanh"], edges) == {
        "a": 0, "b": 0, "mul": 1, "c": 1, "add": 2, "tanh": 3}
    with pytest.raises(ValueError, match="topological order"):
        depth_layers(["mul", "a", "b"], edges[:2])


def test_a_long_edge_gets_a_waypoint_in_every_layer_it_crosses():
    edges = [("x", "u"), ("u", "v"), ("v", "f"), ("x", "f")]
    layers, chains = route_edges(depth_layers(["x", "u", "v", "f"], edges), edges)
    assert chains[3] == ["x", Waypoint(3, 1), Waypoint(3, 2), "f"]
    layout = layered_layout(["x", "u", "v", "f"], edges)
    assert len(layout.waypoints[3]) == 2
    occupied = list(layout.positions.values()) + [p for ps in layout.waypoints for p in ps]
    assert len(set(occupied)) == len(occupied), "a waypoint shares a place with a node"


def mlp_loss():
    """A 2-3-1 tanh network on scalars with its squared error: 38 nodes."""
    xs = [mlcore.tensor(0.5), mlcore.tensor(-1.0)]
    hidden = []
    for j in range(3):
        s = nn.Parameter(mlcore.tensor(0.1 * j))
        for i, x in enumerate(xs):
            s = s + nn.Parameter(mlcore.tensor(0.3 * (i - j))) * x
        hidden.append(s.tanh())
    out = sum((h * nn.Parameter(mlcore.tensor(w)) for h, w in zip(hidden, (0.5, -0.5, 0.2))),
              start=mlcore.tensor(0.0))
    return (out - mlcore.tensor(1.0)) ** 2


GRAPHS = {"fact": lambda: _fact(mlcore)[0], "fan_out": lambda: _fan_out(mlcore)[0],
          "neuron": lambda: _neuron(mlcore)[0], "diamond": lambda: _diamond(mlcore)[0], "mlp": mlp_loss}
graph = pytest.mark.parametrize("make", GRAPHS.values(), ids=GRAPHS.keys())


def box_extents(picture):
    renderer = picture.ax.figure.canvas.get_renderer()
    return {node: artists.box.get_window_extent(renderer) for node, artists in picture.artists.items()}


# -------------------------------------------------------------------- picture

@graph
def test_no_two_nodes_overlap_and_every_node_is_inside_the_axes(make):
    root = make()
    picture = draw_graph(root)
    picture.ax.figure.canvas.draw()
    boxes = list(box_extents(picture).values())
    assert len(boxes) == len(graph_nodes(root))
    for i, a in enumerate(boxes):
        assert picture.ax.bbox.contains(a.x0, a.y0) and picture.ax.bbox.contains(a.x1, a.y1)
        for b in boxes[i + 1:]:
            assert not a.overlaps(b)


@graph
def test_every_edge_is_drawn_from_its_input_to_its_consumer(make):
    root = make()
    picture = draw_graph(root)
    edges = graph_edges(graph_nodes(root))
    assert len(picture.arrows) == len(edges)
    for parent, child, position in edges:
        vertices = picture.arrows[parent, child, position].get_path().vertices
        tail, head = edge_endpoints(picture.positions[parent], picture.positions[child], position,
                                    len(child.parents))
        np.testing.assert_allclose(vertices[0], tail, atol=1e-9)
        # The arrow's tip is at the consumer's box (matplotlib pulls it back by about a pixel
        # for the line width; 0.02 data units are 2-3 pixels).
        assert min(np.hypot(*(vertices - head).T)) < 0.02


@graph
def test_no_edge_runs_through_a_box_it_does_not_connect(make):
    root = make()
    picture = draw_graph(root)
    for (parent, child, _), arrow in picture.arrows.items():
        path = arrow.get_path().interpolated(20)
        for node, (x, y) in picture.positions.items():
            if node is parent or node is child:
                continue
            inside = ((np.abs(path.vertices[:, 0] - x) < BOX_WIDTH / 2 - 0.02)
                      & (np.abs(path.vertices[:, 1] - y) < BOX_HEIGHT / 2 - 0.02))
            assert not inside.any(), f"the edge {parent.op}->{child.op} crosses the box of {node.op}"


@expression
def test_labels_are_the_values_and_before_backward_the_gradient_slots_are_empty(build):
    root, named = build(mlcore)
    picture = draw_graph(root, names={k: v for k, v in named.items()})
    for node in picture.nodes:
        assert picture.value_text(node) == format_number(node.data)
        if node.requires_grad:
            assert picture.grad_text(node) == "", "no gradient yet: the slot must be empty, not 0"
        else:
            assert picture.artists[node].numbers["grad"].get_text() == "none"
    assert picture.artists[named["x" if "x" in named else "w"]].title.get_text() in named


@expression
def test_after_backward_the_gradient_labels_are_torchs_gradients(build):
    root, named = build(mlcore)
    for tensor in named.values():
        if tensor.requires_grad and not tensor.is_leaf:
            tensor.retain_grad()
    root.backward()
    picture = draw_graph(root, names=named)
    expected = torch_gradients(build)
    for name, tensor in named.items():
        if tensor.requires_grad:
            text = picture.grad_text(tensor)
            assert text == format_number(tensor.grad)
            assert float(text) == pytest.approx(expected[name], rel=5e-4, abs=1e-12)
    assert picture.grad_text(root) == "", "the root's gradient is not kept (it did not retain_grad)"


def test_gradients_can_be_shown_from_a_dict():
    root, named = _fact(mlcore)
    picture = draw_graph(root, names=named)
    picture.show_gradients({named["x"]: 2.5})
    assert picture.grad_text(named["x"]) == "2.5" and picture.grad_text(named["y"]) == ""


def test_leaves_parameters_constants_and_operations_look_different():
    w = nn.Parameter(mlcore.tensor(0.5))
    x, c = leaf(2.0), mlcore.tensor(3.0)
    root = w * x + c
    picture = draw_graph(root)
    assert [node_kind(n) for n in (w, x, c, root)] == ["parameter", "leaf", "constant", "operation"]
    faces = {node_kind(n): picture.artists[n].box.get_facecolor() for n in (w, x, c, root)}
    assert len({tuple(face) for face in faces.values()}) == 4
    for kind, face in faces.items():
        assert matplotlib.colors.same_color(face, KIND_STYLES[kind][0])
    assert picture.artists[root].box.get_linewidth() > picture.artists[x].box.get_linewidth()
    legend = [t.get_text() for t in picture.ax.get_legend().get_texts()]
    assert legend == [style[3] for style in KIND_STYLES.values()]


def test_a_graph_beyond_forty_nodes_gets_a_message_that_suggests_a_part_of_it():
    x = leaf(0.5)
    y = x
    for _ in range(25):
        y = (y * 0.9).tanh()
    with pytest.raises(ValueError, match=r"(?s)76 nodes.*readable up to about 40.*intermediate result"):
        draw_graph(y)
    assert plt.get_fignums() == [], "a refused graph opens no figure"


def test_draw_graph_refuses_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="needs an mlcore Tensor, got ndarray"):
        draw_graph(np.ones(3))
    with pytest.raises(TypeError, match="names must be a dict"):
        draw_graph(leaf(1.0) * 2, names=["x"])


def test_draw_graph_draws_on_a_given_axes_with_matplotlib_alone():
    figure = Figure()
    ax = figure.add_subplot()
    picture = draw_graph(_fact(mlcore)[0], ax=ax)
    assert picture.ax is ax and plt.get_fignums() == []
    assert layout_graph(_fact(mlcore)[0]).layers == 3


def test_numbers_show_four_significant_digits_and_small_arrays():
    assert [format_number(v) for v in (-12.0, 0.123456, -0.0, 1e-7)] == ["-12", "0.1235", "0", "1e-07"]
    assert format_number(np.array([1.0, 2.5])) == "[1, 2.5]"
    assert format_number(np.ones((4, 3))) == "4x3, mean 1"


# ------------------------------------------------- the pieces the panels use

def test_a_scene_image_renders_each_scene_once_and_then_copies_its_pixels():
    figure = Figure(figsize=(3, 2), dpi=100)
    matplotlib.backends.backend_agg.FigureCanvasAgg(figure)
    ax = figure.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    drawn = []
    scenes = {"a": lambda a: drawn.append("a") or a.plot([0, 1], [0, 1]),
              "b": lambda a: drawn.append("b") or a.plot([0, 1], [1, 0])}
    image = SceneImage(ax, scenes)
    figure.canvas.draw()
    first = np.asarray(figure.canvas.buffer_rgba()).copy()
    image.select("b")
    figure.canvas.draw()
    image.select("a")
    figure.canvas.draw()
    assert drawn == ["a", "b"] and image.renders == 2
    np.testing.assert_array_equal(np.asarray(figure.canvas.buffer_rgba()), first)
    with pytest.raises(ValueError, match="no scene 'c'"):
        image.select("c")


def _ink(figure):
    figure.canvas.draw()
    pixels = np.asarray(figure.canvas.buffer_rgba())[..., 0].astype(float)
    ink = 255 - pixels
    rows, cols = np.nonzero(ink > 60)
    return ink.sum(), (rows.min(), rows.max(), cols.min(), cols.max())


@pytest.mark.parametrize("ha,va", [("right", "center"), ("left", "baseline"), ("center", "top")])
def test_stamped_text_looks_like_matplotlibs_monospace_text(ha, va):
    results = []
    for stamped in (False, True):
        figure = Figure(figsize=(2, 1), dpi=100)
        matplotlib.backends.backend_agg.FigureCanvasAgg(figure)
        if stamped:
            figure.add_artist(StampText(0.5, 0.5, "-0.7534", transform=figure.transFigure, fontsize=9,
                                        ha=ha, va=va))
        else:
            figure.text(0.5, 0.5, "-0.7534", fontsize=9, family="monospace", ha=ha, va=va)
        results.append(_ink(figure))
    (ink_text, box_text), (ink_stamp, box_stamp) = results
    assert ink_stamp == pytest.approx(ink_text, rel=0.1)
    np.testing.assert_allclose(box_stamp, box_text, atol=2)


def test_stamped_text_refuses_unknown_alignments():
    with pytest.raises(ValueError, match="ha in left/center/right"):
        StampText(0, 0, "1", transform=None, ha="middle")


def test_source_location_looks_through_decorators_to_the_engine():
    from mlcore import autograd
    from mlcore.graph import source_location

    path, line = source_location(autograd.run_backward)
    assert path == "mlcore/autograd.py"
    with open(mlcore.__file__.rsplit("mlcore", 1)[0] + path, encoding="utf-8") as handle:
        # The function's source starts at its decorator (@np.errstate), right above the def.
        assert any(text.startswith("def run_backward(") for text in handle.read().splitlines()[line - 1:line + 2])
