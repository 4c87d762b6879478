"""Project-level guarantees: the stdlib `platform` is not shadowed, migrations are complete."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_stdlib_platform_module_still_works_inside_django():
    import platform

    assert platform.python_version().startswith("3.11")
    assert Path(platform.__file__).parent != ROOT / "platform"
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_stdlib_platform_in_a_fresh_django_process():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings.test');"
        "django.setup(); import platform, uuid, celery, kombu; print(platform.system())"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "Linux"


def test_production_settings_refuse_to_start_without_secrets():
    code = "import config.settings.production"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env=env)  # fmt: skip
    assert out.returncode != 0
    assert "SECRET_KEY must be set in production" in out.stderr
