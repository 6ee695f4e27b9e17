"""Load from wrk: requests per second and latency of a list of requests sent in turn.

wrk is installed from Debian's packages when it is missing. A Lua script
gives every request its own client address (X-Forwarded-For, read by the site
behind one proxy) and, for a POST, its own number in the body (`__N__`), so
the flood limit and the duplicate check treat each as a new person. A comment
form's token posts once, so a comment POST names a file of bodies instead
(`bodies`, one per line, each with its own token, written by bench/run.py):
bench/post.lua gives each wrk thread its own share and sends the next body of
it with every request.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

THREADS = 2
CONNECTIONS = 8
POST_LUA = Path(__file__).with_name("post.lua")

SCRIPT = r"""
local specs = {SPECS}
local bodies = dofile({POST_LUA})
local counter = 0
local threads = {}

setup = function(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

init = function(args)
  for _, spec in ipairs(specs) do
    if spec.bodies ~= "" then spec.share = bodies.read(spec.bodies, tid, {THREADS}) end
  end
end

request = function()
  counter = counter + 1
  local spec = specs[(counter - 1) % #specs + 1]
  local headers = {
    ["X-Forwarded-For"] = string.format("10.%d.%d.%d", tid, math.floor(counter / 256) % 256, counter % 256),
  }
  if spec.cookie ~= "" then headers["Cookie"] = spec.cookie end
  if spec.share then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format(spec.method, spec.path, headers, bodies.next(spec.share))
  end
  if spec.body ~= "" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local body = spec.body:gsub("__N__", tid .. "x" .. counter)
    return wrk.format(spec.method, spec.path, headers, body)
  end
  return wrk.format(spec.method, spec.path, headers)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def get(path):
    return {"method": "GET", "path": path}


def ensure_wrk():
    """Install wrk from Debian's packages when it is missing; stop the run if that fails."""
    if shutil.which("wrk"):
        return
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print("bench: installing wrk from Debian's packages", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run([apt, "update", "-qq"], env=env, capture_output=True)
        subprocess.run(
            [apt, "install", "-y", "-qq", "wrk"], env=env, capture_output=True
        )
    if not shutil.which("wrk"):
        sys.exit("bench: wrk is needed: install it (apt-get install wrk)")


def lua_script(specs):
    # A JSON string is a valid Lua string literal for what these hold.
    items = ", ".join(
        "{"
        + ", ".join(
            f"{key}={json.dumps(spec.get(key, ''))}"
            for key in ("method", "path", "body", "cookie", "bodies")
        )
        + "}"
        for spec in specs
    )
    return (
        SCRIPT.replace("{POST_LUA}", json.dumps(str(POST_LUA)))
        .replace("{THREADS}", str(THREADS))
        .replace("{SPECS}", "{" + items + "}")
    )


def run_wrk(port, specs, seconds, *, script_path):
    """Send `specs` in turn to 127.0.0.1:`port` for `seconds`; return the figures."""
    script_path.write_text(lua_script(specs))
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "-s",
        str(script_path),
        f"http://127.0.0.1:{port}",
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60
    )
    match = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$", result.stdout, re.M)
    if not match:
        sys.exit(f"bench: wrk failed:\n{result.stdout}\n{result.stderr}")
    requests, duration_us, p50_us, p99_us, errors = map(int, match.groups())
    return {
        "requests": requests,
        "seconds": duration_us / 1e6,
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50_us / 1000,
        "p99_ms": p99_us / 1000,
        "errors": errors,
    }
