"""``python -m nlukit`` is the ``nlukit`` command."""
from nlukit.cli import main

raise SystemExit(main())
