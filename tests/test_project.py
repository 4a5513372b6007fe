"""The project's promises about itself: CI runs exactly the README's test command."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _quickstart_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the Quickstart section has a code block"
    return [line.strip() for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_has_exactly_two_commands() -> None:
    commands = _quickstart_commands()
    assert len(commands) == 2
    assert "transport demo" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    test_command = _quickstart_commands()[1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    assert test_command in ci_lines


def test_the_readme_column_tables_are_the_schemas() -> None:
    from transport.schemas import markdown

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- schemas:begin -->\n", 1)[1].split("\n<!-- schemas:end -->", 1)[0]
    assert block == markdown(), "regenerate the README's column tables from transport/schemas.py"


def _python_files() -> list:
    return sorted((ROOT / "transport").rglob("*.py"))


def test_no_function_runs_past_80_lines() -> None:
    import ast

    long = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno + 1 > 80:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert long == []


def test_no_table_columns_are_listed_outside_schemas() -> None:
    """A list of three or more column names of one declared table, anywhere but schemas.py, is a second declaration."""
    import ast

    from transport import schemas

    tables = [set(t.names) for t in vars(schemas).values() if isinstance(t, schemas.Table)]
    found = []
    for path in _python_files():
        if path.name == "schemas.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.List | ast.Tuple):
                names = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(names) == len(node.elts) and any(len(set(names) & table) >= 3 for table in tables):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {names}")
    assert found == []


def test_the_readme_names_every_module() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8").split("## Architecture", 1)[1].split("\n## ", 1)[0]
    for path in _python_files():
        if path.name != "__init__.py":
            assert f"`{path.stem}`" in text, f"README's architecture table does not mention {path.stem}"
