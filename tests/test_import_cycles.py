"""mlcore's modules import one another one way: no module reaches itself through its imports.

Every import statement counts, also those inside functions (a deferred
import still ties two layers together). The graph is read from the source
with ``ast``, so the test needs no imports and names the whole cycle it finds.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "mlcore"


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules():
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name, path, known):
    """The mlcore modules that the file of module ``name`` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from pkg import sub` reaches the submodule; any other name is
            # read from pkg itself.
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            targets = submodules + ([base] if not all(sub in known for sub in submodules) else [])
        else:
            continue
        found.update(target for target in targets if target in known and target != name)
    return found


def find_cycle(graph):
    """One cycle of ``graph`` as a list of modules (first == last), or None."""
    state, stack = {}, []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for successor in sorted(graph[node]):
            if state.get(successor) == "open":
                return stack[stack.index(successor):] + [successor]
            if successor not in state:
                cycle = visit(successor)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_relative_imports_resolve_to_mlcore_modules():
    known = modules()
    assert "mlcore.feedback.checks" in imported_modules(
        "mlcore.feedback.regression_losses", known["mlcore.feedback.regression_losses"], known)
    assert "mlcore.grading.environment" in imported_modules(
        "mlcore.grading.kernel", known["mlcore.grading.kernel"], known)


def test_mlcore_has_no_import_cycle():
    known = modules()
    graph = {name: imported_modules(name, path, known) for name, path in known.items()}
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)
