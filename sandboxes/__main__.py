"""`python -m sandboxes`: run the three sandboxes in the foreground and print their environment."""

from __future__ import annotations

import argparse
import shlex
import threading

from . import start_all
from .twitter import BASIC_DAILY_POSTS, FREE_DAILY_POSTS


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command's options (`argv`, default: the command line)."""
    parser = argparse.ArgumentParser(prog="python -m sandboxes", description=__doc__)
    parser.add_argument(
        "--port-base",
        type=int,
        default=8701,
        help="Facebook on this port, X on +1, YouTube on +2 (default 8701)",
    )
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to each call")
    # X Basic's cap by default: the sample site alone needs more posts and replies than the
    # free tier's 17, whose cap a smaller limit rehearses.
    parser.add_argument(
        "--x-daily-limit",
        type=int,
        default=BASIC_DAILY_POSTS,
        help=f"X posts allowed in 24 hours (default {BASIC_DAILY_POSTS}, X Basic's; "
        f"{FREE_DAILY_POSTS}: the free tier's)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    sandboxes = start_all(args.port_base, args.latency, args.x_daily_limit)
    print("# Sandboxes running on 127.0.0.1. In another shell:")
    for name, value in sandboxes.env.items():
        print(f"export {name}={shlex.quote(value)}")
    print(f"# X allows {args.x_daily_limit} posts in 24 hours (--x-daily-limit).")
    print("# State: GET <url>/_sandbox/state on each. Ctrl+C stops them.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        sandboxes.stop()


if __name__ == "__main__":
    main()
