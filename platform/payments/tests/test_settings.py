import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_production_with_stripe_refuses_to_start_without_its_keys():
    env = {
        "PATH": "/usr/bin:/bin", "PYTHONPATH": f"{ROOT}:{ROOT / 'platform'}",
        "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none", "PAYMENT_PROVIDER": "stripe",
    }  # fmt: skip
    code = "import config.settings.production"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert out.returncode != 0
    assert "STRIPE_API_KEY must be set when PAYMENT_PROVIDER=stripe" in out.stderr
    env.update(STRIPE_API_KEY="sk_live_x", STRIPE_WEBHOOK_SECRET="whsec_x")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
