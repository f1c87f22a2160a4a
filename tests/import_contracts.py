"""A contract of ours for import-linter (``pyproject.toml``, ``[tool.importlinter]``): no import
cycle between the modules of the application, imports inside functions included.

import-linter's own ``acyclic_siblings`` counts a sub-package as one module: the quality package
(its checks, its services and its admin views together) could then not use a service of the
records (archiving) that queues one of its checks. A cycle is between modules, so this contract
looks at modules: for each group of modules that import one another, it shows one cycle, with
the line of each import.
"""

from itertools import pairwise

from importlinter import Contract, ContractCheck, fields, output


class AcyclicModulesContract(Contract):
    type_name = "acyclic_modules"

    # The packages looked at; by default every root package, so a new part is checked at once.
    packages = fields.ListField(subfield=fields.StringField(), required=False)

    def check(self, graph, verbose: bool) -> ContractCheck:
        modules = set()
        for package in self.packages or self.session_options["root_packages"]:
            modules |= {package, *graph.find_descendants(package)}
        imports = {
            module: graph.find_modules_directly_imported_by(module) & modules for module in modules
        }
        groups = sorted((sorted(group) for group in _entangled(imports)), key=lambda g: g[0])
        cycles = [(group, _one_cycle(graph, set(group), imports)) for group in groups]
        return ContractCheck(kept=not cycles, warnings=[], metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for group, cycle in check.metadata["cycles"]:
            output.print_error(cycle[0][0], bold=True)
            for importer, imported, lines in cycle:
                output.indent_cursor()
                output.print_error(f"-> {imported} (line {lines} of {importer})", bold=False)
            others = [module for module in group if module not in {step[0] for step in cycle}]
            if others:
                output.print_error(f"Entangled with them too: {', '.join(others)}", bold=False)
            output.new_line()


def _entangled(imports: dict[str, set[str]]) -> list[set[str]]:
    """The groups of two modules or more that import one another, directly or not (Tarjan's
    strongly connected components, without recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(sorted(imports[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            module, following = work[-1]
            step = next(following, None)
            if step is not None:
                if step not in index:
                    index[step] = low[step] = len(index)
                    stack.append(step)
                    on_stack.add(step)
                    work.append((step, iter(sorted(imports[step]))))
                elif step in on_stack:
                    low[module] = min(low[module], index[step])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[module])
            if low[module] == index[module]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == module:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


def _one_cycle(graph, group: set[str], imports: dict[str, set[str]]) -> tuple:
    """One cycle through the group's first module: each import with its line numbers."""
    start = min(group)
    following = min(imports[start] & group)
    chain = (start, *graph.find_shortest_chain(importer=following, imported=start))
    steps = []
    for importer, imported in pairwise(chain):
        details = graph.get_import_details(importer=importer, imported=imported)
        lines = ", ".join(str(detail["line_number"]) for detail in details)
        steps.append((importer, imported, lines))
    return tuple(steps)
