"""The dependency direction of docs/architecture.md is enforced by import-linter contracts in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint)], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "broken" in result.stdout and " 0 broken" in result.stdout


def test_web_process_never_imports_torch():
    code = (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'participation.config.settings');"
        "from participation.config.asgi import application; import participation.config.urls;"
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == "False False"


def test_the_docs_stand_on_their_own():
    """README and docs/architecture.md link only to files inside the repository, and those files exist."""
    import re
    from pathlib import Path

    root = Path(settings.BASE_DIR)
    for doc in (root / "README.md", root / "docs" / "architecture.md"):
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)", text):
            if target.startswith(("http://", "https://", "mailto:")):
                continue
            path = (doc.parent / target).resolve()
            assert path.is_relative_to(root.resolve()), f"{doc.name} links outside the repository: {target}"
            assert path.exists(), f"{doc.name} links to a missing file: {target}"
    assert "../shared" not in (root / "README.md").read_text(encoding="utf-8")
