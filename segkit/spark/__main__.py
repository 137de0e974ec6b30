"""`python -m segkit.spark ...` (also the spark-submit entry point): see segkit/spark/cli.py."""

import sys

from segkit.spark.cli import main

if __name__ == "__main__":
    sys.exit(main())
