"""`make run` (scripts/run.sh): the dashboard listens on this machine only unless told otherwise (issue 30, item 7)."""
from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from testkit.dashboard import FOREIGN_PREFIXES, ROOT, free_port, wait_until_healthy

pytestmark = pytest.mark.processes
_LISTENING = "0A"  # the TCP state LISTEN in /proc/net/tcp


def _listening_addresses(port: int) -> set[str]:
    """The local addresses (hex, as the kernel writes them) of the sockets listening on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        lines = Path(table).read_text().splitlines()[1:] if Path(table).exists() else []
        for line in lines:
            local, _remote, state = line.split()[1:4]
            address, hex_port = local.split(":")
            if state == _LISTENING and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads the listening sockets from Linux's /proc/net/tcp")
def test_make_run_listens_on_loopback_only_by_default_on_the_chosen_port(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith((*FOREIGN_PREFIXES, "STREAMLIT_"))}
    port = free_port()
    env.update(CROSSCHECK_HOME=str(tmp_path), CROSSCHECK_SECRETS_FILE=str(tmp_path / "none.toml"),
               STREAMLIT_SERVER_PORT=str(port))
    log = tmp_path / "run.log"
    with open(log, "wb") as out:
        # Its own process group: run.sh, its worker and the dashboard are stopped together, as Ctrl-C does.
        run = subprocess.Popen(["bash", str(ROOT / "scripts" / "run.sh")], env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    try:
        wait_until_healthy(port, run, lambda: log.read_text(errors="replace")[-2000:])
        assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1, and neither 0.0.0.0 nor ::
        assert f"dashboard on http://127.0.0.1:{port}" in log.read_text(errors="replace")
    finally:
        os.killpg(run.pid, signal.SIGTERM)
        try:
            run.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()
