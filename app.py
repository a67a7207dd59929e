"""Katachi Studio's web app: `python app.py [--host 127.0.0.1] [--port 7860] [--share --auth USER:PASS]
[--allowed-hosts NAMES]`, the same as `studio app` (studio/ui/cli.py)."""
import sys

from studio.ui.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
