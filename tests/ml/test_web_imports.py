"""Web processes never import torch or sentence-transformers (checked in a fresh interpreter)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CODE = """
import os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "participation.config.settings")
import django
django.setup()
import participation.config.urls, participation.config.asgi, participation.analysis.runs, participation.analysis.registration
import cms.admin.analysis_views, cms.admin.analysis_hooks, ml.selectors, ml.services, ml.pipeline, ml.similar
from django.urls import reverse
reverse("ml_analysis:index")
print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
"""


def test_importing_the_web_app_does_not_import_torch():
    done = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
