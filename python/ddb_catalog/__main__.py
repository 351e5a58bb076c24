"""``python -m ddb_catalog ARGS``: the same as the ``ddb-catalog`` command."""

from ._cli import main

main()
