"""`python -m trustreport …`, the same as the `trustreport` command."""

import sys

from trustreport.cli import main

if __name__ == "__main__":
    sys.exit(main())
