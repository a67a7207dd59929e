import sys

from studio.train.worker import main

if len(sys.argv) != 2:
    print("usage: python -m studio.train RUN_DIR", file=sys.stderr)
    sys.exit(2)
sys.exit(main(sys.argv[1]))
