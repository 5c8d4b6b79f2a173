"""`python -m sandboxes`: run the three sandboxes in the foreground and print their environment."""

from __future__ import annotations

import argparse
import shlex
import threading

from . import start_all


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandboxes", description=__doc__)
    parser.add_argument(
        "--port-base",
        type=int,
        default=8701,
        help="Facebook on this port, X on +1, YouTube on +2 (default 8701)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each call")
    args = parser.parse_args()
    sandboxes = start_all(args.port_base, args.latency)
    print("# Sandboxes running on 127.0.0.1. In another shell:")
    for name, value in sandboxes.env.items():
        print(f"export {name}={shlex.quote(value)}")
    print("# State: GET <url>/_sandbox/state on each. Ctrl+C stops them.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandboxes.stop()


if __name__ == "__main__":
    main()
