"""Entry point for `python -m cgan_lib`; see cgan_lib/cli.py."""

from cgan_lib.cli import main

raise SystemExit(main())
