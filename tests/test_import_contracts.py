"""The contract ``make lint`` holds the modules to: no import cycle (tests/import_contracts.py)."""

import grimp

from tests.import_contracts import AcyclicModulesContract


def _graph(*imports: tuple[str, str, int]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for module in ("app", "app.models", "app.services", "app.tasks", "app.views"):
        graph.add_module(module)
    for importer, imported, line in imports:
        graph.add_import(
            importer=importer, imported=imported, line_number=line, line_contents="import"
        )
    return graph


def _check(graph: grimp.ImportGraph):
    contract = AcyclicModulesContract("No cycle", {"root_packages": ["app"]}, {})
    return contract.check(graph, verbose=False)


def test_modules_that_import_one_way_keep_the_contract():
    graph = _graph(
        ("app.views", "app.services", 3),
        ("app.tasks", "app.services", 5),
        ("app.services", "app.models", 7),
    )

    assert _check(graph).kept


def test_a_service_importing_its_task_inside_a_function_breaks_it_and_shows_the_cycle():
    graph = _graph(("app.tasks", "app.services", 5), ("app.services", "app.tasks", 120))

    check = _check(graph)

    assert not check.kept
    [(group, cycle)] = check.metadata["cycles"]
    assert group == ["app.services", "app.tasks"]
    assert cycle == (
        ("app.services", "app.tasks", "120"),
        ("app.tasks", "app.services", "5"),
    )


def test_a_cycle_through_three_modules_is_one_group():
    graph = _graph(
        ("app.views", "app.services", 3),
        ("app.services", "app.models", 7),
        ("app.models", "app.views", 9),
        ("app.tasks", "app.services", 5),
    )

    [(group, cycle)] = _check(graph).metadata["cycles"]

    assert group == ["app.models", "app.services", "app.views"]
    assert [step[0] for step in cycle] == ["app.models", "app.views", "app.services"]
