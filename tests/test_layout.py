"""The code's layout: no imports inside functions, and every module imports on its own.

An import inside a function is how a cycle between modules is usually hidden;
code that needs a lower module's name imports it at the top, and code that two
modules share lives in a module both import.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "kiosk")
# (path, function) pairs allowed an import inside a function, each with its reason. Keep it empty.
ALLOWED: set[tuple[str, str]] = set()


def _modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_inside_functions(source: str) -> list[tuple[str, int]]:
    """(function name, line) of every import statement inside a function or method."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found += [(node.name, inner.lineno) for inner in ast.walk(node)
                      if isinstance(inner, (ast.Import, ast.ImportFrom))]
    return found


def test_the_check_finds_an_import_inside_a_function_or_method():
    source = "import os\n\ndef f():\n    from portal import db\n\nclass C:\n    def m(self):\n        import json\n"
    assert imports_inside_functions(source) == [("f", 4), ("m", 8)]


def test_no_module_imports_inside_a_function():
    found = [f"{path.relative_to(ROOT)}:{line} in {function}()"
             for path in _modules()
             for function, line in imports_inside_functions(path.read_text(encoding="utf-8"))
             if (str(path.relative_to(ROOT)), function) not in ALLOWED]
    assert found == [], "move the code both need to a lower module instead:\n" + "\n".join(found)


# Each module first in a clean slate: the app's own modules are forgotten before each import, so a
# cycle fails whichever module starts it. Third-party packages stay loaded, which keeps this quick.
IMPORT_EACH_ALONE = """
import sys, traceback
failed = []
for module in sys.argv[1:]:
    for name in [n for n in sys.modules if n.split(".")[0] in ("portal", "kiosk")]:
        del sys.modules[name]
    try:
        __import__(module)
    except Exception:
        failed.append(module + ": " + traceback.format_exc(limit=-3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


@pytest.mark.slow
def test_each_module_imports_on_its_own():
    modules = [_module_name(path) for path in _modules()]
    done = subprocess.run([sys.executable, "-c", IMPORT_EACH_ALONE, *modules], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
