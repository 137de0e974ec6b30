"""`python -m segkit.spark ...` (also the spark-submit entry point): see segkit/cli/spark.py."""

import sys

from segkit.cli.spark import main

if __name__ == "__main__":
    sys.exit(main())
